/* Start-up and shutdown order across objects, linked statically: .init
 * and .fini fragments (order_init.s), constructors and destructors with
 * priorities, atexit, and __start_/__stop_ bounds of a named section.  The
 * same objects linked by ld.bfd print the oracle. */
#include <stdio.h>
#include <stdlib.h>

struct entry { const char *name; int value; };
extern const struct entry __start_keel_table[], __stop_keel_table[];

__attribute__((used, section("keel_table"))) static const struct entry a1 = {"a1", 1};
__attribute__((used, section("keel_table"))) static const struct entry a2 = {"a2", 2};

__attribute__((constructor(200))) static void ctor_a200(void) { puts("ctor a 200"); }
__attribute__((constructor)) static void ctor_a(void) { puts("ctor a"); }
__attribute__((destructor(200))) static void dtor_a200(void) { puts("dtor a 200"); }
__attribute__((destructor)) static void dtor_a(void) { puts("dtor a"); }

static void bye(void) { puts("atexit a"); }

int main(void)
{
    atexit(bye);
    int sum = 0, n = 0;
    for (const struct entry *e = __start_keel_table; e < __stop_keel_table; e++)
        sum += e->value, n++;
    printf("main: %d entries in keel_table, sum %d\n", n, sum);
    return 0;
}
