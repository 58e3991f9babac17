/* review_misc.t: a kernel-like image linked at the x86-64 kernel's
 * address (-mcmodel=kernel: code and data in the top 2 GiB). */
int counter = 5;
static const char msg[] = "hi";
int kmain(void) { return counter + msg[0]; }
