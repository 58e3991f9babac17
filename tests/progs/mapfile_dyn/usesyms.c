/* mapfile_dyn.t: defines its own lib_val, which the library's lib_call
 * reaches only if lib_val is preemptible in the library. */
#include <stdio.h>

int lib_call(void);
int sym_kept(int);

int lib_val(void)
{
    return 2;
}

int main(void)
{
    printf("%d %d\n", lib_call(), sym_kept(1));
    return 0;
}
