/* Compiled with -fno-pic: the address of a static variable is an absolute
 * 32-bit immediate (R_X86_64_32), so the object must live below 2 GiB. */
static int counter = 17;
int *nopic_addr(void) { return &counter; }
int nopic_get(void) { return counter; }
