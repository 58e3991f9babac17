/* tests/mapfile_more.t: calls f1 (DV_1) of libdv.so.1 (not with
 * -DNOLIB) and, with -DUSE2, f2 (DV_2), with -DUSE3, f3 (DV_3); prints
 * their sum. */
#include <stdio.h>
int f1(void);
int f2(void);
int f3(void);
int main(void)
{
    int sum = 0;
#ifndef NOLIB
    sum += f1();
#endif
#ifdef USE2
    sum += f2();
#endif
#ifdef USE3
    sum += f3();
#endif
    printf("%d\n", sum);
    return 0;
}
