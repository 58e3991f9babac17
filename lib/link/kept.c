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

static bool same(const keel_shdr *sh, const char *name, const lk_file *kf, uint32_t k)
{
    keel_shdr ksh;
    const char *kname;
    return !keel_elf_shdr(&kf->elf, k, &ksh, NULL) && !keel_elf_section_name(&kf->elf, &ksh, &kname, NULL) &&
           strcmp(name, kname) == 0 && ksh.size == sh->size;
}

bool lk_kept_section(const lk_file *f, uint32_t shndx, lk_file **kf, uint32_t *kshndx)
{
    const lk_sym *w = f->kept && shndx < f->elf.shnum ? f->kept[shndx] : NULL;
    keel_shdr sh, wsh;
    const char *name;
    if (!w || !w->def || keel_elf_shdr(&f->elf, shndx, &sh, NULL) ||
        keel_elf_section_name(&f->elf, &sh, &name, NULL) || keel_elf_shdr(&w->def->elf, w->def_index, &wsh, NULL))
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
    } else if (same(&sh, name, d, w->def_index)) { /* the kept linkonce section */
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
