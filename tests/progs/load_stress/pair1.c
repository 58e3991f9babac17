/* A batch of two objects that use each other and base.o, unloaded with a
 * cascade. */
extern int base_fn(int);
extern int pair2_fn(int);
int pair1_fn(int x) { return x ? pair2_fn(x - 1) : base_fn(0); }
