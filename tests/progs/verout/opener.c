/* dlopen from inside the library: glibc searches the caller's
 * DT_RUNPATH (or DT_RPATH) for the name. */
#include <dlfcn.h>
int open_target(void)
{
    void *h = dlopen("libtarget.so", RTLD_NOW);
    int (*f)(void) = h ? (int (*)(void))dlsym(h, "target") : 0;
    return f ? f() : -1;
}
