/* A constructor (an INIT_ARRAY .init_array entry) beside init_ro.s's
 * read-only PROGBITS one: both must run before main. */
#include <stdio.h>

extern int ran_ro;
static int ran_c;

__attribute__((constructor)) static void init_c(void) { ran_c = 1; }

int main(void)
{
    printf("constructor %d, read-only .init_array entry %d\n", ran_c, ran_ro);
    return ran_c && ran_ro ? 0 : 1;
}
