#include <stdio.h>
int verbose_level; /* tentative (-fcommon): the library's initialized one wins */
extern int cvar_get(void);
extern int cvar_user_get(void);
int main(void)
{
    printf("main %d lib %d user %d\n", verbose_level, cvar_get(), cvar_user_get());
    verbose_level = 9;
    printf("main %d lib %d user %d\n", verbose_level, cvar_get(), cvar_user_get());
    return 0;
}
