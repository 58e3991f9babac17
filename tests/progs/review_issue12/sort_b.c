/* The other file of sort_a.c's link: more merged strings and constants. */
const char mm_table_b[29] = "mm table of file b, 29 long";

const char *b_strings(int i) { return i ? "string" : "second merged string"; }

double b_scale(double x) { return x * 1.25 + 0.5; }
