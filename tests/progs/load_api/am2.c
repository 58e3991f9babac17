/* Archive member 2: pulled in by am1.o. */
int am2_fn(int x) { return x * 2; }
