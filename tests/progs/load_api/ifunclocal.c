/* A local IFUNC: its symbol names the resolver, not the function, so the
 * loader (which runs no resolvers) must refuse it rather than call the
 * resolver as the function. */
static int impl(void) { return 0; }
static int (*pick(void))(void) { return impl; }
static int chosen(void) __attribute__((ifunc("pick")));
int ifunclocal(void) { return chosen(); }
