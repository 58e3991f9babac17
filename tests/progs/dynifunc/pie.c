/* A PIE of no library (gcc -pie -nostdlib) with IFUNCs of its own: a
 * global one (an executable's is not preemptible) and a static one,
 * called, their addresses taken in code and in data; the resolver picks
 * by a CPU feature (AVX) and the exit status says what the calls gave. */
static int impl_plain(int x) { return x + 1; }
static int impl_avx(int x) { return x + 2; }

static int (*pick(void))(int)
{
    unsigned a = 1, b, c = 0, d;
    __asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c >> 28 & 1) ? impl_avx : impl_plain;
}

int gbump(int) __attribute__((ifunc("pick")));
static int sbump(int) __attribute__((ifunc("pick")));
int (*volatile ptr_g)(int) = gbump;
static int (*volatile ptr_s)(int) = sbump;

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

__attribute__((noinline)) static int (*addr_g(void))(int) { return gbump; }

void _start(void)
{
    static const char msg[] = "ifunc pie\n";
    int (*volatile g)(int) = addr_g();
    int v = gbump(10) + sbump(20) + ptr_g(30) + ptr_s(40) + g(50); /* 150 + 5 * (1 or 2) */
    sys3(1, 1, (long)msg, sizeof msg - 1);
    sys3(60, v, 0, 0);
    for (;;)
        ;
}
