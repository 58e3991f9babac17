/* a library of no strong reference to libc: --as-needed drops libc,
 * so crtbeginS.o's only call, of the weak __cxa_finalize, is the
 * .plt.got entry of a link with no .plt */

int a_counter = 5;
int a_val(int x) { return x * 2 + a_counter; }
