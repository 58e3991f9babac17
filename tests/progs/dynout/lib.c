/* A shared library keel links (gcc -shared -nostdlib): exported data and
 * functions, a hidden one that is not exported, pointers relocated at
 * load time (RELATIVE for its own data, R_X86_64_64 by symbol for a
 * preemptible one), calls through the PLT to a function it does not
 * define (printf, from the C library the program loads) and to one of
 * its own that the program preempts. */
#include <stdio.h>

int lib_counter = 5;
static int state = 2;
__attribute__((visibility("hidden"))) int lib_hidden = 9;
static const char *const names[] = {"one", "two"};
const char *const *lib_names = names;
int *lib_ptr = &lib_counter;

int lib_preempt(void) { return 1; }
int lib_calls_preempt(void) { return lib_preempt() * 10 + lib_hidden; }

int lib_add(int a)
{
    state += a;
    return state + lib_counter + *lib_ptr;
}

void lib_hello(const char *who) { printf("hello %s from the library: %s %s\n", who, lib_names[0], lib_names[1]); }
