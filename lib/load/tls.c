/* Thread-local storage for loaded code, served by keel itself.
 *
 * glibc's __tls_get_addr knows only the modules ld.so loaded, so loaded
 * objects get keel's own: each object with .tdata/.tbss is a TLS module
 * with a template (its TLS sections, relocated, read-only), and each
 * thread has its own array of blocks, indexed by module id, allocated on
 * first use and freed when the thread exits.  General- and local-dynamic
 * code calls __tls_get_addr, which the loader binds to rl_tls_get_addr;
 * TLS descriptors call the machine's resolver (ka_host_tlsdesc_resolve, in
 * lib/arch), which reads the blocks below and must keep every register.
 * Module ids are never reused, so a block can never be taken for another
 * module's.
 *
 * Initial- and local-exec code addresses its variables at a fixed offset
 * from the thread pointer, inside the static TLS area glibc laid out at
 * thread creation; loaded code cannot get a place there, and the loader
 * refuses it. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "../diag.h"
#include "internal.h"

typedef struct tls_module {
    const void *image; /* NULL once unloaded */
    uint64_t size, align;
} tls_module;

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static tls_module *modules; /* by id; 0 is never used */
static uint64_t nmodules = 1, capmodules;
static pthread_key_t exit_key;
static pthread_once_t exit_once = PTHREAD_ONCE_INIT;

/* The calling thread's blocks.  Initial-exec, so that the descriptor
 * resolver (lib/arch) reaches them with no call. */
#define TLS_IE __attribute__((tls_model("initial-exec"), visibility("hidden")))
extern TLS_IE __thread uint64_t rl_tls_nblocks;
extern TLS_IE __thread void **rl_tls_blocks;
extern TLS_IE __thread int rl_tls_busy;
TLS_IE __thread uint64_t rl_tls_nblocks;
TLS_IE __thread void **rl_tls_blocks;
/* Set while the slow path below changes the two: a live swap's stopped
 * thread (swap_stop.c) must not move its TLS then. */
TLS_IE __thread int rl_tls_busy;

static void thread_exit(void *unused)
{
    (void)unused;
    for (uint64_t i = 0; i < rl_tls_nblocks; i++)
        free(rl_tls_blocks[i]);
    free(rl_tls_blocks);
    rl_tls_blocks = NULL;
    rl_tls_nblocks = 0;
}

static void init_once(void)
{
    pthread_key_create(&exit_key, thread_exit);
    ka_host_tls_init(); /* the descriptor resolver's part (lib/arch) */
}

uint64_t rl_tls_new_module(void)
{
    pthread_once(&exit_once, init_once);
    return __atomic_fetch_add(&nmodules, 1, __ATOMIC_RELAXED);
}

int rl_tls_register(uint64_t id, const void *image, uint64_t size, uint64_t align)
{
    pthread_mutex_lock(&modules_lock);
    if (id >= capmodules) {
        uint64_t cap = capmodules ? capmodules : 16;
        while (cap <= id)
            cap *= 2;
        tls_module *v = realloc(modules, cap * sizeof *v);
        if (!v) {
            pthread_mutex_unlock(&modules_lock);
            return -1;
        }
        memset(v + capmodules, 0, (cap - capmodules) * sizeof *v);
        modules = v;
        capmodules = cap;
    }
    modules[id] = (tls_module){image, size, align};
    pthread_mutex_unlock(&modules_lock);
    return 0;
}

void rl_tls_unregister(uint64_t id)
{
    pthread_mutex_lock(&modules_lock);
    if (id < capmodules)
        modules[id].image = NULL;
    pthread_mutex_unlock(&modules_lock);
    /* this thread's block now; other threads' when they exit */
    if (id < rl_tls_nblocks) {
        free(rl_tls_blocks[id]);
        rl_tls_blocks[id] = NULL;
    }
}

typedef struct tls_index {
    uint64_t module, offset;
} tls_index;

/* As glibc's __tls_get_addr: a variable's address cannot be refused, so
 * there is nobody to report the failure to. */
static void out_of_memory(void)
{
    kd_emit(NULL, NULL, KEEL_DIAG_ERROR, "out of memory for a loaded object's thread-local storage");
    abort();
}

/* The first use of a module by this thread: its block, from the template. */
__attribute__((visibility("hidden"))) void *rl_tls_slow_addr(const tls_index *ti);
void *rl_tls_slow_addr(const tls_index *ti)
{
    __atomic_store_n(&rl_tls_busy, 1, __ATOMIC_RELAXED);
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    if (ti->module >= rl_tls_nblocks) {
        uint64_t n = rl_tls_nblocks ? rl_tls_nblocks : 8;
        while (n <= ti->module)
            n *= 2;
        void **v = realloc(rl_tls_blocks, n * sizeof *v);
        if (!v)
            out_of_memory();
        memset(v + rl_tls_nblocks, 0, (n - rl_tls_nblocks) * sizeof *v);
        if (!rl_tls_blocks)
            pthread_setspecific(exit_key, v); /* so that thread_exit runs */
        rl_tls_blocks = v;
        rl_tls_nblocks = n;
    }
    void *block = rl_tls_blocks[ti->module];
    if (!block) {
        pthread_mutex_lock(&modules_lock);
        tls_module m = ti->module < capmodules ? modules[ti->module] : (tls_module){0};
        uint64_t align = m.align < sizeof(void *) ? sizeof(void *) : m.align;
        block = m.image ? aligned_alloc(align, (m.size + align - 1) & ~(align - 1)) : NULL;
        if (block)
            memcpy(block, m.image, m.size);
        pthread_mutex_unlock(&modules_lock);
        if (!block)
            out_of_memory();
        rl_tls_blocks[ti->module] = block;
    }
    __atomic_signal_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(&rl_tls_busy, 0, __ATOMIC_RELAXED);
    return (char *)block + ti->offset;
}

/* What general- and local-dynamic code calls as __tls_get_addr. */
void *rl_tls_get_addr(const void *index)
{
    const tls_index *ti = index;
    if (__builtin_expect(ti->module < rl_tls_nblocks && rl_tls_blocks[ti->module] != NULL, 1))
        return (char *)rl_tls_blocks[ti->module] + ti->offset;
    return rl_tls_slow_addr(ti);
}
