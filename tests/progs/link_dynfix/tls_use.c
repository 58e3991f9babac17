/* A shared library's descriptor access to another library's variable:
 * kept, R_X86_64_TLSDESC by symbol */
extern __thread int tv;
int bump(void) { return ++tv; }
