/* A thread-local variable reached through a TLS descriptor (-mtls-dialect=gnu2). */
__thread int dv = 7;
int dv_get(void) { return dv; }
int *dv_addr(void) { return &dv; }
