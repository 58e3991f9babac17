/* The other object of batches.c's two-object batch. */
int c1_fn(void);
int c2_fn(void) { return c1_fn() + 1; }
