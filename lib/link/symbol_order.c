/* --symbol-ordering-file FILE, as lld takes it: one symbol name per line
 * (blank lines and lines starting with '#' skipped, spaces trimmed); the
 * input sections that define those symbols go first in their output
 * section, in the order of the file (a section defining several takes the
 * earliest), the others after them in the order they had.  As lld reads
 * it: global symbols are looked up in the link's table (the definition
 * that won), local ones in each object; the first line of a name counts.
 * lld's warnings, in its words, unless --no-warn-symbol-ordering:
 *   symbol ordering file: no such symbol: NAME
 *   FILE: unable to order undefined|absolute|discarded symbol: NAME
 * and the duplicate line's.  The order is applied last, after GNU ld's
 * statements and --sort-section, so it wins over them (as lld's does over
 * its own sorts); the init and fini arrays, notes and merged sections keep
 * theirs.  What moved is recorded for the address map (addrmap.c). */
#include <stdlib.h>
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"
#include "order.h"

/* A line's name: trimmed of spaces and tabs (and a CR). */
static void trim(const char **s, const char **e)
{
    while (*s < *e && (**s == ' ' || **s == '\t' || **s == '\r' || **s == '\v' || **s == '\f'))
        (*s)++;
    while (*e > *s && ((*e)[-1] == ' ' || (*e)[-1] == '\t' || (*e)[-1] == '\r' || (*e)[-1] == '\v' || (*e)[-1] == '\f'))
        (*e)--;
}

static bool warns(const lk_link *l) { return !l->opt->no_warn_symbol_ordering; }

/* Section shndx of f takes priority p if that is earlier than its own. */
static int rank_section(lk_link *l, lk_order *o, lk_file *f, uint32_t shndx, uint32_t p)
{
    if (!shndx || shndx >= f->elf.shnum)
        return 0;
    uint32_t **pr = &o->prio[f->index];
    if (!*pr && !(*pr = lk_zalloc(&l->arena, (f->elf.shnum + 1) * sizeof **pr)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    if (!(*pr)[shndx] || p < (*pr)[shndx])
        (*pr)[shndx] = p;
    return 0;
}

/* A symbol of the file named in the ordering file, with priority e's:
 * its section ranked, or lld's warning why it cannot be. */
static int rank_symbol(lk_link *l, lk_order *o, lk_file *f, const keel_sym *d, lk_sym *e)
{
    e->mark = 1; /* present */
    if (d->shndx == SHN_ABS || (d->raw_shndx >= 0xff00 && d->raw_shndx != 0xffff /* SHN_XINDEX */)) {
        if (d->shndx != SHN_COMMON && warns(l)) /* (a common is in .bss, with the others) */
            lk_diag(l, KEEL_DIAG_WARNING, "warning: %s: unable to order absolute symbol: %s", f->name, e->name);
        return 0;
    }
    if (d->shndx == SHN_UNDEF) {
        if (warns(l))
            lk_diag(l, KEEL_DIAG_WARNING, "warning: %s: unable to order undefined symbol: %s", f->name, e->name);
        return 0;
    }
    if (d->shndx >= f->elf.shnum || !f->out || !f->out[d->shndx]) {
        if (warns(l))
            lk_diag(l, KEEL_DIAG_WARNING, "warning: %s: unable to order discarded symbol: %s", f->name, e->name);
        return 0;
    }
    return rank_section(l, o, f, d->shndx, (uint32_t)e->out_index);
}

/* The names of the file into o->names, each with its line's priority
 * (out_index: 1 first). */
static int read_names(lk_link *l, lk_order *o)
{
    const char *path = l->opt->symbol_ordering_file;
    const uint8_t *data;
    size_t size;
    int rc = lk_map_file(l, path, &data, &size);
    if (rc)
        return rc;
    const char *p = (const char *)data, *end = p + size;
    uint32_t n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *e = nl ? nl : end;
        const char *s = p;
        p = nl ? nl + 1 : end;
        trim(&s, &e);
        if (s == e || *s == '#')
            continue;
        char *name = lk_strndup(&l->arena, s, (size_t)(e - s));
        if (!name)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        uint32_t h = lk_hash(name);
        if (lk_sym_find(&o->names, name, h)) {
            if (warns(l))
                lk_diag(l, KEEL_DIAG_WARNING, "warning: %s: duplicate ordered symbol: %s", path, name);
            continue; /* the first line counts */
        }
        lk_sym *e2 = lk_sym_intern(&o->names, &l->arena, name, h);
        if (!e2)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        e2->out_index = ++n;
        e2->mark = 0;
        if (!(o->list = lk_grow(&l->arena, o->list, o->nlist, &o->caplist, sizeof *o->list, 64)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        o->list[o->nlist++] = e2;
    }
    return 0;
}

int lk_symbol_order_read(lk_link *l)
{
    if (!l->opt->symbol_ordering_file || l->order)
        return 0;
    lk_order *o = lk_zalloc(&l->arena, sizeof *o);
    if (!o || !(o->prio = lk_zalloc(&l->arena, (l->nfiles + 1) * sizeof *o->prio)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    l->order = o;
    int rc = read_names(l, o);
    if (rc || !o->nlist)
        return rc;
    /* the globals: the definition that won (or the file that referenced
     * an undefined one) */
    for (size_t k = 0; k < o->nlist; k++) {
        lk_sym *e = o->list[k];
        lk_sym *s = lk_sym_find(&l->syms, e->name, e->hash);
        if (!s)
            continue;
        uint64_t v;
        if ((s->state == LK_UNDEF || s->state == LK_UNDEF_WEAK) &&
            (lk_linker_value(l, e->name, &v) || lk_seg_size_symbol(l, e->name, NULL))) {
            e->mark = 1; /* _end, __start_SEC...: the link-editor's (lld's "synthetic") */
            if (warns(l))
                lk_diag(l, KEEL_DIAG_WARNING, "warning: <internal>: unable to order synthetic symbol: %s", e->name);
            continue;
        }
        if (s->state == LK_UNDEF || s->state == LK_UNDEF_WEAK) {
            if (s->ref) {
                e->mark = 1;
                if (warns(l) && !l->opt->ignore_unresolved)
                    lk_diag(l, KEEL_DIAG_WARNING, "warning: %s: unable to order undefined symbol: %s", s->ref->name,
                            e->name);
            }
            continue;
        }
        if (s->defsym || !s->def) { /* --defsym: no section */
            e->mark = 1;
            if (warns(l))
                lk_diag(l, KEEL_DIAG_WARNING, "warning: %s: unable to order absolute symbol: %s", "<internal>",
                        e->name);
            continue;
        }
        if (s->state == LK_COMMON) { /* in .bss with the other commons (lld's too: no warning) */
            e->mark = 1;
            continue;
        }
        keel_sym d;
        if (keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL))
            continue;
        if ((rc = rank_symbol(l, o, s->def, &d, e)))
            return rc;
    }
    /* the locals of every object (STT_SECTION and STT_FILE have no name of their own) */
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        if (!f->has_symtab)
            continue;
        uint64_t nlocal = f->sections[f->symtab.section].info;
        if (nlocal > f->symtab.count)
            nlocal = f->symtab.count;
        for (uint64_t i = 1; i < nlocal; i++) {
            keel_sym d;
            const char *name;
            if (keel_symtab_get(&f->symtab, i, &d, NULL) || KEEL_ST_TYPE(d.info) == STT_SECTION ||
                KEEL_ST_TYPE(d.info) == STT_FILE || keel_symtab_name(&f->symtab, &d, &name, NULL) || !*name)
                continue;
            lk_sym *e = lk_sym_find(&o->names, name, lk_hash(name));
            if (e && (rc = rank_symbol(l, o, f, &d, e)))
                return rc;
        }
    }
    for (size_t k = 0; warns(l) && k < o->nlist; k++)
        if (!o->list[k]->mark)
            lk_diag(l, KEEL_DIAG_WARNING, "warning: symbol ordering file: no such symbol: %s", o->list[k]->name);
    return 0;
}

typedef struct keyed {
    lk_piece piece;
    uint32_t prio; /* 0: not ordered */
    uint32_t at;   /* its place before */
} keyed;

static int by_priority(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    uint32_t px = x->prio ? x->prio : UINT32_MAX, py = y->prio ? y->prio : UINT32_MAX;
    if (px != py)
        return px < py ? -1 : 1;
    return (x->at > y->at) - (x->at < y->at);
}

int lk_symbol_order_apply(lk_link *l, lk_osec *o)
{
    lk_order *ord = l->order;
    if (!ord || !ord->nlist || o->npieces < 2 || o->pool || o->type == SHT_INIT_ARRAY || o->type == SHT_FINI_ARRAY ||
        o->type == SHT_PREINIT_ARRAY || o->type == SHT_NOTE)
        return 0;
    bool any = false;
    for (size_t i = 0; i < o->npieces && !any; i++) {
        const lk_piece *p = &o->pieces[i];
        any = p->file && ord->prio[p->file->index] && ord->prio[p->file->index][p->shndx];
    }
    if (!any)
        return 0;
    keyed *k = lk_alloc(&l->arena, o->npieces * sizeof *k);
    if (!k)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t i = 0; i < o->npieces; i++) {
        const lk_piece *p = &o->pieces[i];
        k[i].piece = *p;
        k[i].at = (uint32_t)i;
        k[i].prio = p->file && ord->prio[p->file->index] ? ord->prio[p->file->index][p->shndx] : 0;
    }
    qsort(k, o->npieces, sizeof *k, by_priority);
    bool moved = false;
    for (size_t i = 0; i < o->npieces; i++) {
        moved |= k[i].at != i;
        o->pieces[i] = k[i].piece;
        if (!o->pieces[i].file && o == l->common) /* the commons' block keeps its name by index */
            l->common_piece = i;
        if (!o->pieces[i].file && o == l->tcommon)
            l->tcommon_piece = i;
    }
    if (moved)
        ord->moved = true;
    return 0;
}
