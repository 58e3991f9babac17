/* A module of batches.c that needs lib_c3.o's c3_fn. */
int c3_fn(void);

int module_run(void) { return c3_fn(); }
