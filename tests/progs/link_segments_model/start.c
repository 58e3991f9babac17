/* A program without a C library for the segment model's tests: code, a
 * function in .text.hot, read-only data, unwind tables, data and
 * zero-filled data.  It writes its message and exits with 3 * 5 = 15,
 * plus the size of a segment that has hot_segment_size as its size
 * symbol (0 without: the reference is weak). */
extern char hot_segment_size[] __attribute__((weak));
static const char msg[] = "hello from the segment model\n";
int counter = 5;
int zeroes[64];

__attribute__((section(".text.hot"), noinline)) int hot(int x)
{
    return x * 3;
}

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

void _start(void)
{
    zeroes[3] = counter;
    sys3(1, 1, (long)msg, sizeof msg - 1);
    sys3(60, hot(zeroes[3]) + zeroes[4] + (long)hot_segment_size, 0, 0);
    for (;;)
        ;
}
