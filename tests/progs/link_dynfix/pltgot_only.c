/* puts only through a pointer and a call, __cxa_finalize as crtbeginS.o
 * reaches it: .plt.got entries and no lazy PLT entry */
#include <stdio.h>
int main(void)
{
    int (*volatile p)(const char *) = puts;
    p("hi");
    return puts("there") < 0;
}
