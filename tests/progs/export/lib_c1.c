/* One object of batches.c's two-object batch (lib_c2.c, the other, is
 * unloaded alone: nothing here uses it). */
int c1_fn(void) { return 31; }
