/* A kernel-like image for tests/mapfile_layout.t: code, read-only data,
 * data and zero-filled data, linked at a fixed address with no ELF
 * headers in it, then made a flat image (keel exec --image).  Not run. */
const char banner[] = "kernel image";
int ticks = 42;
long pages[128];

int kmain(void)
{
    pages[3] = ticks;
    return banner[0] + (int)pages[3];
}

void _start(void)
{
    for (;;)
        kmain();
}
