/* uses liba.so's and libc.so's functions, not libb.so's */
extern int fn_a(void), fn_c(void);
int main(void) { return fn_a() + fn_c(); }
