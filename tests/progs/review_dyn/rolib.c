int lib_a = 1;
int lib_b = 2;
int lib_f(void) { return 40; }
