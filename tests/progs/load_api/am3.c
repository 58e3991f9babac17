/* Archive member 3: nothing needs it, so it is not loaded. */
int am3_fn(int x) { return x; }
int am_unused_var = 3;
