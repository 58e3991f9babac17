/* The other half of the cycle (see cyca.c). */
void note(const char *);
int cyca(int);
int cycb(int x) { return x ? cyca(x - 1) + 10 : 0; }
__attribute__((destructor)) static void cycb_dtor(void) { note("-cycb "); }
