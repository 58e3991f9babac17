/* Undefined weak references no library defines: a function's address
 * tested before the call, and pointers to them in data (ld.bfd: 0 with no
 * relocation in an executable unless the GOT or PLT reaches them). */
#include <stdio.h>
extern void f(void) __attribute__((weak));
extern int weak_sym __attribute__((weak));
void *p = &weak_sym;
void *q = (void *)&f;
int main(void)
{
    if (&f)
        f();
    printf("p=%p q=%p f=%p\n", p, q, (void *)&f);
    return p != 0;
}
