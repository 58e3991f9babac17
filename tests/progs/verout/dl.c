#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    void *h = dlopen(argv[1], RTLD_NOW);
    if (!h)
        return printf("dlopen: %s\n", dlerror()), 1;
    int (*d)(void) = (int (*)(void))dlsym(h, "foo");
    int (*v1)(void) = (int (*)(void))dlvsym(h, "foo", "V1");
    int (*v2)(void) = (int (*)(void))dlvsym(h, "foo", "V2");
    printf("foo %d, foo@V1 %d, foo@V2 %d\n", d ? d() : -1, v1 ? v1() : -1, v2 ? v2() : -1);
    return 0;
}
