int chain_b(void);
int chain_a(void) { return 1 + chain_b(); }
