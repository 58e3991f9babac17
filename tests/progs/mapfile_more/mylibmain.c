/* tests/mapfile_more.t: uses example C's library. */
#include <stdio.h>
int mylib_open(const char *p);
int mylib_read(void);
int main(void)
{
    int r = mylib_open("keel");
    printf("%d %c\n", r, mylib_read());
    return 0;
}
