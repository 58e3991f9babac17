/* A batch of batches.c loaded after the program closed the export
 * objects' descriptors. */
int c3_fn(void) { return 33; }
