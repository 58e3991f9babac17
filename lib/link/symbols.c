/* The global symbol table: names interned in the arena, open addressing
 * over their hashes, sized once from what the inputs declare (objects'
 * symbol counts, archives' indexes) and grown only if that was short. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

uint32_t lk_hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

lk_sym *lk_sym_find(const lk_symtab *t, const char *name, uint32_t hash)
{
    if (!t->cap)
        return NULL;
    for (size_t i = hash & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        lk_sym *s = t->v[i];
        if (!s)
            return NULL;
        if (s->hash == hash && strcmp(s->name, name) == 0)
            return s;
    }
}

static int grow(lk_symtab *t, lk_arena *a)
{
    size_t cap = t->cap ? t->cap * 2 : 1024;
    lk_sym **v = lk_zalloc(a, cap * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < t->cap; i++)
        if (t->v[i]) {
            size_t k = t->v[i]->hash & (cap - 1);
            while (v[k])
                k = (k + 1) & (cap - 1);
            v[k] = t->v[i];
        }
    t->v = v; /* the old array stays in the arena: growing is the exception */
    t->cap = cap;
    return 0;
}

lk_sym *lk_sym_intern(lk_symtab *t, lk_arena *a, const char *name, uint32_t hash)
{
    lk_sym *s = lk_sym_find(t, name, hash);
    if (s)
        return s;
    if ((t->n + 1) * 2 > t->cap && grow(t, a))
        return NULL;
    if (!(s = lk_zalloc(a, sizeof *s)))
        return NULL;
    s->name = name; /* names point into the mapped inputs, which outlive the link */
    s->hash = hash;
    s->state = LK_UNDEF_WEAK;
    size_t k = hash & (t->cap - 1);
    while (t->v[k])
        k = (k + 1) & (t->cap - 1);
    t->v[k] = s;
    t->n++;
    return s;
}

/* The defined symbols in the order their definitions were read (defining
 * file, then symbol index; --defsym ones last, by name): what the output
 * lists and lays out in this order depends only on the inputs, not on the
 * hash table's shape.  The key is (file, index) in one number, sorted by
 * a byte-wise radix sort (qsort's comparisons, each reading two symbols
 * and their files, were 1.6% of a C++ link); equal keys (--defsym, no
 * file) then by name. */
typedef struct keyed {
    uint64_t key;
    lk_sym *s;
} keyed;

static uint64_t definition_key(const lk_sym *s)
{
    return (uint64_t)(s->def ? s->def->index : UINT32_MAX) << 32 | s->def_index;
}

/* a[0..n) by key, stably, through tmp; the result in a or tmp, returned */
static keyed *radix_sort(keyed *a, keyed *tmp, size_t n)
{
    for (unsigned shift = 0; shift < 64 && n > 1; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[(a[i].key >> shift) & 255]++;
        if (count[(a[0].key >> shift) & 255] == n)
            continue; /* every key has this byte: nothing to move */
        size_t at = 0;
        for (size_t b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++)
            tmp[count[(a[i].key >> shift) & 255]++] = a[i];
        keyed *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

int lk_sorted_symbols(lk_link *l, lk_sym ***out, size_t *n)
{
    if (l->sorted) {
        *out = l->sorted;
        *n = l->nsorted;
        return 0;
    }
    size_t count = 0;
    for (size_t i = 0; i < l->syms.cap; i++)
        count += l->syms.v[i] && l->syms.v[i]->state >= LK_COMMON;
    lk_sym **v = lk_alloc(&l->arena, (count + 1) * sizeof *v);
    keyed *a = malloc((count + 1) * sizeof *a), *tmp = malloc((count + 1) * sizeof *tmp);
    if (!v || !a || !tmp) {
        free(a);
        free(tmp);
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    }
    count = 0;
    for (size_t i = 0; i < l->syms.cap; i++)
        if (l->syms.v[i] && l->syms.v[i]->state >= LK_COMMON)
            a[count] = (keyed){definition_key(l->syms.v[i]), l->syms.v[i]}, count++;
    keyed *sorted = radix_sort(a, tmp, count);
    for (size_t i = 0; i < count;) { /* a run of one key: by name (insertion; runs are short) */
        size_t j = i + 1;
        while (j < count && sorted[j].key == sorted[i].key)
            j++;
        for (size_t k = i + 1; k < j; k++)
            for (size_t m = k; m > i && strcmp(sorted[m - 1].s->name, sorted[m].s->name) > 0; m--) {
                keyed t = sorted[m];
                sorted[m] = sorted[m - 1];
                sorted[m - 1] = t;
            }
        i = j;
    }
    for (size_t i = 0; i < count; i++)
        v[i] = sorted[i].s;
    free(a);
    free(tmp);
    l->sorted = *out = v;
    l->nsorted = *n = count;
    return 0;
}

lk_sym *lk_file_sym(lk_link *l, lk_file *f, uint64_t symi, const char *name)
{
    if (f->gsym && symi < f->symtab.count && f->gsym[symi])
        return f->gsym[symi];
    lk_sym *s = lk_sym_find(&l->syms, name, lk_hash(name));
    if (s && f->gsym && symi < f->symtab.count)
        f->gsym[symi] = s;
    return s;
}
