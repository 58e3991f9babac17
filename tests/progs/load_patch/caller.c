/* f calls g (a relocation against g in .text.f, re-pointed to h by the
 * test); addr_of_g reads g's address from a GOT slot; the two tv
 * functions use one thread-local variable general-dynamic, so that the
 * object needs one tls_index for it, however many references. */
int g(void);
int f(void) { return g() + 10; }
void *addr_of_g(void) { return (void *)g; }
__thread int tv = 5;
int *tv_addr(void) { return &tv; }
int tv_get(void) { return tv; }
