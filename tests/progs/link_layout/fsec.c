/* -ffunction-sections -fdata-sections: each function and variable in a
 * section of its own; with --gc-sections the unused ones go. */
#include <stdio.h>

int table[64] = {1, 2, 3};
int unused_table[32] = {4};
int counter;

__attribute__((noinline)) int used_a(int x) { return x * 3 + table[x & 63]; }
__attribute__((noinline)) int used_b(int x) { return used_a(x) + counter++; }
__attribute__((noinline)) int unused_c(int x) { return x + unused_table[x & 31]; }
__attribute__((noinline)) int unused_d(int x) { return unused_c(x) * 2; }

int main(int argc, char **argv)
{
    (void)argv;
    printf("%d\n", used_b(argc));
    return 0;
}
