/* The other object: two functions the program calls, one it does not. */
int __attribute__((noinline)) helper_a(int x) { return x + 7; }
int __attribute__((noinline)) helper_b(int x) { return x * x; }
int __attribute__((noinline)) unused_helper(int x) { return x - 1; }
