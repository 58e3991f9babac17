/* The table of per-symbol needs (scan.c fills it, the write pass reads
 * it): for each symbol some relocation needs something for -- a GOT slot,
 * a thread-pointer-offset slot, an IPLT entry, a TLS model -- one record,
 * however many relocations use the symbol.  A global's record is shared by
 * every file that references it; a local's is its file's.  The static
 * GOT has one slot per symbol and kind (its address, or for initial-exec
 * TLS its offset from the thread pointer), as GNU ld allocates them; a
 * GOT load that will be relaxed to address the symbol directly needs no
 * slot. */
#include <string.h>

#include "internal.h"
#include "../arch/arch.h"

enum { SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2, STB_LOCAL = 0, STT_TLS = 6 };

/* A record's key: a global symbol (owner the lk_sym, symi UINT64_MAX) or
 * a local one (owner the file, symi its index). */
struct lk_got_entry {
    const void *owner;
    uint64_t symi;
    lk_needs needs;
};

static uint32_t key_hash(const void *owner, uint64_t symi)
{
    uint64_t h = ((uint64_t)(uintptr_t)owner >> 3) * 0x9e3779b97f4a7c15u ^ symi * 0xc2b2ae3d27d4eb4fu;
    return (uint32_t)(h ^ h >> 29);
}

/* The key of symbol symi of f: a global's is its lk_sym, so that every
 * file's reference to it shares the slot. */
static void key_of(lk_link *l, lk_file *f, uint64_t symi, const void **owner, uint64_t *ksymi)
{
    keel_sym sym;
    const char *name;
    *owner = f;
    *ksymi = symi;
    if (keel_symtab_get(&f->symtab, symi, &sym, NULL) || KEEL_ST_BIND(sym.info) == STB_LOCAL)
        return;
    /* asked of every relocation: the global as this file looked it up
     * before, its name read only the first time (lk_file_sym) */
    lk_sym *s = f->gsym && symi < f->symtab.count ? f->gsym[symi] : NULL;
    if (!s && (keel_symtab_name(&f->symtab, &sym, &name, NULL) || !(s = lk_file_sym(l, f, symi, name))))
        return;
    *owner = lk_sym_unalias(s); /* (NAME of NAME@@VER: that symbol's record) */
    *ksymi = UINT64_MAX;
}

static lk_got_entry *find(const lk_link *l, const void *owner, uint64_t symi, size_t *at)
{
    size_t mask = l->gotmap.cap - 1;
    for (size_t i = key_hash(owner, symi) & mask;; i = (i + 1) & mask) {
        lk_got_entry *e = &l->gotmap.v[i];
        if (!e->owner || (e->owner == owner && e->symi == symi)) {
            *at = i;
            return e->owner ? e : NULL;
        }
    }
}

static int grow(lk_link *l)
{
    size_t cap = l->gotmap.cap ? 2 * l->gotmap.cap : 1024;
    lk_got_entry *v = lk_zalloc(&l->arena, cap * sizeof *v);
    if (!v)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t i = 0; i < l->gotmap.cap; i++) {
        lk_got_entry *e = &l->gotmap.v[i];
        if (!e->owner)
            continue;
        size_t k = key_hash(e->owner, e->symi) & (cap - 1);
        while (v[k].owner)
            k = (k + 1) & (cap - 1);
        v[k] = *e;
    }
    l->gotmap.v = v;
    l->gotmap.cap = cap;
    return 0;
}

/* Whether symbol symi of f has an address the link knows to be in reach
 * of the code (a section's, a common's, the link-editor's, or 0 for an
 * undefined weak one), so that a GOTPCRELX load of it relaxes: not an
 * absolute or --defsym value, which may be anywhere. */
bool lk_symbol_direct(lk_link *l, lk_file *f, uint64_t symi)
{
    keel_sym sym;
    const char *name;
    if (keel_symtab_get(&f->symtab, symi, &sym, NULL) || KEEL_ST_TYPE(sym.info) == STT_TLS)
        return false;
    if (KEEL_ST_BIND(sym.info) == STB_LOCAL || sym.shndx != SHN_UNDEF) {
        if (KEEL_ST_BIND(sym.info) != STB_LOCAL) { /* a global: the winning definition counts */
            if (keel_symtab_name(&f->symtab, &sym, &name, NULL))
                return false;
            lk_sym *s = lk_file_sym(l, f, symi, name);
            if (!s || s->defsym || (s->state != LK_DEFINED && s->state != LK_WEAK && s->state != LK_COMMON))
                return false;
            if (s->state == LK_COMMON)
                return s->type != STT_TLS;
            if (s->def != f || s->def_index != symi)
                return lk_symbol_direct(l, s->def, s->def_index);
        }
        return sym.shndx != SHN_UNDEF && sym.raw_shndx != SHN_ABS && sym.raw_shndx != SHN_COMMON &&
               sym.shndx < f->elf.shnum && f->out[sym.shndx];
    }
    if (keel_symtab_name(&f->symtab, &sym, &name, NULL))
        return false;
    lk_sym *s = lk_file_sym(l, f, symi, name);
    uint64_t v;
    if (s && !s->defsym && s->state == LK_UNDEF) /* one the link-editor defines: an address in the output */
        return lk_linker_value(l, name, &v);
    if (s && !s->defsym && s->state == LK_UNDEF_WEAK) /* 0, or the link-editor's */
        return true;
    if (!s || !s->def || s->defsym || (s->state != LK_DEFINED && s->state != LK_WEAK && s->state != LK_COMMON))
        return false;
    return s->state == LK_COMMON ? s->type != STT_TLS : lk_symbol_direct(l, s->def, s->def_index);
}

lk_needs *lk_needs_add(lk_link *l, lk_file *f, uint64_t symi)
{
    const void *owner;
    uint64_t ksymi;
    size_t at;
    key_of(l, f, symi, &owner, &ksymi);
    if ((l->gotmap.n + 1) * 2 > l->gotmap.cap && grow(l))
        return NULL;
    lk_got_entry *e = find(l, owner, ksymi, &at);
    if (e)
        return &e->needs;
    l->gotmap.v[at] = (lk_got_entry){owner, ksymi, {0}};
    l->gotmap.n++;
    return &l->gotmap.v[at].needs;
}

const lk_needs *lk_needs_of(lk_link *l, lk_file *f, uint64_t symi)
{
    const void *owner;
    uint64_t ksymi;
    size_t at;
    if (!l->gotmap.cap)
        return NULL;
    key_of(l, f, symi, &owner, &ksymi);
    const lk_got_entry *e = find(l, owner, ksymi, &at);
    return e ? &e->needs : NULL;
}

lk_needs *lk_needs_of_sym(lk_link *l, const lk_sym *s)
{
    size_t at;
    lk_got_entry *e = l->gotmap.cap ? find(l, s, UINT64_MAX, &at) : NULL;
    return e ? &e->needs : NULL;
}

int lk_got_slot(lk_link *l, lk_file *f, uint64_t symi, uint32_t kind, uint64_t *slot)
{
    const lk_needs *n = lk_needs_of(l, f, symi);
    uint16_t flag = kind == LK_GOT_TPOFF ? LK_N_GOT_TPOFF : LK_N_GOT;
    if (!n || !(n->flags & flag))
        return -1;
    *slot = kind == LK_GOT_TPOFF ? n->got_tpoff : n->got;
    return 0;
}
