/* Where a dropped COMDAT or .gnu.linkonce copy went: its kept twin.
 * Debug information of the copy that lost still describes that code;
 * ld.bfd's _bfd_elf_check_kept_section points such references at the
 * copy that won (the member of the same name in the kept group, or the
 * kept linkonce section) when the two are of the same size.  Without that,
 * a .debug_ranges entry of an inline function would end its list. */
#include <string.h>

#include "internal.h"

enum { SHT_GROUP = 17 };

/* f's section shndx is dropped because winner (a group or linkonce record
 * of l->groups or l->linkonce) was taken first: remember it. */
int lk_keep_dropped(lk_link *l, lk_file *f, uint32_t shndx, lk_sym *winner)
{
    if (!f->kept && !(f->kept = lk_zalloc(&l->arena, (f->elf.shnum + 1) * sizeof *f->kept)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    f->dropped[shndx] = true;
    f->kept[shndx] = winner;
    return 0;
}

/* Section k of kf: of that size, and of that name unless name is NULL */
static bool same(const keel_shdr *sh, const char *name, const lk_file *kf, uint32_t k)
{
    keel_shdr ksh;
    const char *kname;
    return !keel_elf_shdr(&kf->elf, k, &ksh, NULL) && !keel_elf_section_name(&kf->elf, &ksh, &kname, NULL) &&
           (!name || strcmp(name, kname) == 0) && ksh.size == sh->size;
}

bool lk_kept_section(const lk_file *f, uint32_t shndx, lk_file **kf, uint32_t *kshndx)
{
    const lk_sym *w = f->kept && shndx < f->elf.shnum ? f->kept[shndx] : NULL;
    keel_shdr sh, wsh;
    const char *name;
    if (!w || !w->def || keel_elf_shdr(&f->elf, shndx, &sh, NULL) || keel_elf_section_name(&f->elf, &sh, &name, NULL) ||
        keel_elf_shdr(&w->def->elf, w->def_index, &wsh, NULL))
        return false;
    lk_file *d = w->def;
    uint32_t found = 0;
    if (wsh.type == SHT_GROUP) { /* the kept group's member of that name (ld.bfd's match_group_member) */
        keel_group g;
        if (keel_elf_group(&d->elf, w->def_index, &g, NULL))
            return false;
        for (uint32_t i = 0; i < g.count && !found; i++) {
            uint32_t m = keel_group_member(&g, i);
            if (m < d->elf.shnum && same(&sh, name, d, m))
                found = m;
        }
        /* a linkonce section dropped for a one-member group of its key */
        uint32_t m = found ? 0 : lk_sole_member(d, w->def_index);
        if (m && lk_linkonce_key(name) && same(&sh, NULL, d, m))
            found = m;
    } else if (same(&sh, NULL, d, w->def_index)) { /* the kept linkonce section (of the name, or of the key) */
        found = w->def_index;
    }
    if (!found || found >= d->elf.shnum || !d->out || !d->out[found])
        return false; /* no twin of that size, or the kept one collected too */
    *kf = d;
    *kshndx = found;
    return true;
}

int lk_keep_members(lk_link *l, lk_file *f)
{
    for (uint32_t i = 1; f->kept && i < f->elf.shnum; i++) {
        keel_shdr sh;
        keel_group g;
        if (!f->kept[i] || keel_elf_shdr(&f->elf, i, &sh, NULL) || sh.type != SHT_GROUP ||
            keel_elf_group(&f->elf, i, &g, NULL))
            continue;
        for (uint32_t k = 0; k < g.count; k++) {
            uint32_t m = keel_group_member(&g, k);
            int rc = m < f->elf.shnum ? lk_keep_dropped(l, f, m, f->kept[i]) : 0;
            if (rc)
                return rc;
        }
    }
    return 0;
}

const char *lk_linkonce_key(const char *name)
{
    if (strncmp(name, ".gnu.linkonce.", 14) != 0)
        return NULL;
    const char *dot = strchr(name + 14, '.');
    return dot ? dot + 1 : NULL;
}

uint32_t lk_sole_member(const lk_file *f, uint32_t g)
{
    keel_group grp;
    if (keel_elf_group(&f->elf, g, &grp, NULL) || grp.count != 1)
        return 0;
    uint32_t m = keel_group_member(&grp, 0);
    return m < f->elf.shnum ? m : 0;
}

/* Whether section sec of f defines a symbol of that name. */
static bool defines(const lk_file *f, uint32_t sec, const char *name)
{
    for (uint64_t i = 1; i < f->symtab.count; i++) {
        keel_sym sym;
        const char *n;
        if (!keel_symtab_get(&f->symtab, i, &sym, NULL) && sym.shndx == sec && KEEL_ST_TYPE(sym.info) != 3 &&
            !keel_symtab_name(&f->symtab, &sym, &n, NULL) && strcmp(n, name) == 0)
            return true;
    }
    return false;
}

/* The named symbols (not section symbols) of section a: all defined in b,
 * and how many */
static bool all_in(const lk_file *fa, uint32_t a, const lk_file *fb, uint32_t b, uint64_t *count)
{
    *count = 0;
    for (uint64_t i = 1; i < fa->symtab.count; i++) {
        keel_sym sym;
        const char *n;
        if (keel_symtab_get(&fa->symtab, i, &sym, NULL) || sym.shndx != a || KEEL_ST_TYPE(sym.info) == 3 ||
            keel_symtab_name(&fa->symtab, &sym, &n, NULL) || !*n)
            continue;
        if (!defines(fb, b, n))
            return false;
        ++*count;
    }
    return true;
}

bool lk_same_symbols(const lk_file *fa, uint32_t a, const lk_file *fb, uint32_t b)
{
    uint64_t na, nb;
    if (!fa->has_symtab || !fb->has_symtab)
        return false;
    return all_in(fa, a, fb, b, &na) && all_in(fb, b, fa, a, &nb) && na == nb && na > 0;
}

int lk_discarded_reference(lk_link *l, const lk_file *f, const keel_sym *sym, const char *from)
{
    keel_shdr sh, wsh;
    const char *sec = "?", *name = NULL;
    if (!keel_elf_shdr(&f->elf, sym->shndx, &sh, NULL))
        keel_elf_section_name(&f->elf, &sh, &sec, NULL);
    if (KEEL_ST_TYPE(sym->info) == 3 /* STT_SECTION: named by its section */ ||
        keel_symtab_name(&f->symtab, sym, &name, NULL) || !*name)
        name = sec;
    /* a group's member is named with its group, as ld.bfd's %pA names it */
    const lk_sym *w = f->kept && sym->shndx < f->elf.shnum ? f->kept[sym->shndx] : NULL;
    bool group = w && w->def && !keel_elf_shdr(&w->def->elf, w->def_index, &wsh, NULL) && wsh.type == SHT_GROUP;
    return lk_fail(l, KEEL_E_INDEX,
                   "`%s' referenced in section `%s' of %s: defined in discarded section `%s%s%s%s' of %s", name, from,
                   f->name, sec, group ? "[" : "", group ? w->name : "", group ? "]" : "", f->name);
}
