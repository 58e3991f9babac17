int first_x(void) { return 31; }
