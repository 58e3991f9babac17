/* The kernel's answer for tests/exec_run.t: execve(FILE, ARGS) itself, with
 * none of execvp's fallbacks (no running a file the kernel refuses as a
 * shell script).  A FILE without a slash is looked up in PATH as the shell
 * does.  On failure it reports as env(1) and the shell do: "execve: FILE:
 * strerror" and exit status 127 for a missing file, 126 for one that cannot
 * be executed.
 *
 * usage: execve FILE [ARGV0 ARGS...] */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern char **environ;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: execve FILE [ARGV0 ARGS...]\n");
        return 2;
    }
    const char *file = argv[1];
    int e = ENOENT;
    if (strchr(file, '/')) {
        execve(file, argv + 2, environ);
        e = errno;
    } else {
        const char *p = getenv("PATH");
        char path[PATH_MAX];
        for (p = p ? p : ""; *p;) {
            size_t n = strcspn(p, ":");
            snprintf(path, sizeof path, "%.*s%s%s", (int)n, p, n ? "/" : "", file);
            execve(path, argv + 2, environ);
            if (errno != ENOENT)
                e = errno; /* as execvp: a refusal outranks a missing file */
            p += n + (p[n] == ':');
        }
    }
    fprintf(stderr, "execve: %s: %s\n", argv[1], strerror(e));
    return e == ENOENT ? 127 : 126;
}
