/* The two functions a call of caller.c is re-pointed between. */
int g(void) { return 1; }
int h(void) { return 2; }
