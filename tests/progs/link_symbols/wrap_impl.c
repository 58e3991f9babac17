int foo(int x) { return x * 2; }
int bar(void) { return foo(3); } /* a definition's own file is not wrapped */
int dupv = 2;
