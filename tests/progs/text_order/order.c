/* Functions in every .text input statement of GNU ld's default script:
 * their order in the output is the script's, not the input's. */
#include <stdio.h>

__attribute__((noinline, section(".text.plain_first"))) int plain_first(int x) { return x + 1; }
__attribute__((noinline, hot)) int hot_one(int x) { return x * 3; }
__attribute__((noinline, cold)) int cold_one(int x) { return x - 7; }
__attribute__((noinline, section(".text.sorted.0002"))) int sorted_b(int x) { return x ^ 2; }
__attribute__((noinline, section(".text.sorted.0001"))) int sorted_a(int x) { return x ^ 1; }
__attribute__((noinline, section(".text.exit"))) int exit_one(int x) { return x / 2; }
__attribute__((noinline, section(".text.startup.extra"))) int startup_extra(int x) { return x + 40; }
__attribute__((noinline, section(".text.foo_unlikely"))) int suffix_unlikely(int x) { return x - 1; }
__attribute__((noinline, section(".text.hotter"))) int not_hot(int x) { return x + 9; }

int main(int argc, char **argv)
{
    (void)argv;
    int v = plain_first(argc) + hot_one(argc) + sorted_b(argc) + sorted_a(argc) + exit_one(argc) +
            startup_extra(argc) + suffix_unlikely(argc) + not_hot(argc);
    if (argc > 10)
        v += cold_one(argc);
    printf("%d\n", v);
    return 0;
}
