/* Two strong definitions of batch_dup in one batch: dupa.o and dupb.o. */
int batch_dup(void) { return 1; }
int dupa_only = 1;
