/* IFUNCs in a dynamic output (issue 13), as ld.bfd makes them.  An IFUNC
 * a shared object exports with default visibility may be preempted: it
 * is a .dynsym entry of type STT_GNU_IFUNC whose value is the resolver,
 * calls reach it through a PLT entry (JUMP_SLOT), its address through a
 * GOT slot (GLOB_DAT) or an absolute word (R_X86_64_64), all bound by
 * the dynamic linker, which calls the resolver -- even under -Bsymbolic,
 * as ld.bfd binds it, so that its address is the same everywhere.  One
 * the object keeps
 * (hidden, static, or an executable's) has the static link's IPLT
 * entry, its slot and the IRELATIVE relocation of the slot; a pointer to
 * it in data is an IRELATIVE relocation of the word (dyn_scan.c).  The
 * slots' IRELATIVE relocations are in DT_JMPREL's range, as ld.bfd has
 * them in .rela.plt after the JUMP_SLOT ones: .rela.iplt follows
 * .rela.plt (layout.c's order), and the range covers both. */
#include "dyn.h"
#include "export_policy.h"
#include "../elfdefs.h"

/* ld.bfd binds an exported IFUNC by its .dynsym entry even under
 * -Bsymbolic (-Bsymbolic-functions, a dynamic list): the executable's
 * canonical address of it is what the dynamic linker's resolution of the
 * symbol gives, and the object's own references must see the same. */
bool lk_dyn_ifunc_by_symbol(const lk_link *l, const lk_sym *s, const keel_sym *d)
{
    return KEEL_ST_TYPE(d->info) == STT_GNU_IFUNC && (d->other & 3) == STV_DEFAULT && lk_sym_exported(l, s);
}

bool lk_dyn_ifunc_exported(lk_link *l, lk_file *f, uint64_t symi)
{
    lk_file *df;
    uint32_t di;
    return l->opt->shared && lk_ifunc_target(l, f, symi, &df, &di) && lk_dyn_preemptible(l, f, symi);
}

void lk_dyn_jmprel(const lk_link *l, uint64_t *addr, uint64_t *size)
{
    const lk_osec *plt = l->dyn->rela_plt, *iplt = l->rela_iplt;
    *addr = plt ? plt->addr : iplt ? iplt->addr : 0;
    *size = (plt ? plt->size : 0) + (iplt ? iplt->size : 0);
}

int lk_dyn_check_jmprel(lk_link *l)
{
    const lk_osec *plt = l->dyn ? l->dyn->rela_plt : NULL, *iplt = l->rela_iplt;
    if (plt && iplt && plt->addr + plt->size != iplt->addr)
        return lk_fail(l, KEEL_E_UNSUPPORTED,
                       ".rela.iplt does not follow .rela.plt: DT_JMPREL cannot name the IFUNCs' relocations");
    return 0;
}
