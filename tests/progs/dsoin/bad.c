/* libbad.so: defines foo, needs undef_in_lib that nothing it needs defines */
extern int undef_in_lib(void);
int foo(void) { return undef_in_lib(); }
