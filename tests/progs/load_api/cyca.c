/* A cycle: cyca.o and cycb.o call each other (loaded as one batch); cycc.o,
 * loaded after, uses cyca.o.  Unloading cyca.o with a cascade takes all
 * three, each destructor once. */
void note(const char *);
int cycb(int);
int cyca(int x) { return x ? cycb(x - 1) + 1 : 0; }
__attribute__((destructor)) static void cyca_dtor(void) { note("-cyca "); }
