int thin_g(void);
int thin_f(void) { return 40 + thin_g(); }
