#include "prog.h"

int common_total; /* common */

/* Overrides util.c's weak definition. */
const char *greeting(void)
{
    return "the strong greeting from data.c";
}

__attribute__((visibility("internal"))) int internal_mul(int a, int b)
{
    return a * b;
}

__attribute__((visibility("internal"))) int internal_sub(int a, int b)
{
    return a - b;
}

/* Function pointers into this object and util.c: relocations in .data */
struct op ops[] = {
    {"add", hidden_add},
    {"mul", internal_mul},
    {"sub", internal_sub},
};
const int nops = sizeof ops / sizeof ops[0];
int (*step_ptr)(int) = util_step;
int *counter_ptr = &counter;
int (*puts_ptr)(const char *) = puts; /* into libc */

/* A string table in .rodata, and pointers to strings */
const char words[][8] = {"alpha", "beta", "gamma"};
static const char *const colours[] = {"red", "green", "blue", "cyan"};
char bss_buf[4096];

const char *colour(int i)
{
    return colours[i & 3];
}

__attribute__((constructor(102))) static void ctor_data_102(void)
{
    printf("ctor data.c 102 (%s)\n", colours[2]);
}

__attribute__((constructor)) static void ctor_data(void)
{
    printf("ctor data.c default\n");
}

__attribute__((destructor(102))) static void dtor_data_102(void)
{
    printf("dtor data.c 102\n");
}
