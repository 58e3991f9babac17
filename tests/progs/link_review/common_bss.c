/* Commons (-fcommon) next to .bss and .data: ld.bfd puts the commons in
 * .bss (its script's *(COMMON)), no output section of their own. */
int c1;
long c2[10];
static int s;
int d = 1;
int main(void) { return c1 + (int)c2[3] + s + d - 1; }
