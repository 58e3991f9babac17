/* a weak definition of foo, and a common named bar */
__attribute__((weak)) int foo(void) { return 2; }
int bar_common __attribute__((common));
