/* A C module of host.c: it needs the host's function and variables. */
#include <stdio.h>

extern int host_value;
extern const char host_name[];
int host_call(int x);

int module_run(int x)
{
    printf("module: called from %s, host_value %d\n", host_name, host_value);
    host_value++;
    return host_call(x) + 1000;
}
