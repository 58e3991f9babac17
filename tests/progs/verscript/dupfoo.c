/* A second definition of foo, which symver.c's foo@@V2 also defines. */
int foo(void) { return 9; }
