#include "prog.h"
#include <stdlib.h>

int counter = 3;
int common_total; /* common */
long util_log[8];
__attribute__((visibility("hidden"))) int hidden_var = 31;

/* main.c has a static helper of the same name. */
static int helper(int x)
{
    return x + 1;
}

int util_step(int x)
{
    counter += helper(x);
    return counter;
}

__attribute__((visibility("hidden"))) int hidden_add(int a, int b)
{
    return a + b + helper(0) - 1;
}

/* data.c's strong definition wins. */
__attribute__((weak)) const char *greeting(void)
{
    return "the weak greeting (wrong)";
}

/* No strong definition anywhere: this one is used. */
__attribute__((weak)) int weak_only(void)
{
    return 77;
}

void run_callbacks(int (*cb)(int))
{
    note("from util.c");
    for (int i = 0; i < 8; i++)
        util_log[i] = cb(i) + internal_sub(i, 1) * ops[i % nops].fn(i, 2);
    common_total += 100;
    note(words[0]);
}

void die_with(int code)
{
    printf("util.c: exit(%d)\n", code);
    ERR("util.c: exit(%d) on stderr\n", code);
    exit(code);
}

__attribute__((constructor(101))) static void ctor_util_101(void)
{
    counter *= 2;
    printf("ctor util.c 101 (counter %d)\n", counter);
}

__attribute__((constructor)) static void ctor_util(void)
{
    printf("ctor util.c default\n");
}

__attribute__((destructor(101))) static void dtor_util_101(void)
{
    printf("dtor util.c 101 (counter %d)\n", counter);
}

__attribute__((destructor)) static void dtor_util(void)
{
    printf("dtor util.c default\n");
}
