/* libhv.so: foo only as the hidden version foo@V1 */
int foo_old(void) { return 1; }
__asm__(".symver foo_old,foo@V1");
