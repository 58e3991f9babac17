/* references foo only weakly */
extern int foo(void) __attribute__((weak));
int _start(void) { return foo ? foo() : 0; }
