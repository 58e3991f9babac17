int twice_x(void) { return 22; }
