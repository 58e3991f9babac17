/* GNU ld: a common symbol beats a weak definition (commondef.c). */
__attribute__((weak)) int wc_var = 5;
int wc_weak_value(void) { return wc_var; }
