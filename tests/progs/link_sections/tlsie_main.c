/* Runs tlsie.s's checks: each of its initial-exec forms must give the
 * local-exec address. */
#include <stdio.h>

int ie_check(void);

int main(void)
{
    int n = ie_check();
    printf("%d of 5 initial-exec forms right\n", n);
    return n == 5 ? 0 : 1;
}
