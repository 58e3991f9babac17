/* Fills the .tbss variable and the TLS common, then checks that neither
 * write reached the other (or the thread's control block). */
#include <stdio.h>
#include <string.h>

extern __thread unsigned char tb[32], tcom[64];

int main(void)
{
    memset(tb, 0x11, sizeof tb);
    memset(tcom, 0x22, sizeof tcom);
    for (size_t i = 0; i < sizeof tb; i++)
        if (tb[i] != 0x11)
            return printf("tb[%zu] overwritten: %#x\n", i, tb[i]), 1;
    for (size_t i = 0; i < sizeof tcom; i++)
        if (tcom[i] != 0x22)
            return printf("tcom[%zu] overwritten: %#x\n", i, tcom[i]), 1;
    puts("tb and tcom apart");
    return 0;
}
