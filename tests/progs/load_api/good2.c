/* A valid object: the first of a batch whose second object fails. */
int good2_fn(void) { return 2; }
int good2_var = 3;
