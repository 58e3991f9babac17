/* Another object of the library refers to the plain names: bound to
 * foo@@V1 and var@@V1, and preemptible as they are. */
int foo(void);
extern int var;
int call_foo(void) { return foo() * 100 + var; }
