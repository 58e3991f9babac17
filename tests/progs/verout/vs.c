/* A library with a version script (vs.map): bar in V1, baz in V2 (whose
 * parent is V1), helper made local by V2's catch-all. */
int helper(int x) { return x + 1; }
int bar(void) { return helper(10); }
int baz(void) { return helper(20); }
