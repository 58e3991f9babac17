int chain_c(void);
int chain_b(void) { return 2 + chain_c(); }
