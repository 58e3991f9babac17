/* Library data reached directly from -fPIE or -fno-pic code: a copy
 * each, or with -z nocopyreloc a dynamic relocation in the code (ld.bfd:
 * DT_TEXTREL in a PIE, its PDE error in -no-pie) */
#include <stdio.h>
extern char **environ;
int main(void) { fprintf(stdout, "env %d\n", environ != 0); return 0; }
