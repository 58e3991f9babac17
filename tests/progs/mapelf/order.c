/* Six functions, each in its own section under -ffunction-sections, for
 * a mapfile's IS_ORDER to reorder (tests/map_elf.t). */
#include <stdio.h>
#include <stdlib.h>

__attribute__((noinline)) int f1(int x) { return x + 1; }
__attribute__((noinline)) int f2(int x) { return x * 2 + f1(x); }
__attribute__((noinline)) int f3(int x) { return x * 3 - f2(x); }
__attribute__((noinline)) int f4(int x) { return x ^ f3(x); }
__attribute__((noinline)) int f5(int x) { return x * 5 + f4(x); }
__attribute__((noinline)) int f6(int x) { return x - f5(x); }

int main(int argc, char **argv)
{
    int x = argc > 1 ? atoi(argv[1]) : 7;
    printf("%d %d %d %d %d %d\n", f1(x), f2(x), f3(x), f4(x), f5(x), f6(x));
    return 0;
}
