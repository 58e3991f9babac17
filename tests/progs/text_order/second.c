/* A second object: its statements' inputs join the first one's. */
__attribute__((noinline, cold)) int cold_two(int x) { return x - 8; }
__attribute__((noinline, hot)) int hot_two(int x) { return x * 5; }
__attribute__((noinline, section(".text.sorted.0000"))) int sorted_0(int x) { return x ^ 4; }
int plain_second(int x) { return cold_two(x) + hot_two(x) + sorted_0(x); }
