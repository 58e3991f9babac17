/* Loaded after the cycle, and depending on it (see cyca.c). */
void note(const char *);
int cyca(int);
int cycc(int x) { return cyca(x) * 2; }
__attribute__((destructor)) static void cycc_dtor(void) { note("-cycc "); }
