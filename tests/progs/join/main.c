/* Copy relocations (stdout, environ, the library's array), canonical
 * PLT pointer equality and a preempted definition.  environ is a weak
 * alias of the C library's __environ: setenv's change is seen through the
 * executable's copy only when both names are the copy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    int seen = 0;
    setenv("KEEL_JOIN", "yes", 1);
    for (char **e = environ; *e; e++)
        seen |= strcmp(*e, "KEEL_JOIN=yes") == 0;
    fprintf(stdout, "sum %d size %zu equal %d hook %d call %d env %d\n", lib_sum(), sizeof lib_table,
            mine == lib_func_address(), lib_call_hook(), mine(5), seen);
    return 0;
}
