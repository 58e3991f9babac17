/* Graph test, object C (-ffunction-sections -fdata-sections): uses A and
 * B, code and data, with a table of pointers into A (two edges from one
 * section, to two sections of A). */
extern int b_var;
int a_main(int);
int a_helper(int);

int c_entry(int x) { return a_main(x) + b_var; }

int (*c_table[2])(int) = {a_main, a_helper};

__attribute__((noinline)) static int c_local(int x) { return x + 1; }
int (*c_lp)(int) = c_local;
