/* review_misc.t: a program linked with --gc-sections and an ordering
 * file, so that its .keel.addrmap has moved and eliminated sections; the
 * test then corrupts that map. */
#include <stdio.h>

int f1(int x) { return x + 1; }
int f2(int x) { return x * 2; }
int unused1(int x) { return x * 7; }
int f3(int x) { return f1(x) + f2(x); }
int main(void)
{
    printf("%d\n", f3(5));
    return 0;
}
