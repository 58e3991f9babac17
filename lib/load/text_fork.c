/* A forked child's own copy of patched code.
 *
 * Patched code lives in a memfd mapped shared (text.c): read+execute where
 * it runs, read+write at its alias.  A child that fork() made would share
 * those pages with its parent, and a swap in either would rewrite the
 * other's code: its calls would jump to new code that the other process
 * never loaded (an address that is PROT_NONE there: SIGSEGV), or wait at a
 * gate whose flag only the swapper's process ever opens.  So in the child,
 * right after fork, every mapping of a "keel-text" memfd is replaced, at
 * the same address and with the same protection, by one of a new memfd
 * holding the same bytes: the child's code and aliases are its own, and
 * no page is writable and executable meanwhile (the executable mapping is
 * replaced in one mmap, as text.c does).
 *
 * The mappings are found in /proc/self/maps, so that nothing needs a lock
 * the parent's other threads may have held at the fork: only system calls
 * and memory of our own mmap run in the child's handler. */
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

typedef struct vma {
    uintptr_t lo, hi;
    uint64_t off, inode;
    int prot;
    bool done;
} vma;

static uint64_t hex(const char **s)
{
    uint64_t v = 0;
    for (;; (*s)++) {
        char c = **s;
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0)
            return v;
        v = v * 16 + (uint64_t)d;
    }
}

static uint64_t dec(const char **s)
{
    uint64_t v = 0;
    for (; **s >= '0' && **s <= '9'; (*s)++)
        v = v * 10 + (uint64_t)(**s - '0');
    return v;
}

/* One line of /proc/self/maps: a keel-text memfd's mapping, or not. */
static bool parse(const char *s, const char *end, vma *v)
{
    static const char name[] = "/memfd:keel-text";
    size_t n = sizeof name - 1;
    const char *p = memmem(s, (size_t)(end - s), name, n);
    if (!p)
        return false;
    v->lo = (uintptr_t)hex(&s);
    s++; /* - */
    v->hi = (uintptr_t)hex(&s);
    s++;
    v->prot = (s[0] == 'r' ? PROT_READ : 0) | (s[1] == 'w' ? PROT_WRITE : 0) | (s[2] == 'x' ? PROT_EXEC : 0);
    if (s[3] != 's')
        return false;
    s += 5;
    v->off = hex(&s);
    s++;
    while (s < end && *s != ' ')
        s++; /* the device */
    s++;
    v->inode = dec(&s);
    v->done = false;
    return v->hi > v->lo;
}

/* The keel-text mappings, into memory of our own (no malloc in a forked
 * child); n set to their number.  NULL when there is none or no memory. */
static vma *collect(size_t *n, size_t *cap_bytes)
{
    int fd = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return NULL;
    size_t cap = 0;
    vma *v = NULL;
    *n = 0;
    static char buf[65536];
    size_t have = 0;
    for (;;) {
        ssize_t got = read(fd, buf + have, sizeof buf - have);
        if (got <= 0)
            break;
        have += (size_t)got;
        char *line = buf, *nl;
        while ((nl = memchr(line, '\n', have - (size_t)(line - buf)))) {
            vma one;
            if (parse(line, nl, &one)) {
                if (*n == cap) {
                    size_t ncap = cap ? 2 * cap : 256;
                    void *p = v ? mremap(v, cap * sizeof *v, ncap * sizeof *v, MREMAP_MAYMOVE)
                                : mmap(NULL, ncap * sizeof *v, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1,
                                       0);
                    if (p == MAP_FAILED) {
                        if (v)
                            munmap(v, cap * sizeof *v);
                        close(fd);
                        return NULL;
                    }
                    v = p;
                    cap = ncap;
                }
                v[(*n)++] = one;
            }
            line = nl + 1;
        }
        have -= (size_t)(line - buf);
        memmove(buf, line, have);
    }
    close(fd);
    *cap_bytes = cap * sizeof *v;
    return v;
}

/* Every mapping of one memfd (v[i]'s) moved to a new memfd of the same
 * bytes.  On a failure the mappings stay shared, as they were. */
static void own_copy(vma *v, size_t n, size_t i)
{
    uint64_t size = 0;
    for (size_t k = i; k < n; k++)
        if (v[k].inode == v[i].inode && v[k].off + (v[k].hi - v[k].lo) > size)
            size = v[k].off + (v[k].hi - v[k].lo);
    int fd = memfd_create("keel-text", MFD_CLOEXEC | MFD_EXEC);
    if (fd < 0)
        fd = memfd_create("keel-text", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size)) {
        if (fd >= 0)
            close(fd);
        return;
    }
    char *tmp = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (tmp == MAP_FAILED) {
        close(fd);
        return;
    }
    for (size_t k = i; k < n; k++)
        if (v[k].inode == v[i].inode && (v[k].prot & PROT_READ))
            memcpy(tmp + v[k].off, (const void *)v[k].lo, v[k].hi - v[k].lo);
    for (size_t k = i; k < n; k++)
        if (v[k].inode == v[i].inode) {
            mmap((void *)v[k].lo, v[k].hi - v[k].lo, v[k].prot, MAP_SHARED | MAP_FIXED, fd, (off_t)v[k].off);
            v[k].done = true;
        }
    munmap(tmp, size);
    close(fd);
}

static void in_child(void)
{
    size_t n = 0, bytes = 0;
    vma *v = collect(&n, &bytes);
    if (!v)
        return;
    for (size_t i = 0; i < n; i++)
        if (!v[i].done)
            own_copy(v, n, i);
    munmap(v, bytes);
}

static void install(void) { pthread_atfork(NULL, NULL, in_child); }

void rl_text_fork_guard(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install);
}
