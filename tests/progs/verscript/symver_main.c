/* Calls foo and bar, which symver.c defines only as foo@@V2 and bar@@V2
 * (and foo@V1): a static link binds them to the default versions. */
#include <stdio.h>

int foo(void);
int bar(void);

int main(void)
{
    printf("foo %d bar %d\n", foo(), bar());
    return 0;
}
