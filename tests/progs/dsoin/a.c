/* liba.so */ int fn_a(void) { return 1; }
