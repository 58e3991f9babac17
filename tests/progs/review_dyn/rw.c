#include <stdio.h>
extern int lib_b;
extern int lib_f(void);
extern int *const ro_ptr;
int *rw_ptr = &lib_b;
int (*rw_fn)(void) = lib_f;
int main(void)
{
    printf("%d %d %d\n", *ro_ptr, *rw_ptr, rw_fn());
    return 0;
}
