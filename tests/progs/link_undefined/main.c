/* The program: its own undefined reference, and the calls that bring in
 * refs.c's functions and the archive member's. */
extern int many(void), again(void), turns(void), after_more(void), member(void);
extern int missing(void);

int main(void) { return many() + again() + turns() + after_more() + member() + missing(); }

void _start(void) { main(); }
