/* Object B: reaches A through a table initialized by relocations (read-only
 * and writable), a direct call, and A's a_extra. */
extern int a_inc(void), a_version(void), a_extra(void);
int (*const b_table[])(void) = {a_inc, a_version};
int (*b_wtable[])(void) = {a_inc, a_version};
int b_call(void) { return a_inc(); }
int b_extra(void) { return a_extra(); }
