/* A batch of batches.c that fails: 'missing' is nowhere. */
int missing(void);
int c_fn(void) { return missing(); }
