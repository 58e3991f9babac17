/* -fPIC, but far_abs is declared hidden, so it is reached PC-relative
 * (R_X86_64_PC32): out of range. */
extern char far_abs[] __attribute__((visibility("hidden")));
void *get_far(void) { return far_abs; }
