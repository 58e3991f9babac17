#include <stdio.h>
int call_foo(void);
/* interpose the library's default versions, as LD_PRELOAD or a program may */
int foo(void) { return 42; }
int var = 9;
int main(void)
{
    printf("%d\n", call_foo());
    return 0;
}
