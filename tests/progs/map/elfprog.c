/* A program for tests/map_pdb.t's ELF part: functions of several sizes,
 * local and global, for keel map to name as eu-addr2line -f does. */
#include <stdio.h>

static int twice(int x) { return x * 2; }
__attribute__((noinline)) int sum(int n)
{
    int s = 0;
    for (int i = 0; i < n; i++)
        s += twice(i);
    return s;
}
__attribute__((noinline)) static int show(int v) { return printf("%d\n", v); }
int main(int argc, char **argv)
{
    (void)argv;
    return show(sum(argc + 3)) < 0;
}
