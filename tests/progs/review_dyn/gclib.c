/* --gc-sections -shared: every exported function is a root, though
 * nothing in the library calls it */
int gc_exported(int x) { return x + 100; }
static int internal_only(void) { return 1; }
int gc_calls_internal(void) { return internal_only(); }
