/* Memory for the loader's large tables and a batch's scratch.
 *
 * Loading a library touches a few megabytes of tables once (the symbol
 * tables, each object's resolutions).  From malloc that is a fault per
 * fresh 4 KiB page, and first touches are what a load spends most of its
 * time on (under a hypervisor's shadow page tables, several microseconds
 * each).  A large block therefore comes from mmap, aligned to the huge page
 * and advised into transparent huge pages: a fault per 2 MiB.  Where those
 * are off it is ordinary anonymous memory, as malloc's own large blocks are. */
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"
#include "phase_time.h"

/* Below this, malloc's heap serves as well (glibc's own threshold for
 * giving a block its own mapping). */
#define BULK_MIN ((size_t)128 << 10)

/* Below this, a block is in small pages: a huge page's first touch clears
 * all 2 MiB (about 250 us on the VM keel is measured on, as much as 200
 * faults of small pages), which pays only where most of it is used.  A
 * namespace's symbol table of 4096 names (192 KiB) cleared a whole huge
 * page for each sqlite load. */
#define HUGE_MIN ((size_t)1 << 20)

static size_t bulk_span(size_t bytes)
{
    if (bytes < HUGE_MIN)
        return (bytes + 4095) & ~(size_t)4095;
    return (bytes + LD_HUGE_PAGE - 1) & ~(LD_HUGE_PAGE - 1);
}

/* A chunk (scratch, pool) that leaves the heap goes straight to a huge
 * page: one that grew through small pages instead would show a load's
 * cycles as growth of the resident set for as long as it takes to reach
 * the huge page (load_api.t counts 950 load and unload cycles), and its
 * pages would be faulted one by one. */
static size_t past_heap(size_t size) { return size >= BULK_MIN && size < LD_HUGE_PAGE ? LD_HUGE_PAGE : size; }

/* The size of a chunk that holds at least `size` bytes: all of its pages
 * (they are there anyway); 0 if that overflows. */
static size_t chunk_size(size_t size)
{
    if (size < BULK_MIN)
        return size;
    size_t span = bulk_span(size);
    return span < size ? 0 : span;
}

void *rl_bulk_alloc(size_t bytes)
{
    if (bytes < BULK_MIN)
        return calloc(1, bytes ? bytes : 1);
    size_t span = bulk_span(bytes);
    if (span < bytes)
        return NULL;
    if (bytes < HUGE_MIN) { /* as malloc does: a page cleared at its first touch */
        void *p = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        return p == MAP_FAILED ? NULL : p;
    }
    /* over-reserve by a huge page, then trim to an aligned span */
    uint8_t *raw = mmap(NULL, span + LD_HUGE_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        return NULL;
    uint8_t *at = (uint8_t *)(((uintptr_t)raw + LD_HUGE_PAGE - 1) & ~(uintptr_t)(LD_HUGE_PAGE - 1));
    if (at > raw)
        munmap(raw, (size_t)(at - raw));
    if (at + span < raw + span + LD_HUGE_PAGE)
        munmap(at + span, (size_t)(raw + span + LD_HUGE_PAGE - (at + span)));
#ifdef MADV_HUGEPAGE
    madvise(at, span, MADV_HUGEPAGE);
#endif
    return at; /* fresh anonymous memory reads as zero, as calloc's */
}

void rl_bulk_free(void *p, size_t bytes)
{
    if (!p)
        return;
    if (bytes < BULK_MIN)
        free(p);
    else
        munmap(p, bulk_span(bytes));
}

/* ---------------------------------------------------------------- scratch */

/* A chunk's header sits at its start; the rest is handed out in order. */
typedef struct scratch_chunk {
    struct scratch_chunk *prev;
    size_t size, used;
} scratch_chunk;

/* A small load's scratch stays on malloc's heap; a big one's grows into
 * huge pages. */
#define SCRATCH_FIRST ((size_t)32 << 10)
#define SCRATCH_MAX ((size_t)4 << 20)

void *rl_scratch_alloc(rl_scratch *s, size_t bytes)
{
    if (bytes > SIZE_MAX / 2)
        return NULL;
    bytes = (bytes + 15) & ~(size_t)15;
    scratch_chunk *c = s->top;
    if (!c || c->size - c->used < bytes) {
        size_t want = bytes + sizeof(scratch_chunk) + 16;
        size_t next = c ? (c->size < SCRATCH_MAX ? 2 * c->size : SCRATCH_MAX) : SCRATCH_FIRST;
        size_t size = chunk_size(past_heap(want > next ? want : next));
        scratch_chunk *n = size ? rl_bulk_alloc(size) : NULL;
        if (!n)
            return NULL;
        n->prev = c;
        n->size = size;
        n->used = (sizeof(scratch_chunk) + 15) & ~(size_t)15;
        s->top = c = n;
    }
    void *p = (uint8_t *)c + c->used;
    c->used += bytes;
    return p; /* zero: chunks are fresh and never reused */
}

void rl_scratch_release(rl_scratch *s)
{
    size_t used = 0, held = 0;
    for (scratch_chunk *c = s->top; c; c = c->prev)
        used += c->used, held += c->size;
    rl_phase_note("scratch used", used);
    rl_phase_note("scratch held", held);
    for (scratch_chunk *c = s->top, *prev; c; c = prev) {
        prev = c->prev;
        rl_bulk_free(c, c->size);
    }
    s->top = NULL;
}

/* ------------------------------------------------------------------ pool */

/* A namespace's objects keep their tables (sections, the symbol targets)
 * in chunks shared by the objects loaded together: a big load fills huge
 * pages instead of faulting in a fresh heap page every few objects.  A
 * chunk counts the objects in it and goes when the last one does, so that
 * loading and unloading over and over (live update) does not grow. */
struct rl_pool_chunk {
    size_t size, used, live;
};

#define POOL_FIRST ((size_t)64 << 10)

static void chunk_free(rl_pool_chunk *c) { rl_bulk_free(c, c->size); }

void rl_pool_init(rl_pool *pool) { pthread_mutex_init(&pool->lock, NULL); }

/* The pool has its own lock: an unload gives its object's piece back after
 * it has let go of the namespace's lock, while another thread may load. */
void *rl_pool_alloc(rl_pool *pool, size_t bytes, rl_pool_chunk **chunk)
{
    size_t head = (sizeof(rl_pool_chunk) + 15) & ~(size_t)15;
    if (bytes > SIZE_MAX - head - 15)
        return NULL;
    bytes = (bytes + 15) & ~(size_t)15;
    rl_pool_chunk *retired = NULL;
    pthread_mutex_lock(&pool->lock);
    rl_pool_chunk *c = pool->cur;
    if (!c || c->size - c->used < bytes) {
        size_t size = pool->next ? pool->next : POOL_FIRST;
        if (size < head + bytes)
            size = head + bytes;
        size = chunk_size(past_heap(size));
        rl_pool_chunk *n = size ? rl_bulk_alloc(size) : NULL;
        if (!n) {
            pthread_mutex_unlock(&pool->lock);
            return NULL;
        }
        n->size = size;
        n->used = head;
        n->live = 0;
        if (c && !c->live)
            retired = c;
        pool->cur = c = n;
        /* growing to one huge page, and back to it after one large object */
        pool->next = size < LD_HUGE_PAGE ? 2 * size : LD_HUGE_PAGE;
    }
    void *p = (uint8_t *)c + c->used;
    c->used += bytes;
    c->live++;
    *chunk = c;
    pthread_mutex_unlock(&pool->lock);
    if (retired)
        chunk_free(retired);
    return p; /* zero: chunks are fresh and never handed out twice */
}

void rl_pool_put(rl_pool *pool, rl_pool_chunk *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&pool->lock);
    bool gone = !--c->live && c != pool->cur;
    pthread_mutex_unlock(&pool->lock);
    if (gone)
        chunk_free(c);
}

void rl_pool_destroy(rl_pool *pool)
{
    if (pool->cur && !pool->cur->live)
        chunk_free(pool->cur);
    pool->cur = NULL;
    pthread_mutex_destroy(&pool->lock);
}
