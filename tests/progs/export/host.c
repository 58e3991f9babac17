/* An interpreter-style host: it opens a C module named on its command
 * line, which calls back into it (host_call) and reads and writes its
 * variable (host_value), as a Lua or Python C module uses its
 * interpreter's API.  Run by keel run, and linked by gcc -rdynamic as the
 * oracle. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int dump_exports(const char *dir); /* dump.c */

int host_value = 40;
const char host_name[] = "host";
__thread int host_tls = 3; /* not lent: keel's export object has no TLS block */

int host_call(int x) { return x * 2 + host_value; }

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    void *m = dlopen(argv[1], RTLD_NOW);
    if (!m) {
        printf("dlopen: %s\n", dlerror());
        return 1;
    }
    int (*run)(int) = (int (*)(int))dlsym(m, "module_run");
    if (!run) {
        printf("dlsym: %s\n", dlerror());
        return 1;
    }
    printf("module_run(1) = %d\n", run(1));
    int r = run(2);
    printf("module_run(2) = %d, host_value = %d, host_tls = %d\n", r, host_value, host_tls);
    /* (the test's look at what keel run lent: silent, the oracle has none) */
    if (getenv("EXPORT_DUMP") && dump_exports(getenv("EXPORT_DUMP")) < 1)
        return 3;
    return 0;
}
