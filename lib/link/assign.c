/* The pass "assign addresses": every output section's address and file
 * offset (layout.c's lk_assign_addresses, by segments), the TLS block
 * and thread pointer, the program headers, and the section headers'
 * numbering (with --emit-relocs' .rela sections, then .symtab, .strtab
 * and .shstrtab).  After it the layout is final: keel_link_get_layout
 * can describe it, and the symbols can take their values. */
#include "image.h"
#include "order.h"
#include "../arch/arch.h"

int lk_pass_addresses(lk_link *l)
{
    const ka_arch *arch = l->arch;                   /* the machine, class and sizes of the output */
    if (arch->elfclass != 2 || arch->byteorder != 1) /* the records written are ELF64, little-endian */
        return lk_fail(l, KEEL_E_UNSUPPORTED, "%s: keel link writes 64-bit little-endian ELF only", arch->name);
    lk_image *img = l->img;
    /* the program headers' count, before the addresses it shapes */
    size_t nph = lk_phdr_count(l);
    uint64_t header = arch->ehdr_size + (uint64_t)arch->phdr_size * nph;
    if (l->got && !(l->got->data = lk_zalloc(&l->arena, l->got->size)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    int rc = lk_addrmap_assign(l, header); /* lk_assign_addresses, and the address map's (addrmap.c) */
    if (rc)
        return rc;
    lk_tls_layout(l);
    if (!(img->ph = lk_alloc(&l->arena, nph * sizeof *img->ph)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    img->nph = lk_program_headers(l, img->ph); /* at most nph, as counted */
    /* section indexes, in segment order */
    uint32_t nsec = 1;
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            l->segs[s]->secs[i]->index = nsec++;
    /* --emit-relocs: a .rela section per output section with relocations */
    if (l->opt->emit_relocs && (rc = lk_emit_relocs_plan(l, nsec - 1, &nsec)))
        return rc;
    img->keep_syms = !l->opt->strip_all || l->nemits; /* -s: no .symtab, no .strtab (relocations need them) */
    img->symtab_index = img->keep_syms ? nsec++ : 0;
    img->strtab_index = img->keep_syms ? nsec++ : 0;
    img->shstrtab_index = nsec++;
    img->nsec = nsec;
    return 0;
}
