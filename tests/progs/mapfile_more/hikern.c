/* tests/mapfile_more.t: a kernel-like image for the top of the address
 * space (-mcmodel=kernel: code and data in the top 2 GiB), linked at
 * 0xffffffff80000000 with no ELF headers in it, then made a flat image
 * (keel exec --image).  The indexed accesses are R_X86_64_32S, the pointer
 * in .data an R_X86_64_64, the calls and loads R_X86_64_PC32.  Not run. */
const char banner[] = "kernel image";
int ticks = 42;
long pages[128];
long table[4] = {1, 2, 3, 4};
const char *where = banner;

long kmain(long i)
{
    pages[i & 127] = ticks;
    return banner[i & 7] + pages[i & 127] + table[i & 3] + where[1];
}

void _start(void)
{
    for (;;)
        kmain(ticks);
}
