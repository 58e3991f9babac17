/* Loaded with libam.a: needs am1_fn. */
int am1_fn(int);
int amain_fn(int x) { return am1_fn(x); }
