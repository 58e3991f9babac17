/* Prints what the other objects define and what their constructors did:
 * the same inputs run by `keel run` and linked by `keel link` and ld.bfd
 * must print the same (tests/resolve_shared.t). */
#include <stdio.h>

extern int u;
int main(void)
{
    printf("u=%d\n", u);
    return 0;
}
