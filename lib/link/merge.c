/* SHF_MERGE sections, merged as GNU ld merges them (bfd/merge.c): string
 * sections (.rodata.str1.1, .debug_str, .comment; SHF_STRINGS, any
 * character size) keep each distinct string once, and a string that ends
 * another (its suffix) lives inside it; constant sections (.rodata.cst8)
 * keep each distinct constant once.  Inputs of one output section with
 * the same kind, entry size and alignment share one pool; each input
 * keeps its place and holds the entries it was first to bring (the others
 * shrink to nothing), so that smaller pieces fill the alignment gaps
 * between them as they do in GNU ld's output.
 *
 * Each string keeps the alignment its offset had in its input (up to the
 * section's), as GNU ld keeps it: code may rely on an aligned literal.  An
 * address inside an input (a symbol's value, or a section symbol plus the
 * addend) goes to the same place in its string's copy: the string that
 * holds the offset is found and the offset within it kept.  A section
 * with relocations of its own is not merged (GNU ld's rule too), nor one
 * whose last string has no terminator. */
#include <stdlib.h>
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"

enum { KEPT, SUFFIX, SUPERSEDED };

typedef struct pool_entry {
    const uint8_t *s; /* its bytes, in the input's mapping */
    uint32_t len;     /* with its terminator */
    uint32_t align;   /* the alignment it needs */
    uint32_t hash;
    uint32_t parent; /* SUFFIX: the string it ends; SUPERSEDED: its aligned copy */
    uint32_t piece;  /* the piece of the input that brought it first */
    uint8_t state;
    uint64_t offset; /* in that piece, once finished */
} pool_entry;

struct lk_pool {
    struct lk_pool *next; /* the output section's next pool */
    uint64_t entsize, align;
    bool strings;
    pool_entry *e; /* in order of first appearance (GNU ld's order) */
    size_t n, cap;
    uint32_t *slots; /* open addressing: 1 + entry index, 0 empty */
    size_t nslots;
};

bool lk_mergeable(const keel_shdr *sh)
{
    /* GNU ld's sanity rules (_bfd_add_merge_section): a character size
     * smaller than the alignment must be a power of two (strings only); a
     * larger entry size a multiple of it */
    uint64_t align = sh->addralign ? sh->addralign : 1;
    if (sh->type != SHT_PROGBITS || !(sh->flags & SHF_MERGE) || !sh->entsize || !sh->size || sh->size % sh->entsize ||
        sh->size >= UINT32_MAX || align > ((uint64_t)1 << 31) || sh->entsize > 4096 || (align & (align - 1)))
        return false;
    bool strings = sh->flags & SHF_STRINGS;
    if (sh->entsize < align && ((sh->entsize & (sh->entsize - 1)) || !strings))
        return false;
    return !(sh->entsize > align && sh->entsize % align);
}

/* Whether section i of f has relocations of its own (a SHT_RELA names
 * it): then it is kept whole.  Asked of mergeable sections only: the
 * parsed table's first relocation section for i answers at once, and
 * only a SHT_REL first makes a walk for a SHT_RELA (each file's walk of
 * all its sections cost 0.9% of a C++ link, in cache misses). */
bool lk_merge_blocked(const lk_file *f, uint32_t i)
{
    uint32_t r = f->sections[i].relocs;
    if (!r)
        return false;
    if (f->sections[r].type == 4 /* SHT_RELA */)
        return true;
    for (uint32_t k = 1; k < f->elf.shnum; k++)
        if (f->sections[k].type == 4 /* SHT_RELA */ && f->sections[k].info == i)
            return true;
    return false;
}

/* A fast hash over n bytes (8 at a time). */
static uint32_t hash_bytes(const uint8_t *p, uint64_t n)
{
    uint64_t h = 0x9e3779b97f4a7c15u ^ n;
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    uint64_t w = 0;
    memcpy(&w, p, n);
    h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
    return (uint32_t)(h ^ (h >> 29));
}

static int grow_slots(struct lk_pool *p)
{
    size_t n = p->nslots ? 2 * p->nslots : 1024;
    uint32_t *v = calloc(n, sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < p->nslots; i++)
        if (p->slots[i]) {
            size_t k = p->e[p->slots[i] - 1].hash & (n - 1);
            while (v[k])
                k = (k + 1) & (n - 1);
            v[k] = p->slots[i];
        }
    free(p->slots);
    p->slots = v;
    p->nslots = n;
    return 0;
}

/* The entry of these bytes, added if new (GNU ld's sec_merge_add): a copy
 * that needs more alignment than the one there supersedes it, at the end
 * of the order.  -1: out of memory. */
static int64_t intern(struct lk_pool *p, const uint8_t *s, uint32_t len, uint32_t align, uint32_t piece)
{
    if ((p->n + 1) * 2 > p->nslots && grow_slots(p))
        return -1;
    if (p->n >= UINT32_MAX - 1)
        return -1;
    uint32_t h = hash_bytes(s, len);
    size_t k = h & (p->nslots - 1);
    for (; p->slots[k]; k = (k + 1) & (p->nslots - 1)) {
        pool_entry *e = &p->e[p->slots[k] - 1];
        if (e->hash != h || e->len != len || memcmp(e->s, s, len) != 0)
            continue;
        if (e->align >= align)
            return p->slots[k] - 1;
        break; /* superseded below by an aligned copy */
    }
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4096;
        pool_entry *v = realloc(p->e, cap * sizeof *v);
        if (!v)
            return -1;
        p->e = v;
        p->cap = cap;
    }
    if (p->slots[k]) {
        p->e[p->slots[k] - 1].state = SUPERSEDED;
        p->e[p->slots[k] - 1].parent = (uint32_t)p->n;
    }
    p->e[p->n] = (pool_entry){s, len, align, h, 0, piece, KEPT, 0};
    p->slots[k] = (uint32_t)++p->n;
    return (int64_t)p->n - 1;
}

/* The pool of o for an input like sh, made if new. */
static struct lk_pool *pool_for(lk_osec *o, const keel_shdr *sh)
{
    uint64_t align = sh->addralign ? sh->addralign : 1;
    bool strings = sh->flags & SHF_STRINGS;
    struct lk_pool **at = &o->pool;
    for (; *at; at = &(*at)->next)
        if ((*at)->entsize == sh->entsize && (*at)->align == align && (*at)->strings == strings)
            return *at;
    struct lk_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->entsize = sh->entsize;
    p->align = align;
    p->strings = strings;
    *at = p;
    return p;
}

static bool zero_unit(const uint8_t *p, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* The end of the string at data[at] (after its terminator), or 0 if it
 * has none before size. */
static uint64_t string_end(const uint8_t *data, uint64_t at, uint64_t size, uint64_t es)
{
    if (es == 1) {
        const uint8_t *nul = memchr(data + at, 0, size - at);
        return nul ? (uint64_t)(nul - data) + 1 : 0;
    }
    for (; at < size; at += es)
        if (zero_unit(data + at, es))
            return at + es;
    return 0;
}

int lk_merge_input(lk_link *l, lk_osec *o, size_t piece, lk_file *f, uint32_t shndx, const keel_shdr *sh)
{
    const uint8_t *data;
    uint64_t size, es = sh->entsize, mask = (sh->addralign ? sh->addralign : 1) - 1;
    keel_error e;
    if (keel_elf_section_data(&f->elf, sh, &data, &size, &e) || size < sh->size)
        return lk_fail(l, KEEL_E_TRUNCATED, "%s: section %u is cut short", f->name, shndx);
    size = sh->size;
    bool strings = sh->flags & SHF_STRINGS;
    if (strings && !zero_unit(data + size - es, es))
        return 1; /* an unterminated last string: kept whole */
    struct lk_pool *p = pool_for(o, sh);
    if (!p)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    /* a record per string (each ends in a zero unit) or constant */
    size_t most = 1;
    if (!strings)
        most = (size_t)(size / es);
    else if (es == 1)
        for (const uint8_t *z = data; (z = memchr(z, 0, (size_t)(data + size - z))); z++)
            most++;
    else
        for (uint64_t at = 0; at < size; at += es)
            most += zero_unit(data + at, es);
    lk_merged *m = lk_zalloc(&l->arena, sizeof *m);
    if (!m || !(m->in = lk_alloc(&l->arena, most * sizeof *m->in)) ||
        !(m->entry = lk_alloc(&l->arena, most * sizeof *m->entry)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    m->pool = p;
    m->size = size;
    m->piece = (uint32_t)piece;
    bool nul = false;
    for (uint64_t at = 0; at < size;) {
        uint64_t end = strings ? string_end(data, at, size, es) : at + es;
        uint32_t align = 1;
        if (strings) { /* the alignment its offset has, up to the section's (record_section) */
            uint64_t a = at & (~at + 1);
            align = (uint32_t)(!a || a > mask ? mask + 1 : a);
        }
        int64_t id = intern(p, data + at, (uint32_t)(end - at), align, (uint32_t)piece);
        if (id < 0)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        m->in[m->n] = (uint32_t)at;
        m->entry[m->n++] = (uint32_t)id;
        at = end;
        /* the zeros after a string: padding, except that the first one on
         * an aligned offset is the section's empty string */
        while (strings && at < size && zero_unit(data + at, es)) {
            if (!nul && !(at & mask)) {
                nul = true;
                if ((id = intern(p, data + at, (uint32_t)es, (uint32_t)mask + 1, (uint32_t)piece)) < 0)
                    return lk_fail(l, KEEL_E_NOMEM, "out of memory");
                m->in[m->n] = (uint32_t)at;
                m->entry[m->n++] = (uint32_t)id;
            }
            at += es;
        }
    }
    if (!f->merged && !(f->merged = lk_zalloc(&l->arena, (f->elf.shnum + 1) * sizeof *f->merged)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    f->merged[shndx] = m;
    o->pieces[piece].size = 0; /* until finished */
    return 0;
}

/* ---- suffixes: GNU ld's merge_strings, with a multikey quicksort */

typedef struct sorter {
    const pool_entry *e;
    uint64_t entsize;
    uint32_t tail_mask; /* uniform alignment above the character size: sort by the tail's residue first */
} sorter;

/* The sort key at depth d: strings compared from their last character
 * back (the terminator left out), a string that ends first sorting first
 * (GNU ld's strrevcmp and strrevcmp_align). */
static inline int key_at(const sorter *s, uint32_t i, size_t d)
{
    const pool_entry *e = &s->e[i];
    size_t n = e->len - s->entsize;
    if (s->tail_mask) {
        if (d == 0)
            return (int)(n & s->tail_mask);
        d--;
    }
    return d < n ? e->s[n - 1 - d] : -1;
}

static int compare_from(const sorter *s, uint32_t a, uint32_t b, size_t d)
{
    for (;; d++) {
        int x = key_at(s, a, d), y = key_at(s, b, d);
        if (x != y)
            return x < y ? -1 : 1;
        if (x < 0)
            return 0;
    }
}

static void mkqs(const sorter *s, uint32_t *a, size_t n, size_t d)
{
    while (n > 1) {
        if (n < 12) {
            for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && compare_from(s, a[j - 1], a[j], d) > 0; j--) {
                    uint32_t t = a[j];
                    a[j] = a[j - 1];
                    a[j - 1] = t;
                }
            return;
        }
        int k0 = key_at(s, a[0], d), k1 = key_at(s, a[n / 2], d), k2 = key_at(s, a[n - 1], d);
        int pivot = k0 < k1 ? (k1 < k2 ? k1 : k0 < k2 ? k2 : k0) : (k0 < k2 ? k0 : k1 < k2 ? k2 : k1);
        size_t lt = 0, i = 0, gt = n; /* [0,lt) <, [lt,i) =, [gt,n) > */
        while (i < gt) {
            int k = key_at(s, a[i], d);
            uint32_t t = a[i];
            if (k < pivot) {
                a[i++] = a[lt];
                a[lt++] = t;
            } else if (k > pivot) {
                a[i] = a[--gt];
                a[gt] = t;
            } else {
                i++;
            }
        }
        mkqs(s, a, lt, d);
        mkqs(s, a + gt, n - gt, d);
        if (pivot < 0)
            return; /* strings that ended here: equal (never, they are distinct) */
        a += lt;
        n = gt - lt;
        d++;
    }
}

static int merge_suffixes(struct lk_pool *p)
{
    uint32_t *a = malloc((p->n ? p->n : 1) * sizeof *a);
    if (!a)
        return -1;
    size_t n = 0;
    uint32_t alignment = 0;
    for (size_t i = 0; i < p->n; i++)
        if (p->e[i].state == KEPT) {
            a[n++] = (uint32_t)i;
            alignment = !alignment || alignment == p->e[i].align ? p->e[i].align : UINT32_MAX;
        }
    sorter s = {p->e, p->entsize, alignment != UINT32_MAX && alignment > p->entsize ? alignment - 1 : 0};
    mkqs(&s, a, n, 0);
    /* from the end: a string that ends the last one kept, where its
     * alignment allows, lives inside it */
    if (n) {
        pool_entry *e = &p->e[a[n - 1]];
        for (size_t i = n - 1; i-- > 0;) {
            pool_entry *c = &p->e[a[i]];
            if (e->align >= c->align && !((e->len - c->len) & (c->align - 1)) && e->len > c->len &&
                memcmp(e->s + (e->len - c->len), c->s, c->len) == 0) {
                c->state = SUFFIX;
                c->parent = (uint32_t)(e - p->e);
            } else {
                e = c;
            }
        }
    }
    free(a);
    return 0;
}

int lk_merge_finish(lk_link *l, lk_osec *o)
{
    for (struct lk_pool *p = o->pool; p; p = p->next) {
        if (p->strings && merge_suffixes(p))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        /* each input's new entries from its own start, in order */
        for (size_t i = 0; i < p->n; i++)
            if (p->e[i].state == KEPT) {
                lk_piece *pc = &o->pieces[p->e[i].piece];
                p->e[i].offset = align_up(pc->size, p->e[i].align);
                pc->size = p->e[i].offset + p->e[i].len;
            }
        for (size_t i = 0; i < p->n; i++)
            if (p->e[i].state == SUFFIX) {
                const pool_entry *w = &p->e[p->e[i].parent];
                p->e[i].offset = w->offset + (w->len - p->e[i].len);
                p->e[i].piece = w->piece;
            }
        /* a superseded copy's aligned copy has a larger index */
        for (size_t i = p->n; i-- > 0;)
            if (p->e[i].state == SUPERSEDED) {
                p->e[i].offset = p->e[p->e[i].parent].offset;
                p->e[i].piece = p->e[p->e[i].parent].piece;
            }
    }
    /* an input left with nothing adds no alignment gap (GNU ld drops it) */
    for (size_t i = 0; o->pool && i < o->npieces; i++)
        if (!o->pieces[i].size && o->pieces[i].file && o->pieces[i].file->merged &&
            o->pieces[i].file->merged[o->pieces[i].shndx])
            o->pieces[i].align = 1;
    return 0;
}

uint64_t lk_merged_offset(const lk_osec *o, const lk_merged *m, uint64_t value)
{
    const struct lk_pool *p = m->pool;
    if (value >= m->size || !m->n) /* past the end: this input's end, as GNU ld maps it */
        return o->pieces[m->piece].offset + o->pieces[m->piece].size;
    size_t lo = 0, hi = m->n; /* the last record starting at or before value */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->in[mid] <= value)
            lo = mid + 1;
        else
            hi = mid;
    }
    const pool_entry *e = &p->e[m->entry[lo ? lo - 1 : 0]]; /* (the first record is at 0) */
    uint64_t delta = value - m->in[lo ? lo - 1 : 0];
    if (delta >= e->len) /* padding zeros after it: its terminator */
        delta = e->len - p->entsize;
    return o->pieces[e->piece].offset + e->offset + delta;
}

void lk_fill_pool(const lk_osec *o, uint8_t *buf)
{
    for (const struct lk_pool *p = o->pool; p; p = p->next)
        for (size_t i = 0; i < p->n; i++)
            if (p->e[i].state == KEPT)
                memcpy(buf + o->offset + o->pieces[p->e[i].piece].offset + p->e[i].offset, p->e[i].s, p->e[i].len);
}

void lk_merge_renumber(lk_osec *o, const uint32_t *to)
{
    for (struct lk_pool *p = o->pool; p; p = p->next)
        for (size_t i = 0; i < p->n; i++)
            p->e[i].piece = to[p->e[i].piece];
}

void lk_merge_free(lk_osec *o)
{
    while (o->pool) {
        struct lk_pool *p = o->pool;
        o->pool = p->next;
        free(p->e);
        free(p->slots);
        free(p);
    }
}
