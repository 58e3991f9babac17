/* With -ffunction-sections -fdata-sections each of these is a section of
 * its own; --gc-sections keeps what main reaches. */
int unused_fn(int x) { return x * 7; }
int used_fn(int x) { return x + 1; }
int unused_var = 5;
static const char unused_str[] = "hello unused";
const char *p(void) { return unused_str; }
int main(void) { return used_fn(-1); }
