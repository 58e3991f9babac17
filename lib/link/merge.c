/* SHF_MERGE|SHF_STRINGS sections (.rodata.str1.1: string literals): each
 * distinct string is kept once per output section.  The strings of every
 * such input join a pool, the output section gets the pool as one piece,
 * and an address inside an input (a symbol, .LC0) is mapped to where its
 * string went.  Compilers refer to these strings through symbols, so the
 * mapping covers their references; an input that some relocation reaches
 * through its section symbol (an offset into the section) is not merged,
 * only concatenated. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { SHT_PROGBITS = 1, SHT_RELA = 4, SHF_MERGE = 0x10, SHF_STRINGS = 0x20, STT_SECTION = 3 };

typedef struct pool_slot {
    uint64_t offset;        /* in the pool; UINT64_MAX: empty */
    uint64_t len;           /* with its NUL */
    uint32_t hash;
} pool_slot;

struct lk_pool {
    uint8_t *data;
    uint64_t size, cap;
    pool_slot *slots;
    size_t nslots, used;
    size_t piece_index;     /* its piece in the output section */
};

bool lk_mergeable(const keel_shdr *sh)
{
    /* (byte-aligned only: the pool keeps no alignment for its strings) */
    return sh->type == SHT_PROGBITS && (sh->flags & SHF_MERGE) && (sh->flags & SHF_STRINGS) && sh->entsize == 1 &&
           sh->size > 0 && sh->addralign <= 1;
}

/* Sections of f that some relocation reaches through their section symbol. */
int lk_merge_blockers(lk_link *l, lk_file *f, bool **out)
{
    *out = NULL;
    if (!f->has_symtab)
        return 0;
    for (uint32_t i = 1; i < f->elf.shnum; i++) {
        keel_shdr sh;
        keel_relocs rs;
        if (keel_elf_shdr(&f->elf, i, &sh, NULL) || sh.type != SHT_RELA || keel_elf_relocs(&f->elf, i, &rs, NULL))
            continue;
        if (sh.info < f->elf.shnum) { /* a section with relocations of its own stays whole */
            if (!*out && !(*out = lk_zalloc(&l->arena, f->elf.shnum + 1)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            (*out)[sh.info] = true;
        }
        for (uint64_t k = 0; k < rs.count; k++) {
            keel_rel r;
            keel_sym sym;
            keel_shdr target;
            keel_relocs_get(&rs, k, &r);
            if (keel_symtab_get(&f->symtab, r.sym, &sym, NULL) || KEEL_ST_TYPE(sym.info) != STT_SECTION ||
                sym.shndx >= f->elf.shnum || keel_elf_shdr(&f->elf, sym.shndx, &target, NULL) ||
                !lk_mergeable(&target))
                continue;
            if (!*out && !(*out = lk_zalloc(&l->arena, f->elf.shnum + 1)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            (*out)[sym.shndx] = true;
        }
    }
    return 0;
}

static uint32_t hash_bytes(const uint8_t *p, uint64_t n)
{
    uint32_t h = 2166136261u;
    for (uint64_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

static int grow_slots(struct lk_pool *p)
{
    size_t n = p->nslots ? 2 * p->nslots : 1024;
    pool_slot *v = malloc(n * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < n; i++)
        v[i].offset = UINT64_MAX;
    for (size_t i = 0; i < p->nslots; i++)
        if (p->slots[i].offset != UINT64_MAX) {
            size_t k = p->slots[i].hash & (n - 1);
            while (v[k].offset != UINT64_MAX)
                k = (k + 1) & (n - 1);
            v[k] = p->slots[i];
        }
    free(p->slots);
    p->slots = v;
    p->nslots = n;
    return 0;
}

/* The string's place in the pool, added if new. */
static int64_t intern(struct lk_pool *p, const uint8_t *s, uint64_t len)
{
    if ((p->used + 1) * 2 > p->nslots && grow_slots(p))
        return -1;
    uint32_t h = hash_bytes(s, len);
    size_t k = h & (p->nslots - 1);
    for (; p->slots[k].offset != UINT64_MAX; k = (k + 1) & (p->nslots - 1))
        if (p->slots[k].hash == h && p->slots[k].len == len && memcmp(p->data + p->slots[k].offset, s, len) == 0)
            return (int64_t)p->slots[k].offset;
    if (p->size + len > p->cap) {
        uint64_t cap = p->cap ? 2 * p->cap : 65536;
        while (cap < p->size + len)
            cap *= 2;
        uint8_t *d = realloc(p->data, cap);
        if (!d)
            return -1;
        p->data = d;
        p->cap = cap;
    }
    memcpy(p->data + p->size, s, len);
    p->slots[k] = (pool_slot){p->size, len, h};
    p->used++;
    p->size += len;
    return (int64_t)p->slots[k].offset;
}

int lk_merge_input(lk_link *l, lk_osec *o, lk_file *f, uint32_t shndx, const keel_shdr *sh)
{
    const uint8_t *data;
    uint64_t size;
    keel_error e;
    if (keel_elf_section_data(&f->elf, sh, &data, &size, &e) || size < sh->size)
        return lk_fail(l, KEEL_E_TRUNCATED, "%s: section %u is cut short", f->name, shndx);
    if (!o->pool) {
        if (!(o->pool = calloc(1, sizeof *o->pool)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        /* the pool's piece, where the first merged input stands */
        keel_shdr as = {.type = SHT_PROGBITS, .size = 0, .addralign = 1};
        int rc = lk_add_pool_piece(l, o, &as);
        if (rc)
            return rc;
    }
    size_t n = 0;
    for (uint64_t at = 0; at < sh->size; n++) {
        const uint8_t *nul = memchr(data + at, 0, sh->size - at);
        at = nul ? (uint64_t)(nul - data) + 1 : sh->size;
    }
    lk_merged *m = lk_zalloc(&l->arena, sizeof *m);
    if (!m || !(m->in = lk_alloc(&l->arena, (n + 1) * sizeof *m->in)) ||
        !(m->out = lk_alloc(&l->arena, (n + 1) * sizeof *m->out)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (uint64_t at = 0; at < sh->size; m->n++) {
        const uint8_t *nul = memchr(data + at, 0, sh->size - at);
        uint64_t len = nul ? (uint64_t)(nul - data) + 1 - at : sh->size - at;
        int64_t off = intern(o->pool, data + at, len);
        if (off < 0)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        m->in[m->n] = at;
        m->out[m->n] = (uint64_t)off;
        at += len;
    }
    if (!f->merged && !(f->merged = lk_zalloc(&l->arena, (f->elf.shnum + 1) * sizeof *f->merged)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    f->merged[shndx] = m;
    f->out[shndx] = o;
    if (sh->addralign > o->align)
        o->align = sh->addralign;
    return 0;
}

/* The pool is complete: its piece gets its size. */
void lk_merge_finish(lk_osec *o)
{
    if (o->pool)
        o->pieces[o->pool->piece_index].size = o->pool->size;
}

void lk_merge_set_piece(lk_osec *o, size_t index)
{
    o->pool->piece_index = index;
}

uint64_t lk_pool_offset(const lk_osec *o)
{
    return o->pieces[o->pool->piece_index].offset;
}

uint64_t lk_merged_offset(const lk_merged *m, uint64_t value)
{
    size_t lo = 0, hi = m->n; /* the last string starting at or before value */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->in[mid] <= value)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return value; /* before the first string: cannot be, keep it */
    return m->out[lo - 1] + (value - m->in[lo - 1]);
}

void lk_fill_pool(const lk_osec *o, uint8_t *buf)
{
    if (o->pool && o->pool->size)
        memcpy(buf + o->offset + o->pieces[o->pool->piece_index].offset, o->pool->data, o->pool->size);
}

void lk_merge_free(lk_osec *o)
{
    if (!o->pool)
        return;
    free(o->pool->data);
    free(o->pool->slots);
    free(o->pool);
    o->pool = NULL;
}
