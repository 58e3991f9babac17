/* review_s3.t: a program using the library of scope.c (its data too). */
#include <stdio.h>

int scope_kept(int x);
extern int scope_data;

int main(void)
{
    printf("%d %d\n", scope_kept(1), scope_data);
    return 0;
}
