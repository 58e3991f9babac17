/* Every kind of dynamic tag at once: _init, _fini, the arrays, a PLT
 * call, pointers (RELATIVE, packed) and a TLS initial-exec access. */
static int x;
int *px = &x;
void (*ia[])(void) __attribute__((section(".init_array"))) = {0};
void (*fa[])(void) __attribute__((section(".fini_array"))) = {0};
void _init(void) {}
void _fini(void) {}
int called(void);
int caller(void) { return called() + 1; }
int called(void) { return 2; }
