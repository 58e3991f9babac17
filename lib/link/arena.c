/* The link's one allocator: bump allocation from large chunks, freed all at
 * once when the link ends.  A link makes hundreds of thousands of small
 * records (names, symbols, members); none is freed alone. */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/mman.h>

#include "internal.h"

/* Chunks start small (a small link stays small) and double up to 1 MiB. */
#define FIRST_CHUNK (16u << 10)
#define CHUNK (1u << 20)

typedef struct chunk {
    struct chunk *next;
    max_align_t align[];
} chunk;

/* A full-size chunk (malloc maps it afresh) is filled soon: its pages are
 * made present in one call rather than one fault each.  Measured on the
 * static python link: 1700 faults fewer, 2% less CPU; hello unchanged.
 * Only whole pages inside the chunk; an old kernel's EINVAL is harmless. */
static void prefault(void *p, size_t n)
{
    uintptr_t from = ((uintptr_t)p + 4095) & ~(uintptr_t)4095, to = ((uintptr_t)p + n) & ~(uintptr_t)4095;
#ifdef MADV_POPULATE_WRITE
    if (to > from)
        (void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#else
    (void)from, (void)to;
#endif
}

void *lk_alloc(lk_arena *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    if ((size_t)(a->end - a->cur) < size) {
        size_t grown = a->chunk_size ? a->chunk_size * 2 : FIRST_CHUNK;
        a->chunk_size = grown > CHUNK ? CHUNK : grown;
        size_t want = size > a->chunk_size / 4 ? size : a->chunk_size;
        chunk *c = malloc(sizeof *c + want);
        if (!c)
            return NULL;
        if (want >= CHUNK)
            prefault(c, sizeof *c + want);
        c->next = a->chunks;
        a->chunks = c;
        a->cur = (char *)c->align;
        a->end = a->cur + want;
    }
    void *p = a->cur;
    a->cur += size;
    return p;
}

void *lk_zalloc(lk_arena *a, size_t size)
{
    void *p = lk_alloc(a, size);
    if (p)
        memset(p, 0, size);
    return p;
}

char *lk_strndup(lk_arena *a, const char *s, size_t n)
{
    char *p = lk_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

/* Room for one more element in an arena array of n (capacity *cap):
 * doubled when full, the old array left to the arena.  NULL when out of
 * memory. */
void *lk_grow(lk_arena *a, void *v, size_t n, size_t *cap, size_t elem, size_t first)
{
    if (n < *cap)
        return v;
    size_t c = *cap ? 2 * *cap : first;
    void *w = lk_alloc(a, c * elem);
    if (!w)
        return NULL;
    if (n)
        memcpy(w, v, n * elem);
    *cap = c;
    return w;
}

void lk_arena_adopt(lk_arena *a, lk_arena *from)
{
    chunk *last = from->chunks;
    if (!last)
        return;
    while (last->next)
        last = last->next;
    last->next = a->chunks; /* (the list is only walked to free: a's current chunk stays current) */
    a->chunks = from->chunks;
    *from = (lk_arena){0};
}

void lk_arena_free(lk_arena *a)
{
    for (chunk *c = a->chunks, *next; c; c = next) {
        next = c->next;
        free(c);
    }
    a->chunks = NULL;
    a->cur = a->end = NULL;
}
