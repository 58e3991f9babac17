/* Many pointers, some near each other (bitmaps), some far (new
 * addresses), one at an odd place (left to .rela.dyn). */
#include <stdio.h>
static int x[300];
int *p0 = &x[0];
struct __attribute__((packed)) odd { char c; int *q; } un = {1, &x[1]};
int *tab[400] = {[0] = &x[2], [1] = &x[3], [5] = &x[4], [62] = &x[5], [63] = &x[6], [64] = &x[7], [130] = &x[8], [399] = &x[9]};
int *get(int i) { return tab[i]; }
#ifndef LIB
int main(void)
{
    int ok = p0 == &x[0] && un.q == &x[1] && tab[0] == &x[2] && tab[63] == &x[6] && tab[399] == &x[9];
    printf("relr %s\n", ok ? "ok" : "WRONG");
    return !ok;
}
#endif
