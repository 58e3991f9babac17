/* A PIE of no library (gcc -pie -nostdlib): raw system calls, a pointer
 * in writable data that the dynamic linker relocates (RELATIVE). */
static const char msg[] = "raw pie\n";
const char *volatile where = msg;

static long sys3(long n, long a, long b, long c)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
    return r;
}

void _start(void)
{
    sys3(1, 1, (long)where, sizeof msg - 1);
    sys3(60, 3, 0, 0);
    for (;;)
        ;
}
