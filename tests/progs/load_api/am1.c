/* Archive member 1: pulled in by amain.o; pulls in am2.o. */
int am2_fn(int);
int am1_fn(int x) { return am2_fn(x) + 1; }
