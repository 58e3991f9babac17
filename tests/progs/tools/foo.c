/* The definition start.c needs: linked directly or from an archive. */
int foo(void) { return 0; }
