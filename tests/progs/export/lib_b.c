/* The second batch of batches.c: it also defines both_fn, which the
 * first batch lent already. */
int a_fn(void);
int b_fn(void) { return 20 + a_fn(); }
int both_fn(void) { return 2; }
