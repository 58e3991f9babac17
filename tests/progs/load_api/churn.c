/* The thread test's object loaded and unloaded over and over: it depends
 * on stable.o, so edges to it come and go too. */
int stable_fn(int);
int churn_fn(int x) { return stable_fn(x) * 2; }
int churn_data[64];
