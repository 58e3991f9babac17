/* A shared library's IFUNCs (tests/link_dynifunc.t): bump, exported and
 * preemptible (a .dynsym IFUNC, called through the PLT, its address in
 * the GOT and in data); hbump, hidden, and sbump, static (IRELATIVE
 * relocations of their slots and of a pointer in data).  The resolver
 * picks by a CPU feature (AVX, CPUID leaf 1) and calls nothing: it runs
 * while the library is being relocated. */
static int impl_plain(int x) { return x + 1; }
static int impl_avx(int x) { return x + 100; }

static int (*pick(void))(int)
{
    unsigned a = 1, b, c = 0, d;
    __asm__("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c >> 28 & 1) ? impl_avx : impl_plain;
}

int bump(int) __attribute__((ifunc("pick")));
__attribute__((visibility("hidden"))) int hbump(int) __attribute__((ifunc("pick")));
static int sbump(int) __attribute__((ifunc("pick")));

int (*ptr_bump)(int) = bump;
int (*ptr_hbump)(int) = hbump;
static int (*volatile ptr_sbump)(int) = sbump;

int callall(int x) { return bump(x) + hbump(x) * 2 + sbump(x) * 3 + ptr_hbump(0) + ptr_bump(0) + ptr_sbump(0); }
int (*addr_hbump(void))(int) { return hbump; }
int (*addr_bump(void))(int) { return bump; }
