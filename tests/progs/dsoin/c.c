/* libc.so */ int fn_c(void) { return 1; }
