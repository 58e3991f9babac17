/* Built -O0, as a hot-reload user's debug build is: the string that
 * version() returns stays in main's frame (v), a pointer into ver.o's
 * read-only data, while main sleeps.  A swap of ver.o must not be
 * refused for it: ver.o's old read-only data stays mapped. */
#include <stdio.h>
#include <unistd.h>

extern int tick(void);
extern const char *version(void);

int main(void)
{
    for (int n = 0; n < 400; n = tick()) {
        const char *v = version();
        printf("%d %s\n", n, v);
        fflush(stdout);
        usleep(20000);
    }
    return 0;
}
