/* An undefined weak symbol that no input defines, in an executable that
 * has shared libraries: dynamic, or 0 (ld.bfd's zero_undefweak,
 * elfxx-x86's UNDEFINED_WEAK_RESOLVED_TO_ZERO).  It is left to the
 * dynamic linker (a .dynsym entry, GLOB_DAT, JUMP_SLOT, in a PIE an
 * R_X86_64_64 word) only when a relocation reaches it through the GOT or
 * the PLT and none in code addresses it directly: `if (&f) f();` in
 * non-PIC code (`mov $f` and `call f`) is 0 everywhere, so that the test
 * and the call agree; a pointer in data alone (`void *p = &w;`) is 0 with
 * no relocation.  The references are read before the scan decides
 * anything, since its first relocation against the symbol already asks
 * whether it is preemptible; only the files that name such a symbol are
 * read. */
#include "dyn.h"
#include "dso.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

/* Whether f names an undefined weak global (its cached globals: no lookup) */
static bool names_undef_weak(const lk_file *f)
{
    if (!f->gsym)
        return false;
    for (uint64_t i = f->symtab.first_global; i < f->symtab.count; i++)
        if (f->gsym[i] && f->gsym[i]->state == LK_UNDEF_WEAK && !f->gsym[i]->defsym)
            return true;
    return false;
}

static void note(lk_link *l, lk_file *f, const keel_rel *r, bool code)
{
    lk_sym *s = r->sym < f->symtab.count ? f->gsym[r->sym] : NULL;
    const ka_howto *h = s && s->state == LK_UNDEF_WEAK ? l->arch->howto(r->type) : NULL;
    if (!h)
        return;
    if ((h->needs & KA_NEED_GOT) || h->formula == KA_F_PLT || h->formula == KA_F_GOTPCREL)
        s->undef_weak |= LK_UW_GOTPLT;
    else if (code && (h->formula == KA_F_ABS || h->formula == KA_F_PC))
        s->undef_weak |= LK_UW_CODE;
}

int lk_undefweak_scan(lk_link *l)
{
    if (!l->dyn || l->opt->shared || !lk_dso_count(l))
        return 0;
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        if (!names_undef_weak(f))
            continue;
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_relocs rs;
            keel_shdr tsh;
            if (!lk_linked_relocs(f, i, &rs, &tsh) || !(tsh.flags & SHF_ALLOC))
                continue;
            for (uint64_t k = 0; k < rs.count; k++) {
                keel_rel r;
                keel_relocs_get(&rs, k, &r);
                note(l, f, &r, tsh.flags & SHF_EXECINSTR);
            }
        }
    }
    return 0;
}

bool lk_undefweak_dynamic(const lk_sym *s) { return (s->undef_weak & (LK_UW_GOTPLT | LK_UW_CODE)) == LK_UW_GOTPLT; }
