/* libnf.so: needs libfoo.so (DT_NEEDED), calls its foo */
extern int foo(void);
int nf(void){ return foo(); }
