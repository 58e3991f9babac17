/* The same references in a shared library (ld.bfd keeps each by symbol) */
extern void f(void) __attribute__((weak));
extern int weak_sym __attribute__((weak));
void *p = &weak_sym;
void *q = (void *)&f;
int g(void)
{
    if (&f)
        f();
    return p != 0;
}
