/* mapfile_dyn.t: an executable that exports helper by its mapfile. */
#include <stdio.h>

int helper(int x)
{
    return x + 1;
}

int main(void)
{
    printf("%d\n", helper(1));
    return 0;
}
