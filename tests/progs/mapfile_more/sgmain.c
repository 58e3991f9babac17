/* tests/mapfile_more.t: interposes who() and other() on libsg.so's. */
#include <stdio.h>
int call_who(void);
int call_other(void);
int who(void) { return 2; }
int other(void) { return 20; }
int main(void)
{
    printf("%d %d\n", call_who(), call_other());
    return 0;
}
