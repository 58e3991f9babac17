/* Functions in sections of their own (-ffunction-sections), some kept
 * only by reference, one never called (--gc-sections drops it), and a
 * static one (a local symbol the ordering file names). */
#include <stdio.h>
#include <stdlib.h>

int helper_a(int);
int helper_b(int);
int unused_helper(int);

static int __attribute__((noinline)) local_twice(int x) { return 2 * x + 1; }

int __attribute__((noinline)) first(int x) { return local_twice(x) + helper_a(x); }
int __attribute__((noinline)) second(int x) { return first(x) * 3 + helper_b(x); }

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 5;
    if (n < 0)
        abort(); /* a stop for the debugger's test */
    printf("%d\n", second(n));
    return 0;
}
