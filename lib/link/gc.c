/* --gc-sections: only the sections reachable from the roots are linked.
 * Roots: the entry symbol, -u symbols, the sections a program's start-up
 * runs or reads without naming them (.init, .fini, the init/fini arrays,
 * .ctors/.dtors, notes, SHF_GNU_RETAIN) and, since __start_/__stop_ reach
 * them by name, sections whose names are C identifiers; in a dynamic
 * output, its exports.  A live section's relocations make their targets
 * live, except .eh_frame's references to code: an FDE describes a
 * function, it does not keep it (its references to a dead function are
 * dead too, relocate.c).  An FDE's other
 * references (its function's LSDA in .gcc_except_table) are followed
 * only once its function is live, as ld.bfd's _bfd_elf_gc_mark_fdes
 * does; a CIE's (the personality) always. */
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"
#include "export_policy.h"

typedef struct work {
    lk_file **file;
    uint32_t *shndx;
    size_t n, cap;
} work;

static int mark(lk_link *l, work *w, lk_file *f, uint32_t shndx)
{
    if (shndx == 0 || shndx >= f->elf.shnum || f->live[shndx] || f->dropped[shndx])
        return 0;
    f->live[shndx] = true;
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 1024;
        lk_file **fv = lk_alloc(&l->arena, cap * sizeof *fv);
        uint32_t *sv = lk_alloc(&l->arena, cap * sizeof *sv);
        if (!fv || !sv)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        if (w->n) {
            memcpy(fv, w->file, w->n * sizeof *fv);
            memcpy(sv, w->shndx, w->n * sizeof *sv);
        }
        w->file = fv;
        w->shndx = sv;
        w->cap = cap;
    }
    w->file[w->n] = f;
    w->shndx[w->n++] = shndx;
    return 0;
}

static int mark_sym(lk_link *l, work *w, const lk_sym *s)
{
    keel_sym d;
    if (!s || !s->def || keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL) || d.raw_shndx == SHN_ABS ||
        d.raw_shndx == SHN_COMMON)
        return 0;
    return mark(l, w, s->def, d.shndx);
}

static int mark_global(lk_link *l, work *w, const char *name)
{
    return mark_sym(l, w, lk_sym_find(&l->syms, name, lk_hash(name)));
}

static bool is_code(const lk_file *f, uint32_t shndx)
{
    keel_shdr sh;
    return shndx < f->elf.shnum && !keel_elf_shdr(&f->elf, shndx, &sh, NULL) && (sh.flags & SHF_EXECINSTR);
}

static bool c_identifier(const char *s)
{
    if (!*s || (*s >= '0' && *s <= '9'))
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return false;
    return true;
}

static bool is_root(const char *name, const keel_shdr *sh)
{
    static const char *const prefixes[] = {".init",  ".fini",  ".preinit_array", ".init_array", ".fini_array",
                                           ".ctors", ".dtors", ".note",          ".eh_frame"};
    if (sh->type == SHT_NOTE || sh->type == SHT_INIT_ARRAY || sh->type == SHT_FINI_ARRAY ||
        sh->type == SHT_PREINIT_ARRAY || (sh->flags & SHF_GNU_RETAIN) || c_identifier(name))
        return true;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t n = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], n) == 0 && (name[n] == 0 || name[n] == '.'))
            return true;
    }
    return false;
}

/* --print-gc-sections: ld.bfd's line for each allocated section with
 * contents that the collection drops, in input order (.eh_frame is kept
 * whole and trimmed elsewhere; a COMDAT copy not taken was never in). */
static void print_removed(lk_link *l)
{
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh;
            const char *name;
            if (f->live[i] || f->dropped[i] || keel_elf_shdr(&f->elf, i, &sh, NULL) ||
                keel_elf_section_name(&f->elf, &sh, &name, NULL) || !(sh.flags & SHF_ALLOC) || !sh.size ||
                strcmp(name, ".eh_frame") == 0)
                continue;
            lk_diag(l, KEEL_DIAG_NOTE, "removing unused section '%s' in file '%s'", name, f->name);
        }
    }
}

/* A file's sections by what reaches out of them: the RELA section of each
 * (one scan, not one per live section), and the references of the FDEs
 * of its .eh_frame grouped by the function each describes (CSR). */
typedef struct gc_index {
    uint32_t *rela_of;    /* per section: its RELA section, 0 none */
    uint32_t eh, eh_rela; /* the .eh_frame and its RELA section, 0 none */
    bool *conditional;    /* per relocation of eh_rela: an FDE's, followed when its function is live */
    uint32_t *first;      /* per section + 1: its FDEs' references, refs[first[i]..first[i+1]) */
    uint32_t *refs;       /* relocation indexes in eh_rela */
} gc_index;

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* The section an FDE's pc_begin (relocation r) names, if it is local code. */
static uint32_t fde_function(const lk_file *f, const keel_rel *r)
{
    keel_sym sym;
    if (keel_symtab_get(&f->symtab, r->sym, &sym, NULL) || KEEL_ST_BIND(sym.info) != STB_LOCAL ||
        !is_code(f, sym.shndx))
        return 0;
    return sym.shndx;
}

/* The FDEs of f's .eh_frame: which relocations each has, by function.
 * Anything unusual (a 64-bit length, relocations out of order, a second
 * .eh_frame) leaves them unconditional, as before. */
static int index_fdes(lk_link *l, lk_file *f, gc_index *x)
{
    keel_shdr sh;
    keel_relocs rs;
    const uint8_t *d;
    uint64_t size;
    if (!x->eh || !x->eh_rela || keel_elf_shdr(&f->elf, x->eh, &sh, NULL) ||
        keel_elf_section_data(&f->elf, &sh, &d, &size, NULL) || size < sh.size ||
        keel_elf_relocs(&f->elf, x->eh_rela, &rs, NULL))
        return 0;
    size = sh.size;
    uint64_t prev = 0;
    for (uint64_t r = 0; r < rs.count; r++) { /* in order of offset, as assemblers write them */
        keel_rel rel;
        keel_relocs_get(&rs, r, &rel);
        if (rel.offset < prev)
            return 0;
        prev = rel.offset;
    }
    uint32_t *owner = lk_zalloc(&l->arena, (rs.count + 1) * sizeof *owner); /* per relocation: its FDE's function */
    if (!owner || !(x->conditional = lk_zalloc(&l->arena, rs.count + 1)) ||
        !(x->first = lk_zalloc(&l->arena, (f->elf.shnum + 2) * sizeof *x->first)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    uint64_t r = 0, n = 0;
    for (uint64_t p = 0; p + 8 <= size;) {
        uint32_t len = get32(d + p);
        if (len == 0 || len == 0xffffffffu || len > size - p - 4)
            break;
        uint64_t end = p + 4 + len;
        uint32_t fn = 0;
        for (; r < rs.count; r++) {
            keel_rel rel;
            keel_relocs_get(&rs, r, &rel);
            if (rel.offset >= end)
                break;
            if (rel.offset < p || get32(d + p + 4) == 0)
                continue; /* a CIE's: always followed */
            if (rel.offset == p + 8)
                fn = fde_function(f, &rel);
            else if (fn) {
                owner[r] = fn;
                x->conditional[r] = true;
                x->first[fn + 1]++;
                n++;
            }
        }
        p = end;
    }
    for (uint32_t i = 1; i <= f->elf.shnum; i++)
        x->first[i] += x->first[i - 1];
    uint32_t *at = lk_alloc(&l->arena, (f->elf.shnum + 1) * sizeof *at);
    if (!at || !(x->refs = lk_alloc(&l->arena, (n + 1) * sizeof *x->refs)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    memcpy(at, x->first, (f->elf.shnum + 1) * sizeof *at);
    for (uint64_t k = 0; k < rs.count; k++)
        if (x->conditional[k])
            x->refs[at[owner[k]]++] = (uint32_t)k;
    return 0;
}

static int index_file(lk_link *l, lk_file *f, gc_index *x)
{
    if (!(x->rela_of = lk_zalloc(&l->arena, (f->elf.shnum + 1) * sizeof *x->rela_of)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (uint32_t i = 1; i < f->elf.shnum; i++) {
        keel_shdr sh;
        const char *name;
        if (keel_elf_shdr(&f->elf, i, &sh, NULL) || keel_elf_section_name(&f->elf, &sh, &name, NULL))
            continue;
        if (sh.type == SHT_RELA && sh.info < f->elf.shnum)
            x->rela_of[sh.info] = x->rela_of[sh.info] ? UINT32_MAX : i; /* two for one: scanned (rare) */
        else if (strcmp(name, ".eh_frame") == 0)
            x->eh = x->eh ? UINT32_MAX : i;
    }
    if (x->eh == UINT32_MAX || !x->eh || x->rela_of[x->eh] == UINT32_MAX)
        return 0;
    x->eh_rela = x->rela_of[x->eh];
    return index_fdes(l, f, x);
}

/* What relocation r of section rela of f reaches becomes live. */
static int follow(lk_link *l, work *w, lk_file *f, const keel_relocs *rs, uint64_t r, bool eh)
{
    keel_rel rel;
    keel_sym sym;
    const char *sn;
    keel_relocs_get(rs, r, &rel);
    if (keel_symtab_get(&f->symtab, rel.sym, &sym, NULL))
        return 0;
    if (eh && is_code(f, sym.shndx))
        return 0; /* an FDE describes its function: it does not keep it */
    if (KEEL_ST_BIND(sym.info) == STB_LOCAL)
        return sym.shndx < f->elf.shnum ? mark(l, w, f, sym.shndx) : 0;
    if (!keel_symtab_name(&f->symtab, &sym, &sn, NULL)) /* its winning definition */
        return mark_global(l, w, sn);                   /* (from .eh_frame: the personality's DW.ref.*) */
    return 0;
}

int lk_gc_sections(lk_link *l)
{
    work w = {0};
    int rc = 0;
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        if (!(f->live = lk_zalloc(&l->arena, f->elf.shnum + 1)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    }
    const char *entry = l->opt->entry ? l->opt->entry : "_start";
    rc = mark_global(l, &w, entry);
    for (size_t i = 0; i < l->opt->nundefined && !rc; i++)
        rc = mark_global(l, &w, l->opt->undefined[i]);
    /* a dynamic output's exports (the symbol policy's, a pass before:
     * -shared, -E, a dynamic list, what a shared library references):
     * another module may reach them (ld.bfd's
     * bfd_elf_gc_mark_dynamic_ref_symbol) */
    for (size_t i = 0; i < l->syms.cap && !rc; i++) {
        const lk_sym *s = l->syms.v[i];
        if (s && !s->defsym && (s->state == LK_DEFINED || s->state == LK_WEAK) && lk_sym_exported(l, s))
            rc = mark_sym(l, &w, s);
    }
    for (size_t fi = 0; fi < l->nfiles && !rc; fi++) {
        lk_file *f = l->files[fi];
        for (uint32_t i = 1; i < f->elf.shnum && !rc; i++) {
            keel_shdr sh;
            const char *name;
            if (keel_elf_shdr(&f->elf, i, &sh, NULL) || keel_elf_section_name(&f->elf, &sh, &name, NULL))
                continue;
            if ((sh.flags & SHF_ALLOC) && is_root(name, &sh))
                rc = mark(l, &w, f, i);
        }
    }
    /* everything a live section's relocations reach */
    gc_index *idx = lk_zalloc(&l->arena, (l->nfiles + 1) * sizeof *idx);
    if (!idx)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t fi = 0; fi < l->nfiles && !rc; fi++)
        rc = l->files[fi]->has_symtab ? index_file(l, l->files[fi], &idx[fi]) : 0;
    for (size_t k = 0; k < w.n && !rc; k++) {
        lk_file *f = w.file[k];
        uint32_t target = w.shndx[k];
        /* f->index is f's place in l->files (object.c) */
        const gc_index *x = f->index < l->nfiles && l->files[f->index] == f ? &idx[f->index] : NULL;
        keel_shdr tsh;
        const char *tname;
        if (!x || keel_elf_shdr(&f->elf, target, &tsh, NULL) || keel_elf_section_name(&f->elf, &tsh, &tname, NULL) ||
            !f->has_symtab)
            continue;
        bool eh = strcmp(tname, ".eh_frame") == 0;
        keel_relocs rs;
        if (x->first && x->first[target + 1] > x->first[target] && !keel_elf_relocs(&f->elf, x->eh_rela, &rs, NULL))
            for (uint32_t j = x->first[target]; j < x->first[target + 1] && !rc; j++) /* its FDEs' LSDAs */
                rc = follow(l, &w, f, &rs, x->refs[j], true);
        uint32_t only = x->rela_of[target];
        for (uint32_t i = only && only != UINT32_MAX ? only : 1; i < f->elf.shnum && only && !rc; i++) {
            keel_shdr sh;
            if (keel_elf_shdr(&f->elf, i, &sh, NULL) || sh.type != SHT_RELA || sh.info != target ||
                keel_elf_relocs(&f->elf, i, &rs, NULL))
                continue;
            bool fdes = eh && i == x->eh_rela && x->conditional;
            for (uint64_t r = 0; r < rs.count && !rc; r++)
                if (!(fdes && x->conditional[r])) /* an FDE's, followed with its function */
                    rc = follow(l, &w, f, &rs, r, eh);
            if (only != UINT32_MAX)
                break;
        }
    }
    if (!rc && l->opt->print_gc_sections)
        print_removed(l);
    return rc;
}
