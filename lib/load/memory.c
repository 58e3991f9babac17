/* The namespace arena: one reservation of address space, so that every
 * object of a namespace reaches every other with 32-bit PC-relative
 * references.  Position-independent objects are placed near the host's
 * libc, so that their PC-relative references to its data reach too; objects
 * with absolute 32-bit relocations need the arena below 2 GiB. */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#define ARENA_SIZE ((uintptr_t)1 << 30)

static void *try_reserve(uintptr_t at)
{
    void *p = mmap((void *)at, ARENA_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE,
                   -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if ((uintptr_t)p != at) { /* kernels before 4.17 treat the flag as a hint */
        munmap(p, ARENA_SIZE);
        return NULL;
    }
    return p;
}

int rl_arena_init(keel_ns *ns, bool low, keel_error *err)
{
    void *p = NULL;
    if (low) {
        for (uintptr_t at = 0x10000000; !p && at + ARENA_SIZE <= 0x80000000u; at += 0x8000000)
            p = try_reserve(at);
    } else {
        /* near libc (found through malloc): below its mapping, walking down */
        void *libc = dlsym(RTLD_DEFAULT, "malloc");
        uintptr_t anchor = libc ? (uintptr_t)libc & ~(uintptr_t)0xfffff : 0;
        for (uintptr_t step = 1; anchor && !p && step <= 16; step++)
            if (anchor > step * ARENA_SIZE / 2 + ARENA_SIZE)
                p = try_reserve(anchor - step * (ARENA_SIZE / 2) - ARENA_SIZE);
        if (!p) {
            p = mmap(NULL, ARENA_SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (p == MAP_FAILED)
                p = NULL;
        }
    }
    if (!p)
        return keel_error_set(err, KEEL_E_NOMEM, 0, "cannot reserve the loader's address space%s",
                              low ? " below 2 GiB" : "");
    ns->arena = (uintptr_t)p;
    ns->arena_size = ARENA_SIZE;
    ns->arena_used = 0;
    ns->arena_low = low;
    return 0;
}

int rl_arena_alloc(keel_ns *ns, size_t size, size_t align, uintptr_t *out, keel_error *err)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (align < page)
        align = page;
    size = (size + page - 1) & ~(page - 1);
    uintptr_t at = (ns->arena + ns->arena_used + align - 1) & ~(uintptr_t)(align - 1);
    if (at - ns->arena > ns->arena_size || size > ns->arena_size - (at - ns->arena))
        return keel_error_set(err, KEEL_E_NOMEM, 0, "the namespace's 1 GiB of address space is used up");
    if (size && mprotect((void *)at, size, PROT_READ | PROT_WRITE))
        return keel_error_set(err, KEEL_E_NOMEM, 0, "cannot commit %U bytes of memory", (uint64_t)size);
#ifdef MADV_HUGEPAGE
    /* A large region in 2 MiB pages: one fault (and one TLB entry) instead
     * of 512.  Advice only: where transparent huge pages are off, the
     * region is in small pages as before.  Only its whole huge pages: a
     * shorter tail stays in small pages (load.c, HUGE_TAIL_MIN). */
    if (size >= LD_HUGE_PAGE && align >= LD_HUGE_PAGE)
        madvise((void *)at, size & ~(LD_HUGE_PAGE - 1), MADV_HUGEPAGE);
#endif
    *out = at;
    ns->arena_used = at - ns->arena + size;
    return 0;
}
