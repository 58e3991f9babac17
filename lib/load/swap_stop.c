/* Stopping the world for a live swap's commit (swap.c).
 *
 * Every other thread of the process (listed from /proc/self/task) is sent
 * a signal; its handler records where the thread is (PC, stack pointer,
 * general registers, and whether it is inside keel's TLS allocation),
 * says so, and waits on a futex until the swapper releases it.  In the
 * cooperative mode no signal is sent: each thread arrives by calling
 * keel_swap_safepoint.  A thread that does not arrive in time, or a
 * thread that appeared meanwhile, makes the stop fail (the caller
 * retries).  The swapper then checks every thread's place (rl_world_check),
 * commits, serializes the cores and releases; with a TLS move, each
 * thread first moves its own thread-local variables (its blocks are its
 * own thread-local array), with memory the swapper allocated before the
 * stop.  Nothing here allocates, locks or prints while the world is
 * stopped: a stopped thread may hold any lock. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "swap.h"

#define TLS_IE __attribute__((tls_model("initial-exec"), visibility("hidden")))
extern TLS_IE __thread uint64_t rl_tls_nblocks;
extern TLS_IE __thread void **rl_tls_blocks;
extern TLS_IE __thread int rl_tls_busy;

/* The stop in progress: gen counts stops; released == gen when none is. */
static rl_world *current;
static int gen, released, tls_gen;
static int arrivals, leaves;
static int inside; /* handlers running: the thread list is not changed meanwhile */
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static int handler_errno;

static int swap_signal(void) { return SIGRTMIN + 6; }

static long futex(int *addr, int op, int val, const struct timespec *ts)
{
    return syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

static void wake_all(int *addr) { futex(addr, FUTEX_WAKE_PRIVATE, 1 << 30, NULL); }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uintptr_t rl_xlate_word(const rl_xlate *x, uintptr_t v, bool *changed)
{
    bool in = false;
    for (size_t i = 0; i < x->nold && !in; i++)
        in = v >= x->old[i].lo && v < x->old[i].hi;
    if (!in)
        return v;
    for (int pass = 0; pass < 2; pass++) {
        const rl_xlate_ent *e = pass ? x->sec : x->sym;
        size_t n = pass ? x->nsec : x->nsym, lo = 0, hi = n;
        while (lo < hi) { /* the last entry starting at or below v */
            size_t mid = lo + (hi - lo) / 2;
            if (e[mid].old <= v)
                lo = mid + 1;
            else
                hi = mid;
        }
        /* one past the end counts (a pointer to an array's end) */
        if (lo && v - e[lo - 1].old <= e[lo - 1].size && e[lo - 1].new_addr) {
            if (changed)
                *changed = true;
            return e[lo - 1].new_addr + (v - e[lo - 1].old);
        }
    }
    return v;
}

/* This thread's thread-local variables of the old modules, into blocks of
 * the new ones (made from their templates with the swapper's memory). */
static void tls_move(rl_world *w, void ***old_array)
{
    for (size_t k = 0; k < w->njobs; k++) {
        const rl_tls_job *j = &w->jobs[k];
        if (j->old_module >= rl_tls_nblocks || !rl_tls_blocks[j->old_module])
            continue; /* it never used that module */
        char *old = rl_tls_blocks[j->old_module];
        if (j->new_module >= rl_tls_nblocks) {
            size_t i = __atomic_fetch_add(&w->next_array, 1, __ATOMIC_RELAXED);
            if (i >= w->narrays)
                continue; /* cannot happen: one per thread was made */
            void **a = w->arrays[i];
            memcpy(a, rl_tls_blocks, rl_tls_nblocks * sizeof *a);
            *old_array = rl_tls_blocks;
            rl_tls_blocks = a;
            rl_tls_nblocks = w->array_len;
        }
        char *nb = rl_tls_blocks[j->new_module];
        if (!nb) {
            size_t i = __atomic_fetch_add(&w->next_block, 1, __ATOMIC_RELAXED);
            if (i >= w->nblocks)
                continue;
            nb = w->blocks[i];
            memcpy(nb, j->image, j->size);
            rl_tls_blocks[j->new_module] = nb;
        }
        for (size_t v = 0; v < j->nvars; v++)
            memcpy(nb + j->vars[v].new_off, old + j->vars[v].old_off, j->vars[v].size);
        for (size_t v = 0; v < j->nwords; v++) {
            uintptr_t word;
            memcpy(&word, nb + j->words[v], sizeof word);
            word = rl_xlate_word(w->xlate, word, NULL);
            memcpy(nb + j->words[v], &word, sizeof word);
        }
    }
}

/* A thread arrives at a stop (from the signal or a safe point), waits for
 * the release, and moves its TLS if asked. */
static void arrive_in(uintptr_t pc, uintptr_t sp, const uintptr_t *regs, int nregs);

/* Whether released has reached stop g.  Not equality: a thread that read
 * g, then was held up while that stop was given up and the next one
 * started and released too, would otherwise wait for a release that has
 * gone by, forever, holding the next stop's preparation (which waits for
 * no thread to be inside).  Counters wrap: the difference decides. */
static bool reached(int released_gen, int g) { return (int)((unsigned)released_gen - (unsigned)g) >= 0; }

static void arrive(uintptr_t pc, uintptr_t sp, const uintptr_t *regs, int nregs)
{
    /* sequentially consistent with rl_world_free's store and load: a
     * handler counted in sees the world, or the swapper sees it in */
    __atomic_add_fetch(&inside, 1, __ATOMIC_SEQ_CST);
    arrive_in(pc, sp, regs, nregs);
    __atomic_sub_fetch(&inside, 1, __ATOMIC_RELEASE);
}

static void arrive_in(uintptr_t pc, uintptr_t sp, const uintptr_t *regs, int nregs)
{
    rl_world *w = __atomic_load_n(&current, __ATOMIC_SEQ_CST);
    int g = __atomic_load_n(&gen, __ATOMIC_ACQUIRE);
    if (!w || reached(__atomic_load_n(&released, __ATOMIC_ACQUIRE), g))
        return;
    pid_t tid = (pid_t)syscall(SYS_gettid);
    rl_thread *t = NULL;
    for (size_t i = 0; i < w->nthreads && !t; i++)
        if (w->threads[i].tid == tid)
            t = &w->threads[i];
    if (!t || __atomic_load_n(&t->arrived, __ATOMIC_ACQUIRE) == g)
        return;
    t->pc = pc;
    t->sp = sp;
    t->nregs = nregs;
    for (int i = 0; i < nregs && i < 16; i++)
        t->regs[i] = regs[i];
    t->busy = __atomic_load_n(&rl_tls_busy, __ATOMIC_RELAXED);
    __atomic_store_n(&t->arrived, g, __ATOMIC_RELEASE);
    __atomic_add_fetch(&arrivals, 1, __ATOMIC_ACQ_REL);
    wake_all(&arrivals);
    for (;;) {
        int r = __atomic_load_n(&released, __ATOMIC_ACQUIRE);
        if (reached(r, g))
            break;
        futex(&released, FUTEX_WAIT_PRIVATE, r, NULL);
    }
    if (__atomic_load_n(&tls_gen, __ATOMIC_ACQUIRE) == g && !t->busy)
        tls_move(w, &t->old_blocks_array);
    __atomic_store_n(&t->left, g, __ATOMIC_RELEASE);
    __atomic_add_fetch(&leaves, 1, __ATOMIC_ACQ_REL);
    wake_all(&leaves);
}

/* A thread inside keel_swap_safepoint's arrival does not arrive again
 * from the signal: the signal's arrival, at a later stop, would finish
 * first, and the interrupted one, once back, would record having left its
 * earlier stop over the later stop's record, and the swapper would wait
 * for that thread forever.  The signal is noted instead, and the safe
 * point arrives again on its way out.  (Blocking the signal there would
 * not do: a thread that blocks it is taken for one that never takes it,
 * and left running.) */
static __attribute__((tls_model("initial-exec"))) __thread volatile sig_atomic_t in_safepoint, in_safepoint_missed;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    if (si->si_code != SI_TKILL || si->si_pid != getpid())
        return; /* not keel's */
    if (in_safepoint) {
        in_safepoint_missed = 1;
        return;
    }
    int saved = errno;
    uintptr_t pc, sp, regs[16];
    int n = ka_host_context(uc, &pc, &sp, regs, 16);
    arrive(pc, sp, regs, n);
    errno = saved;
}

void keel_swap_safepoint(void)
{
    if (!__atomic_load_n(&current, __ATOMIC_ACQUIRE))
        return;
    /* its caller's frame is the place: PC its return address */
    uintptr_t pc = (uintptr_t)__builtin_return_address(0), sp = (uintptr_t)__builtin_frame_address(0);
    do {
        in_safepoint_missed = 0;
        in_safepoint = 1;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        arrive(pc, sp, NULL, 0);
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
        in_safepoint = 0;
        __atomic_signal_fence(__ATOMIC_SEQ_CST);
    } while (in_safepoint_missed);
}

static void install_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigfillset(&sa.sa_mask);
    handler_errno = sigaction(swap_signal(), &sa, NULL) ? errno : 0;
}

/* /proc/self/task's threads but the caller, with no allocation: getdents64
 * into a buffer on the stack.  -1 if more than cap. */
static long list_tasks(pid_t self, rl_thread *v, size_t cap, size_t *n)
{
    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    char buf[4096];
    long got;
    *n = 0;
    long rc = 0;
    while ((got = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < got;) {
            struct linux_dirent64 {
                uint64_t ino;
                int64_t off;
                unsigned short reclen;
                unsigned char type;
                char name[];
            } *d = (void *)(buf + off);
            off += d->reclen;
            if (d->name[0] < '0' || d->name[0] > '9')
                continue;
            pid_t tid = (pid_t)atoi(d->name);
            if (tid == self)
                continue;
            if (*n < cap)
                v[*n] = (rl_thread){.tid = tid};
            else
                rc = -1;
            (*n)++;
        }
    }
    close(fd);
    return got < 0 ? -1 : rc;
}

/* /proc/self/maps, read again only when needed (for each stop, it cost
 * more than the rest of a swap, and it grows with every swap: retired
 * objects stay mapped, their addresses never reused).  A stop uses only
 * the mapping holding each stopped thread's stack pointer, and threads'
 * stacks stay where they are; so the mappings are read again when a
 * thread is listed that was not there at the last reading, or when
 * rl_world_check finds a stack pointer in no mapping read, or in a
 * mapping that may have grown since (the heap, a file's). */
static pthread_mutex_t maps_mu = PTHREAD_MUTEX_INITIALIZER;
static rl_map *maps_cache;
static size_t maps_n, maps_cap;
static pid_t *maps_tids; /* sorted: the threads when it was read */
static size_t maps_ntids, maps_tids_cap;
static int maps_stale = 1; /* atomic */

static int cmp_pid(const void *a, const void *b)
{
    pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
    return x < y ? -1 : x > y;
}

static bool known_tid(pid_t tid) { return bsearch(&tid, maps_tids, maps_ntids, sizeof *maps_tids, cmp_pid) != NULL; }

/* the cache read again, under maps_mu; /proc/self/maps is sorted */
static int maps_read(const rl_world *w, keel_error *err)
{
    FILE *f = fopen("/proc/self/maps", "re");
    if (!f)
        return keel_error_set(err, KEEL_E_IO, 0, "live swap: cannot read /proc/self/maps: %s", strerror(errno));
    char line[512];
    maps_n = 0;
    while (fgets(line, sizeof line, f)) {
        char *e;
        unsigned long lo = strtoul(line, &e, 16), hi = *e == '-' ? strtoul(e + 1, NULL, 16) : 0;
        if (*e != '-' || hi <= lo)
            continue;
        /* the path, after five fields (range, perms, offset, device,
         * inode): none for anonymous memory */
        const char *path = line;
        for (int k = 0; k < 5; k++) {
            path += strcspn(path, " \n");
            path += strspn(path, " ");
        }
        bool kept = *path == '\n' || *path == 0 || strncmp(path, "[stack]", 7) == 0;
        if (maps_n == maps_cap) {
            size_t cap = maps_cap ? 2 * maps_cap : 256;
            rl_map *v = realloc(maps_cache, cap * sizeof *v);
            if (!v) {
                fclose(f);
                maps_n = 0;
                return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
            }
            maps_cache = v;
            maps_cap = cap;
        }
        maps_cache[maps_n++] = (rl_map){lo, hi, kept};
        /* a line longer than the buffer: its rest skipped */
        while (!strchr(line, '\n') && fgets(line, sizeof line, f))
            ;
    }
    fclose(f);
    if (w->nthreads + 1 > maps_tids_cap) {
        pid_t *v = realloc(maps_tids, (w->nthreads + 1) * sizeof *v);
        if (!v) {
            maps_n = 0;
            return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
        }
        maps_tids = v;
        maps_tids_cap = w->nthreads + 1;
    }
    maps_ntids = 0;
    maps_tids[maps_ntids++] = w->self;
    for (size_t i = 0; i < w->nthreads; i++)
        maps_tids[maps_ntids++] = w->threads[i].tid;
    qsort(maps_tids, maps_ntids, sizeof *maps_tids, cmp_pid);
    return 0;
}

static int maps_for(rl_world *w, keel_error *err)
{
    pthread_mutex_lock(&maps_mu);
    bool read = __atomic_exchange_n(&maps_stale, 0, __ATOMIC_ACQ_REL) || !maps_n;
    for (size_t i = 0; i < w->nthreads && !read; i++)
        read = !known_tid(w->threads[i].tid);
    int rc = read ? maps_read(w, err) : 0;
    if (!rc && w->maps_cap < maps_n) {
        rl_map *v = realloc(w->maps, maps_n * sizeof *v);
        if (v) {
            w->maps = v;
            w->maps_cap = maps_n;
        } else {
            rc = keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
        }
    }
    if (!rc) {
        memcpy(w->maps, maps_cache, maps_n * sizeof *w->maps);
        w->nmaps = maps_n;
        w->maps_fresh = read;
    } else {
        __atomic_store_n(&maps_stale, 1, __ATOMIC_RELEASE);
    }
    pthread_mutex_unlock(&maps_mu);
    return rc;
}

int rl_world_prepare(rl_world *w, bool cooperative, keel_error *err)
{
    pthread_once(&handler_once, install_handler);
    if (handler_errno)
        return keel_error_set(err, KEEL_E_IO, 0, "live swap: cannot install its signal handler: %s",
                              strerror(handler_errno));
    w->cooperative = cooperative;
    w->self = (pid_t)syscall(SYS_gettid);
    /* a handler of the stop before (a late signal) may still read the list */
    while (__atomic_load_n(&inside, __ATOMIC_SEQ_CST))
        sched_yield();
    for (;;) {
        size_t n = 0;
        long rc = list_tasks(w->self, w->threads, w->cap, &n);
        if (rc == 0 && n <= w->cap) {
            w->nthreads = n;
            break;
        }
        if (rc < 0 && n <= w->cap)
            return keel_error_set(err, KEEL_E_IO, 0, "live swap: cannot list /proc/self/task: %s", strerror(errno));
        size_t cap = n + 16;
        rl_thread *v = realloc(w->threads, cap * sizeof *v);
        if (!v)
            return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
        w->threads = v;
        w->cap = cap;
    }
    /* A thread that blocks the signal cannot take it: a sanitizer's
     * runtime thread, a thread that waits for signals with sigwait.  It is
     * left running, on the understanding that it does not run the code
     * being replaced (docs/loader.md). */
    for (size_t i = 0; i < w->nthreads; i++) {
        char path[64], line[128];
        snprintf(path, sizeof path, "/proc/self/task/%d/status", (int)w->threads[i].tid);
        FILE *st = fopen(path, "re");
        while (st && fgets(line, sizeof line, st))
            if (strncmp(line, "SigBlk:", 7) == 0) {
                unsigned long long mask = strtoull(line + 7, NULL, 16);
                w->threads[i].blocked = (mask >> (swap_signal() - 1)) & 1;
                break;
            }
        if (st)
            fclose(st);
    }
    /* the mappings, to bound each stack's scan: from the cache, or read */
    return maps_for(w, err);
}

int rl_world_prepare_tls(rl_world *w, keel_error *err)
{
    if (!w->njobs)
        return 0;
    uint64_t size = 0, align = sizeof(void *), top = 0;
    for (size_t k = 0; k < w->njobs; k++) {
        if (w->jobs[k].size > size)
            size = w->jobs[k].size;
        if (w->jobs[k].align > align)
            align = w->jobs[k].align;
        if (w->jobs[k].new_module > top)
            top = w->jobs[k].new_module;
    }
    uint64_t len = 8;
    while (len <= top)
        len *= 2;
    size_t per = w->nthreads + 1; /* and the swapper */
    w->blocks = calloc(per * w->njobs, sizeof *w->blocks);
    w->arrays = calloc(per, sizeof *w->arrays);
    if (!w->blocks || !w->arrays)
        return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
    for (size_t i = 0; i < per * w->njobs; i++) {
        if (!(w->blocks[i] = aligned_alloc(align, (size + align - 1) & ~(align - 1))))
            return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
        w->nblocks++;
    }
    for (size_t i = 0; i < per; i++) {
        if (!(w->arrays[i] = calloc(len, sizeof(void *))))
            return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
        w->narrays++;
    }
    w->array_len = len;
    return 0;
}

static void release_gen(rl_world *w, int g, bool tls)
{
    (void)w;
    if (tls)
        __atomic_store_n(&tls_gen, g, __ATOMIC_RELEASE);
    __atomic_store_n(&released, g, __ATOMIC_RELEASE);
    wake_all(&released);
}

int rl_world_stop(rl_world *w, char *why, size_t size)
{
    int g = __atomic_load_n(&gen, __ATOMIC_RELAXED) + 1;
    __atomic_store_n(&arrivals, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&leaves, 0, __ATOMIC_RELAXED);
    for (size_t i = 0; i < w->nthreads; i++) { /* before the stop is published */
        w->threads[i].sp = 0;
        w->threads[i].old_blocks_array = NULL;
    }
    __atomic_store_n(&current, w, __ATOMIC_RELEASE);
    __atomic_store_n(&gen, g, __ATOMIC_RELEASE);
    pid_t pid = getpid();
    for (size_t i = 0; i < w->nthreads; i++) {
        rl_thread *t = &w->threads[i];
        if (t->blocked || (!w->cooperative && syscall(SYS_tgkill, pid, t->tid, swap_signal()) && errno == ESRCH)) {
            /* gone or blocking: nothing to wait for, now nor at the release */
            t->excused = g;
            __atomic_store_n(&t->arrived, g, __ATOMIC_RELEASE);
        }
    }
    uint64_t deadline = now_ns() + 200000000u; /* 200 ms */
    for (;;) {
        size_t in = 0;
        int seen = __atomic_load_n(&arrivals, __ATOMIC_ACQUIRE);
        for (size_t i = 0; i < w->nthreads; i++)
            in += __atomic_load_n(&w->threads[i].arrived, __ATOMIC_ACQUIRE) == g;
        if (in == w->nthreads)
            break;
        if (now_ns() > deadline) {
            for (size_t i = 0; i < w->nthreads; i++)
                if (__atomic_load_n(&w->threads[i].arrived, __ATOMIC_ACQUIRE) != g) {
                    snprintf(why, size, "thread %d did not stop%s", (int)w->threads[i].tid,
                             w->cooperative ? " (it did not call keel_swap_safepoint)"
                                            : " (its signal is blocked, or it is stopped)");
                    break;
                }
            release_gen(w, g, false);
            return -1;
        }
        struct timespec ts = {0, 1000000}; /* 1 ms */
        futex(&arrivals, FUTEX_WAIT_PRIVATE, seen, &ts);
    }
    /* a thread created meanwhile was not stopped */
    rl_thread extra[64];
    size_t n = 0;
    if (list_tasks(w->self, extra, 64, &n) || n != w->nthreads) {
        snprintf(why, size, "a thread started or ended during the stop");
        release_gen(w, g, false);
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        bool known = false;
        for (size_t k = 0; k < w->nthreads && !known; k++)
            known = w->threads[k].tid == extra[i].tid;
        if (!known) {
            snprintf(why, size, "thread %d started during the stop", (int)extra[i].tid);
            release_gen(w, g, false);
            return -1;
        }
    }
    return 0;
}

static bool in_ranges(const rl_range *r, size_t n, uintptr_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r[mid].lo <= v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo && v < r[lo - 1].hi;
}

static bool is_entry(const uintptr_t *v, size_t n, uintptr_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && v[lo] == x;
}

int rl_world_check(const rl_world *w, const rl_range *r, size_t n, const uintptr_t *entries, size_t nentries, char *why,
                   size_t size)
{
    static uintptr_t stack[8192]; /* 64 KiB at a time; only the swapper (under the tree's lock) uses it */
    for (size_t i = 0; i < w->nthreads; i++) {
        const rl_thread *t = &w->threads[i];
        if (!t->tid || !t->sp)
            continue;
        if (t->busy) {
            snprintf(why, size, "thread %d is inside keel's thread-local storage allocation", (int)t->tid);
            return -1;
        }
        if (in_ranges(r, n, t->pc)) {
            snprintf(why, size, "thread %d runs at %#lx, in code being replaced", (int)t->tid, (unsigned long)t->pc);
            return -1;
        }
        /* Registers are not checked: a caller-saved register keeps the
         * last call's addresses long after they are dead, and a thread
         * waiting at a gate would hold them there for good. */
        /* its stack, from its pointer to the end of its mapping (as the
         * mappings were before the stop; 4 KiB when it is not found), read
         * with process_vm_readv, which fails rather than faults */
        uintptr_t end = t->sp + 4096;
        size_t lo = 0, hi = w->nmaps;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (w->maps[mid].lo <= t->sp)
                lo = mid + 1;
            else
                hi = mid;
        }
        bool found = lo && t->sp < w->maps[lo - 1].hi;
        if (!w->maps_fresh && (!found || !w->maps[lo - 1].kept)) {
            /* the cache may not know this stack as it is now: read again */
            __atomic_store_n(&maps_stale, 1, __ATOMIC_RELEASE);
            snprintf(why, size, "thread %d's stack (at %#lx) is not in the mappings known: they are read again",
                     (int)t->tid, (unsigned long)t->sp);
            return -1;
        }
        if (found)
            end = w->maps[lo - 1].hi;
        for (uintptr_t at = t->sp & ~(uintptr_t)7; at < end;) {
            size_t want = end - at < sizeof stack ? end - at : sizeof stack;
            struct iovec local = {stack, want}, remote = {(void *)at, want};
            ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
            if (got <= 0)
                break;
            /* a function pointer that a thread keeps on its stack (spilled
             * while it waits at a gate, say) would otherwise fail every
             * stop for as long as it waits: the swap could never finish */
            for (size_t k = 0; k < (size_t)got / 8; k++)
                if (in_ranges(r, n, stack[k]) && !is_entry(entries, nentries, stack[k])) {
                    snprintf(why, size, "thread %d has %#lx, in what is being replaced, on its stack at %#lx",
                             (int)t->tid, (unsigned long)stack[k], (unsigned long)(at + 8 * k));
                    return -1;
                }
            at += (size_t)got;
        }
    }
    return 0;
}

/* Registered once; without it, every core is made to take an interrupt
 * (an mprotect that drops a page's write permission makes the kernel
 * shoot down the TLB on every CPU running this process, and the return
 * from an interrupt serializes on x86-64), and the stopped threads'
 * sigreturn serializes anyway. */
static int sync_state; /* 0 unknown, 1 registered, -1 not available */
static char *shootdown_page;

void rl_world_sync_core(rl_world *w)
{
    if (!sync_state) {
        long ok = syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0);
        sync_state = ok == 0 ? 1 : -1;
    }
    w->sync_core = sync_state == 1 && syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0) == 0;
    if (w->sync_core)
        return;
    if (!shootdown_page) {
        void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            return;
        shootdown_page = p;
    }
    shootdown_page[0] = 1;
    mprotect(shootdown_page, 4096, PROT_READ);
    mprotect(shootdown_page, 4096, PROT_READ | PROT_WRITE);
}

void rl_world_release(rl_world *w, bool tls)
{
    int g = __atomic_load_n(&gen, __ATOMIC_RELAXED);
    release_gen(w, g, tls);
    if (!tls)
        return;
    /* wait for the TLS moves: their memory is the swapper's to account for */
    for (;;) {
        size_t out = 0;
        int seen = __atomic_load_n(&leaves, __ATOMIC_ACQUIRE);
        for (size_t i = 0; i < w->nthreads; i++)
            /* an excused thread never arrived: it never leaves either */
            out += __atomic_load_n(&w->threads[i].left, __ATOMIC_ACQUIRE) == g ||
                   __atomic_load_n(&w->threads[i].arrived, __ATOMIC_ACQUIRE) != g || w->threads[i].excused == g;
        if (out == w->nthreads)
            break;
        struct timespec ts = {0, 1000000};
        futex(&leaves, FUTEX_WAIT_PRIVATE, seen, &ts);
    }
}

void rl_world_tls_self(rl_world *w)
{
    void **old = NULL;
    tls_move(w, &old);
    free(old);
}

void rl_world_free(rl_world *w)
{
    /* released threads may still be leaving their handlers, and a late
     * signal's handler may be reading the list: both are waited for */
    __atomic_store_n(&current, NULL, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&inside, __ATOMIC_SEQ_CST))
        sched_yield();
    for (size_t i = 0; i < w->nthreads; i++)
        free(w->threads[i].old_blocks_array);
    for (size_t i = w->next_block; i < w->nblocks; i++)
        free(w->blocks[i]);
    for (size_t i = w->next_array; i < w->narrays; i++)
        free(w->arrays[i]);
    free(w->blocks);
    free(w->arrays);
    free(w->threads);
    free(w->maps);
    memset(w, 0, sizeof *w);
}
