/* Reads whichever of the .foobar variables the link has (flags_*.s). */
#include <stdio.h>

extern long fb_aw __attribute__((weak)), fb_a __attribute__((weak)), fb_ax __attribute__((weak));

int main(void)
{
    printf("%lx %lx %lx\n", &fb_aw ? fb_aw : 0, &fb_a ? fb_a : 0, &fb_ax ? fb_ax : 0);
    return 0;
}
