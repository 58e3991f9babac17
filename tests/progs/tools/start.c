/* A program with no libc for tests/tools_files.t: _start calls foo (from
 * foo.c, or from an archive member) and exits with its value. */
int foo(void);

void _start(void)
{
    long status = foo();
    __asm__ volatile("syscall" : : "a"(60), "D"(status));
    for (;;)
        ;
}
