/* dlopen_python [ARGS...]: python through the finished shared library, the
 * peer of `keel run pymain.o libpython3.11-pic.a -- ARGS`.  dlopen
 * libpython3.11.so.1.0 (RTLD_NOW | RTLD_GLOBAL: every relocation done up
 * front, as keel does), dlsym Py_BytesMain and call it with our argv. */
#include <dlfcn.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    void *h = dlopen("libpython3.11.so.1.0", RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
        fprintf(stderr, "dlopen_python: %s\n", dlerror());
        return 127;
    }
    int (*py_main)(int, char **) = (int (*)(int, char **))dlsym(h, "Py_BytesMain");
    if (!py_main) {
        fprintf(stderr, "dlopen_python: %s\n", dlerror());
        return 127;
    }
    return py_main(argc, argv);
}
