/* foo, for libfoo.so and for the member of libfoo.a */
int foo(void) { return 1; }
