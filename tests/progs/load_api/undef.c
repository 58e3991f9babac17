/* References a name nothing defines (compiled without -ffunction-sections:
 * the reference is in .text). */
int keel_test_nosuch(int);
int undef_user(int x) { return keel_test_nosuch(x) + 1; }
