/* fork() after a swap: once version() says "two" (ver.o swapped once, so
 * that its code and main.o's are in memfds), the program forks a child
 * that goes on calling version() until the file named by argv[1] exists;
 * the parent goes on until it sees "three" (a second swap, in the parent
 * only), then waits for the child and prints its status.  The child was
 * not swapped: it must go on with "two", and not crash. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern int tick(void);
extern const char *version(void);

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    pid_t child = -1;
    for (int n = 0; n < 3000; n = tick()) {
        const char *v = version();
        if (child < 0 && strcmp(v, "two") == 0) {
            fflush(stdout);
            child = fork();
            if (child == 0) {
                for (int i = 0; access(argv[1], F_OK) != 0; i++) {
                    printf("child %d %s\n", i, version());
                    fflush(stdout);
                    usleep(20000);
                }
                _exit(0);
            }
        }
        printf("%d %s\n", n, v);
        fflush(stdout);
        if (strcmp(v, "three") == 0)
            break;
        usleep(20000);
    }
    int st = -1;
    if (child > 0)
        waitpid(child, &st, 0);
    printf("child status %d\n", st);
    fflush(stdout);
    return 0;
}
