/* Defines dup_sym (strong); dup2.o defines it again. */
int dup_sym = 1;
int dup1_fn(void) { return dup_sym; }
