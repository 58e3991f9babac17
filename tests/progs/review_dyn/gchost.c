#include <dlfcn.h>
#include <stdio.h>
extern int gc_exported(int);
/* no caller in the executable: kept by -rdynamic for the plugin */
int host_callback(int x) { return x * 21; }
int main(int argc, char **argv)
{
    (void)argc;
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h) {
        printf("dlopen: %s\n", dlerror());
        return 1;
    }
    int (*f)(void) = (int (*)(void))dlsym(h, "plugin_entry");
    printf("lib %d plugin %d\n", gc_exported(1), f ? f() : -1);
    return 0;
}
