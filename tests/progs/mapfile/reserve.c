/* A RESERVE_SEGMENT's range, used by the program (tests/mapfile_layout.t):
 * the kernel keeps the range for it (mapped, so that nothing else goes
 * there: MAP_FIXED_NOREPLACE over it fails), the program maps its own
 * memory there with MAP_FIXED, and mmap's own choices stay outside.
 * Prints one line per check; exit 0 if all hold. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#define LO 0x7f0000000000UL
#define HI (LO + 0x40000000UL)

int main(void)
{
    int bad = 0;
    char line[256];
    FILE *f = fopen("/proc/self/maps", "r");
    int kept = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long a, b;
        if (sscanf(line, "%lx-%lx", &a, &b) == 2 && a <= LO && b >= HI)
            kept = 1;
    }
    if (f)
        fclose(f);
    printf("range kept: %d\n", kept);
    bad |= !kept;
    void *p = mmap((void *)(LO + 0x100000), 0x10000, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
    bad |= p != MAP_FAILED;
    p = mmap((void *)(LO + 0x100000), 0x10000, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED: %s\n", p == (void *)(LO + 0x100000) ? "mapped" : "failed");
    bad |= p != (void *)(LO + 0x100000);
    if (p != MAP_FAILED) {
        memset(p, 0x5a, 0x10000);
        bad |= ((unsigned char *)p)[0xffff] != 0x5a;
    }
    for (int i = 0; i < 64; i++) {
        unsigned long q = (unsigned long)mmap(NULL, 0x100000, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (q >= LO && q < HI) {
            printf("mmap chose %#lx, in the range\n", q);
            bad = 1;
        }
    }
    printf("%s\n", bad ? "FAILED" : "ok");
    return bad;
}
