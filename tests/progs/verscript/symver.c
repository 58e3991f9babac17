/* Assembler-versioned names: foo@V1 (an old version), foo@@V2 (the
 * default), bar@@V2, as a library keeping an old ABI writes them. */
int foo_1(void) { return 1; }
int foo_2(void) { return 2; }
int bar_2(void) { return 3; }
int plain(void) { return 4; }
__asm__(".symver foo_1, foo@V1");
__asm__(".symver foo_2, foo@@V2");
__asm__(".symver bar_2, bar@@V2");
