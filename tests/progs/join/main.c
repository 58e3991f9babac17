/* Copy relocations (stdout, environ, the library's array), canonical
 * PLT pointer equality and a preempted definition. */
#include <stdio.h>
#include <unistd.h>

extern char **environ;

extern int lib_table[40];
int lib_func(int);
int (*lib_func_address(void))(int);
int lib_call_hook(void);
int lib_sum(void);

int lib_hook(void) { return 2; } /* preempts the library's */

int main(void)
{
    lib_table[39] = 1000; /* the library sees the executable's copy */
    int (*mine)(int) = lib_func;
    fprintf(stdout, "sum %d size %zu equal %d hook %d call %d env %d\n", lib_sum(), sizeof lib_table,
            mine == lib_func_address(), lib_call_hook(), mine(5), environ != NULL && environ[0] != NULL);
    return 0;
}
