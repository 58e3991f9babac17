/* ld.bfd's warnings when a common symbol meets another common or a strong
 * definition (elflink.c's elf_link_add_object_symbols and ldmain.c's
 * multiple_common), in its words:
 *   - always: a definition less aligned than the common it replaces (or
 *     that is dropped for it), and a definition of another size replacing
 *     a common (code compiled against the common writes past it);
 *   - with --warn-common: every common meeting a common or a definition.
 * A weak definition meeting a common gets none, as in ld.bfd. */
#include <stdio.h>

#include "internal.h"

enum { SHN_COMMON = 0xfff2 };

/* log2 of a power of two, rounded up otherwise (bfd_log2) */
static unsigned log2_up(uint64_t x)
{
    unsigned r = 0;
    if (x <= 1)
        return 0;
    x--;
    do
        r++;
    while ((x >>= 1) != 0);
    return r;
}

/* A definition's alignment as ld.bfd counts it: its section's, or less
 * if its offset there is less aligned. */
static unsigned definition_align(const lk_file *f, const keel_sym *sym)
{
    keel_shdr sh;
    unsigned a = 0;
    if (!keel_elf_shdr(&f->elf, sym->shndx, &sh, NULL))
        a = log2_up(sh.addralign);
    for (unsigned v = 0; v < a; v++)
        if (sym->value & ((uint64_t)1 << v))
            return v;
    return a;
}

static void alignment(const lk_link *l, const char *name, unsigned normal, const lk_file *nf, unsigned common,
                      const lk_file *cf)
{
    if (normal < common && normal < 64 && common < 64)
        lk_diag(l, KEEL_DIAG_WARNING, "warning: alignment %llu of symbol `%s' in %s is smaller than %llu in %s",
                (unsigned long long)1 << normal, name, nf->name, (unsigned long long)1 << common, cf->name);
}

void lk_common_meets(lk_link *l, const lk_sym *s, const lk_file *f, const keel_sym *sym, const char *name)
{
    bool warn = l->opt->warn_common;
    keel_sym d;
    if (s->defsym || !s->def)
        return;
    if (sym->raw_shndx == SHN_COMMON && s->state == LK_COMMON) {
        if (!warn)
            return;
        if (s->size > sym->size)
            lk_diag(l, KEEL_DIAG_WARNING, "%s: warning: common of `%s' overridden by larger common from %s", f->name,
                    name, s->def->name);
        else if (sym->size > s->size)
            lk_diag(l, KEEL_DIAG_WARNING, "%s: warning: common of `%s' overriding smaller common from %s", f->name,
                    name, s->def->name);
        else
            lk_diag(l, KEEL_DIAG_WARNING, "%s and %s: warning: multiple common of `%s'", f->name, s->def->name, name);
    } else if (sym->raw_shndx == SHN_COMMON && s->state == LK_DEFINED) {
        if (warn)
            lk_diag(l, KEEL_DIAG_WARNING, "%s: warning: common of `%s' overridden by definition from %s", f->name, name,
                    s->def->name);
        if (!keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL) && d.shndx < s->def->elf.shnum)
            alignment(l, name, definition_align(s->def, &d), s->def, log2_up(sym->value), f);
    } else if (sym->raw_shndx != SHN_COMMON && s->state == LK_COMMON) { /* a strong definition replaces it */
        if (warn)
            lk_diag(l, KEEL_DIAG_WARNING, "%s: warning: definition of `%s' overriding common from %s", f->name, name,
                    s->def->name);
        alignment(l, name, definition_align(f, sym), f, log2_up(s->align), s->def);
        if (sym->size && s->size && sym->size != s->size)
            lk_diag(l, KEEL_DIAG_WARNING, "warning: size of symbol `%s' changed from %llu in %s to %llu in %s", name,
                    (unsigned long long)s->size, s->def->name, (unsigned long long)sym->size, f->name);
    }
}
