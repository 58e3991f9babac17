/* A module of batches.c: it needs both batches' symbols. */
extern int a_value;
int a_fn(void);
int b_fn(void);
int both_fn(void);

int module_run(void) { return b_fn() + both_fn() * 100 + a_value * 1000; }
