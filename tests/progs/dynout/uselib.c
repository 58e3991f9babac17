/* A program linked by ld.bfd against the library keel made: it reads and
 * writes the library's data, calls its functions, and defines
 * lib_preempt, which the library's own call must reach (preemption). */
#include <stdio.h>

extern int lib_counter;
int lib_add(int);
int lib_calls_preempt(void);
void lib_hello(const char *);

int lib_preempt(void) { return 2; }

int main(void)
{
    lib_hello("main");
    lib_counter = 100;
    printf("add %d %d\n", lib_add(1), lib_add(2));
    printf("preempted %d\n", lib_calls_preempt());
    return 0;
}
