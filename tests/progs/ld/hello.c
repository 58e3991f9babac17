/* ld_args.t: the program whose link lines the drivers show. */
#include <stdio.h>

int main(void)
{
    puts("hello");
    return 0;
}
