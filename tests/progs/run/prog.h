/* tests/run.t: a C program in three objects (main.c, util.c, data.c) with
 * references every way between them, run linked normally and by keel run. */
#ifndef RUN_PROG_H
#define RUN_PROG_H
#include <stdio.h>

/* Non-PIC code is placed below 2 GiB and cannot reach libc's data with a
 * 32-bit reference: built with -DNO_HOST_DATA it never names stderr. */
#ifdef NO_HOST_DATA
#define ERR(...) dprintf(2, __VA_ARGS__)
#else
#define ERR(...) fprintf(stderr, __VA_ARGS__)
#endif

/* main.c */
extern int main_calls;
void note(const char *what);

/* util.c */
extern int counter;
extern long util_log[8];
int util_step(int x);
__attribute__((visibility("hidden"))) int hidden_add(int a, int b);
__attribute__((visibility("hidden"))) extern int hidden_var;
const char *greeting(void);
int weak_only(void);
void run_callbacks(int (*cb)(int));
void die_with(int code);

/* data.c */
struct op {
    const char *name;
    int (*fn)(int, int);
};
extern struct op ops[];
extern const int nops;
extern int (*step_ptr)(int);
extern int *counter_ptr;
extern const char words[][8];
extern char bss_buf[4096];
extern int (*puts_ptr)(const char *);
const char *colour(int i);
/* Lua-style: LUAI_FUNC is visibility("internal") */
__attribute__((visibility("internal"))) int internal_mul(int a, int b);
__attribute__((visibility("internal"))) int internal_sub(int a, int b);

/* Tentative definitions in main.c and data.c: common symbols under -fcommon. */
extern int common_total;

#endif
