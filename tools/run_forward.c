/* keel run, in the statically linked keel: hand over to keel-run.
 *
 * keel itself is a static PIE because, for a tool started once per file,
 * the dynamic loader's start-up costs more than keel's own work (bench/).
 * But loaded objects are resolved against the host process through dlsym,
 * and only a dynamically linked process has libc's symbols to offer: that
 * process is keel-run, the same commands linked dynamically. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

int cmd_run(int argc, char **argv)
{
    (void)argc;
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "keel run: cannot find keel's own path (/proc/self/exe): %s\n", strerror(errno));
        return 1;
    }
    self[n] = 0;
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = 0;
    /* next to keel (the build tree), or in PREFIX/libexec/keel (installed) */
    static const char *const places[] = {"%s/keel-run", "%s/../libexec/keel/keel-run"};
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++) {
        snprintf(path, sizeof path, places[i], self);
        if (access(path, X_OK) == 0) {
            argv[0] = path;
            execv(path, argv);
            fprintf(stderr, "keel run: cannot run %s: %s\n", path, strerror(errno));
            return 1;
        }
    }
    fprintf(stderr,
            "keel run: keel-run, the dynamically linked host it needs, is neither in %s nor in "
            "%s/../libexec/keel\n",
            self, self);
    return 1;
}
