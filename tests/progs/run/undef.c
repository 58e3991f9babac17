/* tests/run.t: refers to a function nobody defines; loading it must fail
 * before any constructor runs. */
#include <stdio.h>

extern int nosuch(int);

__attribute__((constructor)) static void ctor_undef(void)
{
    printf("ctor undef.c: must not run\n");
}

int call_nosuch(int x)
{
    return nosuch(x) + 1;
}
