/* The thread test's stable object: looked up while others come and go. */
int stable_fn(int x) { return x + 1; }
int stable_data[32] = {42};
