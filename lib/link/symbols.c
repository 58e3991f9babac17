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
 * hash table's shape. */
static int by_definition(const void *a, const void *b)
{
    const lk_sym *x = *(lk_sym *const *)a, *y = *(lk_sym *const *)b;
    uint32_t fx = x->def ? x->def->index : UINT32_MAX, fy = y->def ? y->def->index : UINT32_MAX;
    if (fx != fy)
        return fx < fy ? -1 : 1;
    if (x->def_index != y->def_index)
        return x->def_index < y->def_index ? -1 : 1;
    return strcmp(x->name, y->name);
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
    if (!v)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    count = 0;
    for (size_t i = 0; i < l->syms.cap; i++)
        if (l->syms.v[i] && l->syms.v[i]->state >= LK_COMMON)
            v[count++] = l->syms.v[i];
    qsort(v, count, sizeof *v, by_definition);
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
