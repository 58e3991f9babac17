/* An executable's general dynamic (-fPIC) or descriptor (-mtls-dialect=gnu2)
 * accesses to a library's thread-local variables: ld.bfd relaxes them to
 * initial exec (an R_X86_64_TPOFF64 slot); its own one to local exec. */
#include <stdio.h>
extern __thread int tv;
extern __thread int tv2[4];
static __thread int own = 7;
__attribute__((noinline)) int *addr(void) { return &tv2[2]; }
int main(void)
{
    tv += 1;
    own += *addr();
    printf("%d %d %d\n", tv, *addr(), own);
    return 0;
}
