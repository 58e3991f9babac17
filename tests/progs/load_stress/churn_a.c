/* Loaded and unloaded over and over into the root namespace: its edges to
 * base.o come and go. */
extern int base_fn(int);
extern int base_data[];
int churn_a_fn(int x) { return base_fn(x) + base_data[0]; }
int churn_a_data[64] = {1};
