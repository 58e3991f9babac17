/* uses libb.so's function only */
extern int fn_b(void);
int main(void) { return fn_b(); }
