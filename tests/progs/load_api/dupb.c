/* The second definition of batch_dup (see dupa.c). */
int batch_dup(void) { return 2; }
int dupb_only = 2;
