int twice_x(void) { return 11; }
