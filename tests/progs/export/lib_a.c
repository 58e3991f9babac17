/* The first batch of batches.c. */
int a_value = 5;
int a_fn(void) { return 10 + a_value; }
__attribute__((weak)) int both_fn(void) { return 1; }
