/* Graph test, object A (-ffunction-sections -fdata-sections): calls and
 * data references into B, a reference to libc (the host: no edge), and
 * references inside itself (no edge). */
#include <string.h>

extern int b_var;
extern int b_arr[];
int b_func(int);
int b_other(int);

__attribute__((noinline)) int a_helper(int x) { return x ^ 0x55; }

int a_main(int x) { return b_func(x) + a_helper(x) + b_var; }

int a_len(const char *s) { return (int)strlen(s) + b_other(1); }

int *a_ptr = &b_arr[2];
const char *a_name = "object a";
