/* The stress test's stable object: it stays loaded in the root namespace
 * while other threads load and unload objects that use it, and others
 * look up its symbols, addresses and dependents. */
int base_fn(int x) { return x + 1; }
int base_data[16] = {7};
