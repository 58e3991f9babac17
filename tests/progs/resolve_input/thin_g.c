int thin_g(void) { return 2; }
