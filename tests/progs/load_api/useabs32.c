/* Compiled with -fno-pic: big_abs as a 32-bit immediate (R_X86_64_32),
 * which overflows. */
extern char big_abs[];
void *get_big(void) { return big_abs; }
