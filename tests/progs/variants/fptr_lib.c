/* The library whose functions the executable (fptr_main.c) points at from
 * its writable data; lib_f and lib_g hand back the library's own view of
 * their addresses, for the pointer-equality check. */
int f(void) { return 1; }
int g(void) { return 2; }
void *lib_f(void) { return (void *)f; }
void *lib_g(void) { return (void *)g; }
