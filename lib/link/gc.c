/* --gc-sections: only the sections reachable from the roots are linked.
 * Roots: the entry symbol, -u symbols, the sections a program's start-up
 * runs or reads without naming them (.init, .fini, the init/fini arrays,
 * .ctors/.dtors, notes, SHF_GNU_RETAIN) and, since __start_/__stop_ reach
 * them by name, sections whose names are C identifiers.  A live section's
 * relocations make their targets live, except .eh_frame's references to
 * code: an FDE describes a function, it does not keep it (its references
 * to a dead function are dead too, relocate.c); its personality and
 * language-specific data are kept. */
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"

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

static int mark_global(lk_link *l, work *w, const char *name)
{
    lk_sym *s = lk_sym_find(&l->syms, name, lk_hash(name));
    keel_sym d;
    if (!s || !s->def || keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL) || d.shndx == SHN_ABS ||
        d.shndx == SHN_COMMON)
        return 0;
    return mark(l, w, s->def, d.shndx);
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
    static const char *const prefixes[] = {".init", ".fini", ".preinit_array", ".init_array", ".fini_array",
                                           ".ctors", ".dtors", ".note", ".gcc_except_table", ".eh_frame"};
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
    for (size_t k = 0; k < w.n && !rc; k++) {
        lk_file *f = w.file[k];
        uint32_t target = w.shndx[k];
        keel_shdr tsh;
        const char *tname;
        if (keel_elf_shdr(&f->elf, target, &tsh, NULL) || keel_elf_section_name(&f->elf, &tsh, &tname, NULL) ||
            !f->has_symtab)
            continue;
        bool eh = strcmp(tname, ".eh_frame") == 0;
        for (uint32_t i = 1; i < f->elf.shnum && !rc; i++) {
            keel_shdr sh;
            keel_relocs rs;
            if (keel_elf_shdr(&f->elf, i, &sh, NULL) || sh.type != SHT_RELA || sh.info != target ||
                keel_elf_relocs(&f->elf, i, &rs, NULL))
                continue;
            for (uint64_t r = 0; r < rs.count && !rc; r++) {
                keel_rel rel;
                keel_sym sym;
                const char *sn;
                keel_relocs_get(&rs, r, &rel);
                if (keel_symtab_get(&f->symtab, rel.sym, &sym, NULL))
                    continue;
                if (eh && is_code(f, sym.shndx))
                    continue; /* an FDE describes its function: it does not keep it */
                if (KEEL_ST_BIND(sym.info) == STB_LOCAL)
                    rc = sym.shndx < f->elf.shnum ? mark(l, &w, f, sym.shndx) : 0;
                else if (!keel_symtab_name(&f->symtab, &sym, &sn, NULL)) /* its winning definition */
                    rc = mark_global(l, &w, sn); /* (from .eh_frame: the personality's DW.ref.*) */
            }
        }
    }
    if (!rc && l->opt->print_gc_sections)
        print_removed(l);
    return rc;
}
