/* Graph test, object B: compiled without -ffunction-sections, so every
 * function is in .text and every variable in .data.  It defines what A and
 * C use; its own references stay inside it. */
int b_var = 5;
int b_arr[4] = {1, 2, 3, 4};

__attribute__((noinline)) static int b_static(int x) { return x * 3; }

int b_func(int x) { return b_static(x) + b_var; }
int b_other(int x) { return x + 100; }

/* an in-object pointer: R_X86_64_64 against B's own .text, no edge */
int (*b_fp)(int) = b_func;
