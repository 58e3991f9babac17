/* libb.so */ int fn_b(void) { return 1; }
