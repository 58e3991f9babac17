/* references foo strongly and bar weakly, no C library */
extern int foo(void);
extern int bar(void) __attribute__((weak));
int _start(void) { return foo() + (bar ? bar() : 0); }
