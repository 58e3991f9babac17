/* libdup.so: references undef_in_lib too (said once, for libbad.so), and other_undef */
extern int undef_in_lib(void);
extern int other_undef(void);
int foo2(void) { return undef_in_lib() + other_undef(); }
