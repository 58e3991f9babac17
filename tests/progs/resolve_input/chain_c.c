int chain_c(void) { return 4; }
