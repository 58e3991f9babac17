__attribute__((visibility("protected"))) int prot_var = 5;
int prot_get(void) { return prot_var; }
