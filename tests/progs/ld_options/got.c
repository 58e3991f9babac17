/* GOT loads for --emit-relocs (compiled -fPIC -fno-plt): a mov of a
 * variable's address and a call through the GOT, which the link rewrites. */
extern int x;
extern int g(void);
int x = 3;
int g(void) { return 4; }
int f(void) { return x + g(); }
int (*fp)(void) = g;
