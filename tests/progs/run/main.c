#include "prog.h"
#include <stdlib.h>
#include <string.h>

int common_total; /* common, also in data.c and util.c */
int main_calls;

/* util.c has a static helper of the same name, doing something else. */
static int helper(int x)
{
    return x * 10;
}

void note(const char *what)
{
    main_calls++;
    printf("note %d: %s (helper in main.c: %d)\n", main_calls, what, helper(main_calls));
}

static int square(int x)
{
    return x * x;
}

static int by_value(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void bye_a(void)
{
    printf("atexit a: counter %d, main_calls %d\n", counter, main_calls);
}

static void bye_b(void)
{
    printf("atexit b\n");
    ERR("atexit b on stderr\n");
}

__attribute__((constructor(150))) static void ctor_main_150(void)
{
    printf("ctor main.c 150 (counter %d)\n", counter);
}

__attribute__((constructor)) static void ctor_main(void)
{
    printf("ctor main.c default\n");
}

__attribute__((destructor(150))) static void dtor_main_150(void)
{
    printf("dtor main.c 150\n");
}

__attribute__((destructor)) static void dtor_main(void)
{
    printf("dtor main.c default (main_calls %d)\n", main_calls);
}

int main(int argc, char **argv, char **envp)
{
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] '%s'\n", i, argv[i]);
    int nenv = 0;
    while (envp[nenv])
        nenv++;
    const char *v = getenv("KEEL_T_VAR");
    printf("envp %d entries, KEEL_T_VAR '%s'\n", nenv, v ? v : "(none)");
    atexit(bye_a);
    atexit(bye_b);

    printf("greeting: %s\n", greeting());
    printf("weak_only: %d\n", weak_only());
    printf("hidden_add(2, 3) = %d, hidden_var %d\n", hidden_add(2, 3), hidden_var);
    printf("internal_mul(6, 7) = %d\n", internal_mul(6, 7));
    printf("helper in main.c: %d\n", helper(4));
    for (int i = 0; i < nops; i++)
        printf("ops[%d] %s(9, 4) = %d\n", i, ops[i].name, ops[i].fn(9, 4));
    printf("step_ptr(5) = %d, *counter_ptr = %d, counter = %d\n", step_ptr(5), *counter_ptr, counter);
    for (int i = 0; i < 4; i++)
        printf("colour %d %s, word %s\n", i, colour(i), words[i % 3]);

    common_total += 5;
    printf("common_total %d\n", common_total);
    run_callbacks(square);
    for (int i = 0; i < 8; i++)
        printf("%ld%c", util_log[i], i == 7 ? '\n' : ' ');

    /* libc with callbacks into loaded code, and the heap */
    int values[] = {42, -7, 19, 0, 1000, 3, 3, -250};
    qsort(values, 8, sizeof values[0], by_value);
    char *buf = malloc(256);
    int len = 0;
    for (int i = 0; i < 8; i++)
        len += snprintf(buf + len, 256 - (size_t)len, "%s%d", i ? "," : "", values[i]);
    printf("sorted %s (%zu bytes)\n", buf, strlen(buf));
    char *copy = strdup(buf);
    free(buf);
    puts_ptr(copy);
    free(copy);
    memset(bss_buf, 'z', 8);
    printf("bss_buf '%.10s' %d\n", bss_buf, bss_buf[4095]);

    ERR("stderr from main: %d objects, %s\n", 3, words[1]);
    if (argc > 1 && strcmp(argv[1], "exit") == 0)
        die_with(argc > 2 ? atoi(argv[2]) : 9);
    int status = argc > 1 ? atoi(argv[1]) : 0;
    printf("returning %d\n", status);
    return status;
}
