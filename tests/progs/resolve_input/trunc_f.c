int trunc_v = 5;
int trunc_f(void) { return trunc_v; }
