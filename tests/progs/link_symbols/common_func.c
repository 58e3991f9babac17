/* a function of the name: no definition of data, not taken */
int foo(void) { return 5; }
