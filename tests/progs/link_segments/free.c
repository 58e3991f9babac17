/* A program without a C library, so that keel's layout and ld.bfd's can be
 * compared address for address: .text, .rodata, .eh_frame, .data.rel.ro,
 * .data and .bss (no GOT: ld.bfd relaxes its GOT loads away, or adds a
 * .got.plt that keel has no use for, and either moves what follows).  It
 * prints what it finds and exits 0. */
static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

static const char greeting[] = "segments:";
int counter = 3;                                /* .data */
char buf[256];                                  /* .bss */
/* start-up-only data, the kind RELRO protects */
const char *const names[] __attribute__((section(".data.rel.ro"))) = {" text", " rodata", " data"};

static unsigned long put(unsigned long at, const char *s)
{
    while (*s && at < sizeof buf - 2)
        buf[at++] = *s++;
    return at;
}

__attribute__((force_align_arg_pointer, noreturn)) void _start(void)
{
    unsigned long at = put(0, greeting);
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
        at = put(at, names[i]);
    buf[at++] = ' ';
    buf[at++] = (char)('0' + counter);
    buf[at++] = '\n';
    sys3(1, 1, (long)buf, (long)at);
    sys3(60, 0, 0, 0);
    __builtin_unreachable();
}
