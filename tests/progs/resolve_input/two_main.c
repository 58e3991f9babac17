/* twice_y is in two.a only; it calls twice_x, which one.a and two.a both
 * define.  By the time two.a brings twice_y, one.a has been searched:
 * two.a's own twice_x is taken (ld.bfd's rescans of two.a) */
int twice_y(void);
int twice_x(void);
int main(void) { return twice_y(); }
