/* The library before foo changed: foo@@V1 only. */
int foo_one(void) { return 1; }
__asm__(".symver foo_one,foo@@V1");
