/* The second object of order_a.c's test. */
#include <stdio.h>

struct entry { const char *name; int value; };
__attribute__((used, section("keel_table"))) static const struct entry b1 = {"b1", 10};

__attribute__((constructor(101))) static void ctor_b101(void) { puts("ctor b 101"); }
__attribute__((constructor)) static void ctor_b(void) { puts("ctor b"); }
__attribute__((destructor(101))) static void dtor_b101(void) { puts("dtor b 101"); }
__attribute__((destructor)) static void dtor_b(void) { puts("dtor b"); }
