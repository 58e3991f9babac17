/* -r -d test: commons of several sizes and alignments (built with -fcommon) */
int c_int;
double c_double;
char c_chars[3];
long c_longs[4];
char c_one;
int *use(void) { c_one = c_chars[1]; return &c_int + (long)c_double + c_longs[2]; }
