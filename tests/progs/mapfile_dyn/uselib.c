/* mapfile_dyn.t: a program of lib.c's library. */
#include <stdio.h>

int lib_next(void);

int main(void)
{
    printf("%d\n", lib_next());
    return 0;
}
