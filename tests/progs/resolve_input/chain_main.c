/* main -> a -> b -> c: each a member of one archive, stored c, b, a, so
 * that each pull is found only by walking the index again */
int chain_a(void);
int main(void) { return chain_a(); }
