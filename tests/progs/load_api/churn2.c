/* The thread test's second churning object, loaded and unloaded by a
 * second thread at the same time as churn.o: two loads and unloads race
 * on the namespace's shared memory (its pool of objects' tables). */
int stable_fn(int);
int churn2_fn(int x) { return stable_fn(x) + 2; }
int churn2_data[64];
