/* dlopen and dlsym of the library keel made (argv[1]). */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    void *h = dlopen(argc > 1 ? argv[1] : "./libdyn.so", RTLD_LAZY);
    if (!h) {
        printf("dlopen: %s\n", dlerror());
        return 1;
    }
    int (*add)(int) = (int (*)(int))dlsym(h, "lib_add");
    int *counter = dlsym(h, "lib_counter");
    int (*calls)(void) = (int (*)(void))dlsym(h, "lib_calls_preempt");
    void (*hello)(const char *) = (void (*)(const char *))dlsym(h, "lib_hello");
    if (!add || !counter || !calls || !hello || dlsym(h, "lib_hidden")) {
        printf("dlsym: %s\n", dlerror());
        return 2;
    }
    hello("dlopen");
    *counter = 7;
    printf("add %d, calls %d\n", add(3), calls());
    return dlclose(h);
}
