extern int prot_var;
int main(void) { return prot_var; }
