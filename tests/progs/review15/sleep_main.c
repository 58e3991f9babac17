/* A thread blocked in a system call while a swap stops the world: main
 * sleeps 100 ms at a time with nanosleep and says whenever one ends early
 * with EINTR (the swap's stop signal has a handler, and the kernel never
 * restarts nanosleep, poll or select after a handler, SA_RESTART or not). */
#include <errno.h>
#include <stdio.h>
#include <time.h>

extern int tick(void);
extern const char *version(void);

int main(void)
{
    for (int n = 0; n < 600; n = tick()) {
        struct timespec ts = {0, 100000000};
        if (nanosleep(&ts, NULL) && errno == EINTR)
            printf("EINTR\n");
        printf("%d %s\n", n, version());
        fflush(stdout);
    }
    return 0;
}
