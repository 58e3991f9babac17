/* Words in writable data that hold imported functions' addresses, built
 * -fno-pic for a -no-pie link: pf's function also has an absolute
 * reference in code (its address taken by a mov: a canonical PLT entry,
 * the function's address in the whole program); pg's has the word only
 * (a relocation by the symbol, as ld.bfd leaves it). */
#include <stdio.h>

int f(void);
int g(void);
void *lib_f(void);
void *lib_g(void);

int (*pf)(void) = f;
int (*pg)(void) = g;

int main(void)
{
    int (*volatile taken)(void) = f; /* the absolute reference in code */
    printf("%d %d %d equal %d %d %d\n", taken(), pf(), pg(), (void *)pf == lib_f(), (void *)taken == lib_f(),
           (void *)pg == lib_g());
    return 0;
}
