/* libl1.so: needs libm (sqrt) and a symbol of the program */
#include <math.h>
double lib1(double x) { return sqrt(x); }
extern int needs_from_main(void);
int lib1b(void) { return needs_from_main(); }
