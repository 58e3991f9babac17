/* The program of tests/mapfile_files.t, without a C library: it reads the
 * five values the other objects define (val.c under five names: a file
 * given as dir/foo.o, dir/bar.o, a plain m.o, and the members m.o and n.o
 * of lib.a) and exits with their sum, 1 + 2 + 4 + 8 + 16 = 31, wherever
 * a mapfile's FILE_* attributes put their .data. */
extern int foo_val, bar_val, plain_m_val, ar_m_val, ar_n_val;

__attribute__((noreturn)) void _start(void)
{
    long sum = foo_val + bar_val + plain_m_val + ar_m_val + ar_n_val;
    __asm__ volatile("syscall" ::"a"(60L), "D"(sum) : "rcx", "r11", "memory");
    __builtin_unreachable();
}
