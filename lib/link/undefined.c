/* Undefined references, said as ld.bfd says them (ldmain.c's
 * undefined_symbol, ldmisc.c's %C and %D):
 *
 *   main.o: in function 'f':
 *   main.c:(.text+0xa): undefined reference to 'foo'
 *   main.c:(.text+0x11): undefined reference to 'foo'
 *   main.o:main.c:(.text+0x2d): more undefined references to 'foo' follow
 *   main.o:(.data+0x0): undefined reference to 'var'
 *
 * Every reference is visited in the order ld.bfd relocates them: the
 * files in the order their first section appears in the output, each
 * file's sections in header order, each section's relocations in order.
 * Five references in a row to one symbol are said, the sixth says more
 * follow, the rest nothing.  The place is "file:(section+offset)", with
 * ld.bfd's "in function" line when a function symbol covers it (its
 * file name the STT_FILE before it); DWARF line numbers are not read,
 * so a -g object's references name section+offset where ld.bfd names
 * file:line.  Each message goes to the diag callback; the error keeps
 * the first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "../elfdefs.h"

/* A symbol bfd's elf_find_function may take for the function at a place.
 * A file's are gathered once, sorted by section, place and symbol order. */
typedef struct candidate {
    uint32_t shndx;
    uint64_t off, size; /* size 0 counts as 1, as in bfd */
    uint64_t seq;       /* its index in the symbol table */
    const char *name;
    const char *file; /* the STT_FILE name bfd gives it, or NULL */
    bool func;        /* STT_FUNC: preferred over another at the same place */
} candidate;

typedef struct reporter {
    lk_link *l;
    bool warn;
    size_t said;
    /* ldmain.c's "in a row": the symbol of the last reference, how many */
    const lk_sym *row_sym;
    unsigned row;
    /* ldmisc.c's last %C place with a function: its "in function" line is
     * not repeated while file, source name and function stay the same */
    const lk_file *last_file;
    const char *last_src, *last_func;
    /* the candidates of the file being walked, gathered on its first
     * message (most files with references have none to say) */
    const lk_file *cand_file;
    candidate *cand;
    size_t ncand, capcand;
} reporter;

static int by_place(const void *a, const void *b)
{
    const candidate *x = a, *y = b;
    if (x->shndx != y->shndx)
        return x->shndx < y->shndx ? -1 : 1;
    if (x->off != y->off)
        return x->off < y->off ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The candidates of f (bfd's _bfd_elf_maybe_function_sym): not section,
 * file, object nor TLS symbols, nor the local hidden zero-size no-type
 * markers annobin leaves.  The file name follows elf_find_function: the
 * last STT_FILE before the symbol, for a global only while no other
 * symbol came between two STT_FILEs. */
static int gather(reporter *r, lk_file *f)
{
    r->cand_file = f, r->ncand = 0;
    const char *file = NULL;
    enum { NOTHING_SEEN, SYMBOL_SEEN, FILE_AFTER_SYMBOL } state = NOTHING_SEEN;
    for (uint64_t i = 1; f->has_symtab && i < f->symtab.count; i++) {
        keel_sym s;
        const char *name;
        if (keel_symtab_get(&f->symtab, i, &s, NULL) || keel_symtab_name(&f->symtab, &s, &name, NULL))
            continue;
        uint8_t type = KEEL_ST_TYPE(s.info);
        bool local = KEEL_ST_BIND(s.info) == STB_LOCAL;
        if (type == STT_FILE) {
            file = name;
            if (state == SYMBOL_SEEN)
                state = FILE_AFTER_SYMBOL;
            continue;
        }
        if (state == NOTHING_SEEN)
            state = SYMBOL_SEEN;
        if (type == STT_SECTION || type == STT_OBJECT || type == STT_TLS || s.shndx == 0 || s.shndx >= f->elf.shnum)
            continue;
        if (s.size == 0 && local && type == STT_NOTYPE && KEEL_ST_VISIBILITY(s.other) == STV_HIDDEN)
            continue;
        candidate *v = lk_grow(&r->l->arena, r->cand, r->ncand, &r->capcand, sizeof *v, 16);
        if (!v)
            return lk_fail(r->l, KEEL_E_NOMEM, "out of memory");
        r->cand = v;
        v[r->ncand++] = (candidate){.shndx = s.shndx,
                                    .off = s.value,
                                    .size = s.size ? s.size : 1,
                                    .seq = i,
                                    .name = name,
                                    .file = file && (local || state != FILE_AFTER_SYMBOL) ? file : NULL,
                                    .func = type == STT_FUNC};
    }
    if (r->ncand > 1)
        qsort(r->cand, r->ncand, sizeof *r->cand, by_place);
    return 0;
}

/* The function at sec+off (bfd's better_fit over the candidates in symbol
 * order): the nearest at or before it; of several at that place, in
 * symbol order, one that covers off over one that does not, then a
 * function, then the smaller. */
static const candidate *function_at(const reporter *r, uint32_t sec, uint64_t off)
{
    size_t lo = 0, hi = r->ncand; /* the first after (sec, off) */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const candidate *c = &r->cand[mid];
        if (c->shndx < sec || (c->shndx == sec && c->off <= off))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo || r->cand[lo - 1].shndx != sec)
        return NULL;
    size_t first = lo - 1;
    while (first && r->cand[first - 1].shndx == sec && r->cand[first - 1].off == r->cand[lo - 1].off)
        first--;
    const candidate *best = &r->cand[first];
    for (size_t i = first + 1; i < lo; i++) {
        const candidate *c = &r->cand[i];
        if (best->off + best->size <= off || (c->func && !best->func) ||
            (c->func == best->func && c->size < best->size))
            best = c;
    }
    return best;
}

/* One message, to the diag callback; the first is the error's. */
static void say(reporter *r, const char *msg)
{
    lk_diag(r->l, r->warn ? KEEL_DIAG_WARNING : KEEL_DIAG_ERROR, "%s", msg);
    if (!r->said++ && !r->l->undef_ok)
        lk_fail(r->l, KEEL_E_INDEX, "%s", msg);
}

/* One reference to s at sec+off of f (ldmain.c's undefined_symbol). */
static int reference(reporter *r, lk_file *f, uint32_t sec, const char *secname, uint64_t off, const lk_sym *s)
{
    if (s == r->row_sym) {
        if (++r->row > 5)
            return 0;
    } else
        r->row_sym = s, r->row = 0;
    if (r->cand_file != f && gather(r, f))
        return -1;
    const candidate *fn = function_at(r, sec, off);
    const char *warn = r->warn ? "warning: " : "";
    char head[600] = "", place[600], msg[1400];
    /* %C: a place in a function says "in function" when it changes, then
     * the source name; elsewhere the file; %D (more follow) always the
     * file, and forgets the function */
    bool more = r->row == 5;
    if (fn && !more) {
        if (r->last_file != f || !r->last_func || !r->last_src != !fn->file ||
            (fn->file && strcmp(r->last_src, fn->file) != 0) || strcmp(r->last_func, fn->name) != 0)
            snprintf(head, sizeof head, "%s: in function '%s':\n", f->name, fn->name);
        r->last_file = f, r->last_src = fn->file, r->last_func = fn->name;
        snprintf(place, sizeof place, "%s%s(%s+0x%llx)", fn->file ? fn->file : "", fn->file ? ":" : "", secname,
                 (unsigned long long)off);
    } else {
        r->last_file = NULL, r->last_src = r->last_func = NULL;
        snprintf(place, sizeof place, "%s:%s%s(%s+0x%llx)", f->name, fn && fn->file ? fn->file : "",
                 fn && fn->file ? ":" : "", secname, (unsigned long long)off);
    }
    if (more)
        snprintf(msg, sizeof msg, "%s: %smore undefined references to '%s' follow", place, warn, s->name);
    else
        snprintf(msg, sizeof msg, "%s%s: %sundefined reference to '%s'", head, place, warn, s->name);
    say(r, msg);
    return 0;
}

/* The references of f's linked sections to the marked symbols. */
static int file_references(reporter *r, lk_file *f)
{
    for (uint32_t i = 1; f->has_symtab && i < f->elf.shnum; i++) {
        keel_shdr sh, target;
        keel_relocs rs;
        const char *secname;
        if (keel_elf_shdr(&f->elf, i, &sh, NULL) || sh.type != SHT_RELA || sh.info >= f->elf.shnum ||
            !f->out[sh.info] || f->out[sh.info]->type == SHT_NOBITS || keel_elf_relocs(&f->elf, i, &rs, NULL))
            continue; /* not applied (output.c applies the same ones) */
        if (keel_elf_shdr(&f->elf, sh.info, &target, NULL) || keel_elf_section_name(&f->elf, &target, &secname, NULL))
            secname = "?";
        for (uint64_t k = 0; k < rs.count; k++) {
            keel_rel rel;
            keel_sym sym;
            const char *name;
            keel_relocs_get(&rs, k, &rel);
            if (rel.sym < f->symtab.first_global || keel_symtab_get(&f->symtab, rel.sym, &sym, NULL) ||
                keel_symtab_name(&f->symtab, &sym, &name, NULL))
                continue;
            const lk_sym *s = lk_file_sym(r->l, f, rel.sym, name);
            if (s && s->mark && reference(r, f, sh.info, secname, rel.offset, s))
                return -1;
        }
    }
    return 0;
}

int lk_report_undefined(lk_link *l)
{
    reporter r = {.l = l, .warn = l->opt->warn_unresolved};
    /* ld.bfd relocates a file whole when the output first reaches one of
     * its sections: the files in that order, then any never reached */
    bool *done = lk_zalloc(&l->arena, l->nfiles + 1);
    if (!done)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t g = 0; g < l->nsegs; g++)
        for (size_t i = 0; i < l->segs[g]->nsecs; i++) {
            const lk_osec *os = l->segs[g]->secs[i];
            for (size_t p = 0; p < os->npieces; p++) {
                lk_file *f = os->pieces[p].file;
                if (!f || f->index >= l->nfiles || l->files[f->index] != f || done[f->index])
                    continue;
                done[f->index] = true;
                if (file_references(&r, f))
                    return -1;
            }
        }
    for (size_t fi = 0; fi < l->nfiles; fi++)
        if (!done[fi] && file_references(&r, l->files[fi]))
            return -1;
    return r.said && !l->undef_ok ? KEEL_E_INDEX : 0;
}
