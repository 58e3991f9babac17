/* mapfile_dyn.t: a program without a C library, whose headers need not
 * be mapped (HDR_NOALLOC is kept for it). */
void _start(void)
{
    __asm__ volatile("mov $60, %eax\n\tmov $7, %edi\n\tsyscall");
    for (;;)
        ;
}
