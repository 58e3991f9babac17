/* A program without a C library for the mapfile tests (tests/mapfile_layout.t):
 * two hot functions in .text.hot.a and .text.hot.b, a cold one in .text,
 * read-only data, data, zero-filled data, and a table from data.c.  It
 * prints its message and the values of two symbols a mapfile may define
 * as segment sizes (SIZE_SYMBOL; weak, so 0 without), then exits with
 * hot_a(5) + hot_b(0) + cold(1) + data_sum() = 15 + 1 + 0 + 10 = 26. */
extern char hot_size[] __attribute__((weak));
extern char data_size[] __attribute__((weak));
int data_sum(void);
static const char msg[] = "hello from a mapfile\n";
int counter = 5;
int zeroes[64];

__attribute__((section(".text.hot.a"), noinline)) int hot_a(int x) { return x * 3; }
__attribute__((section(".text.hot.b"), noinline)) int hot_b(int x) { return x + 1; }
__attribute__((noinline)) int cold(int x) { return x - 1; }

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static void put_hex(const char *name, unsigned long v)
{
    char buf[40];
    int n = 0;
    while (*name)
        buf[n++] = *name++;
    buf[n++] = '=', buf[n++] = '0', buf[n++] = 'x';
    int start = n;
    do
        buf[n++] = "0123456789abcdef"[v & 15], v >>= 4;
    while (v);
    for (int i = start, k = n - 1; i < k; i++, k--) {
        char t = buf[i];
        buf[i] = buf[k], buf[k] = t;
    }
    buf[n++] = '\n';
    sys3(1, 1, (long)buf, n);
}

void _start(void)
{
    zeroes[3] = counter;
    sys3(1, 1, (long)msg, sizeof msg - 1);
    put_hex("hot_size", (unsigned long)hot_size);
    put_hex("data_size", (unsigned long)data_size);
    sys3(60, hot_a(zeroes[3]) + hot_b(zeroes[4]) + cold(1) + data_sum(), 0, 0);
    for (;;)
        ;
}
