/* keel run --watch's test program: prints a counter and a version string
 * (both from watch_ver.c) until the counter reaches 400. */
#include <stdio.h>
#include <unistd.h>

extern int tick(void);
extern const char *version(void);

int main(void)
{
    for (int n = 0; n < 400; n = tick()) {
        printf("%d %s\n", n, version());
        fflush(stdout);
        usleep(20000);
    }
    return 0;
}
