/* tests/swap_watch_deps.t's program: prints a counter and a version
 * string (from wver.c) until the counter reaches 400; wmain_suffix is
 * there for the second version of wver.c to call (a new edge). */
#include <stdio.h>
#include <unistd.h>

extern int tick(void);
extern const char *version(void);

const char *wmain_suffix(void) { return "!"; }

int main(void)
{
    for (int n = 0; n < 400; n = tick()) {
        printf("%d %s\n", n, version());
        fflush(stdout);
        usleep(20000);
    }
    return 0;
}
