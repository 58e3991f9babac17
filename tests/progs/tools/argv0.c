/* What a program knows of its own name, for tests/run_argv0.t: argv (as
 * main gets it), glibc's program_invocation_name and _short_name (set
 * from argv[0] at start-up; error() and warn() print them), the thread's
 * name (/proc/self/comm, from the file the kernel ran), then a warnx()
 * line on stderr and exit status 3. */
#define _GNU_SOURCE /* program_invocation_name */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <sys/prctl.h>

int main(int argc, char **argv)
{
    char comm[17] = {0};
    prctl(PR_GET_NAME, comm, 0, 0, 0);
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] %s\n", i, argv[i]);
    printf("program_invocation_name %s\n", program_invocation_name);
    printf("program_invocation_short_name %s\n", program_invocation_short_name);
    printf("comm %s\n", comm);
    fflush(stdout);
    warnx("a warning");
    return 3;
}
