/* a function of the name: not taken for a common (not data) */
int foo(void) { return 7; }
