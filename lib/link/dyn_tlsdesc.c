/* TLS descriptors in a shared object (gcc -mtls-dialect=gnu2 -fPIC), as
 * ld.bfd lays them out: the code's `lea x@tlsdesc(%rip), %rax; call
 * *x@tlscall(%rax)` is kept (no relaxation: the module's block is the
 * dynamic linker's to place) and reaches a descriptor, two words in
 * .got.plt after the PLT slots, which an R_X86_64_TLSDESC relocation in
 * .rela.plt (after the JUMP_SLOT ones) has the dynamic linker fill: by
 * the symbol for a preemptible one, else with the offset in the block as
 * addend (the local dynamic base _TLS_MODULE_BASE_: 0).  One descriptor
 * per symbol.  Without -z now ld.bfd also writes the lazy resolution's
 * PLT entry (DT_TLSDESC_PLT) and a .got slot for the dynamic linker's
 * resolver (DT_TLSDESC_GOT); glibc now resolves descriptors eagerly, but
 * the tags are written as ld.bfd writes them. */
#include "dyn.h"
#include "../arch/arch.h"

int lk_dyn_tlsdesc_scan(lk_link *l, lk_file *f, uint64_t symi)
{
    lk_dyn *d = l->dyn;
    lk_needs *n = lk_needs_add(l, f, symi);
    if (!n)
        return l->err->code;
    if (n->flags & LK_N_TLSDESC)
        return 0;
    if (!(d->desc = lk_grow(&l->arena, d->desc, d->ndesc, &d->capdesc, sizeof *d->desc, 16)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    lk_sym *pre = lk_dyn_preemptible(l, f, symi) ? lk_dyn_global(l, f, symi) : NULL;
    if (pre && !pre->dynsym)
        pre->dynsym = UINT32_MAX; /* wanted in .dynsym */
    n->flags |= LK_N_TLSDESC;
    n->desc = (uint32_t)d->ndesc;
    d->desc[d->ndesc++] = (lk_tlsrel){(uint32_t)d->ndesc, LK_TLS_OFFSET, false, pre, f, symi};
    if (d->ndesc == 1 && !l->opt->now)
        d->desc_got = (uint32_t)l->ngot++; /* DT_TLSDESC_GOT's slot */
    return 0;
}

/* descriptor i's first word */
static uint64_t desc_addr(const lk_link *l, size_t i)
{
    return l->dyn->got_plt->addr + (3 + l->dyn->nplt + 2 * (uint64_t)i) * l->arch->word_size;
}

uint64_t lk_dyn_tlsdesc_address(lk_link *l, lk_file *f, uint64_t symi)
{
    const lk_needs *n = lk_needs_of(l, f, symi);
    return n && (n->flags & LK_N_TLSDESC) && l->dyn->got_plt ? desc_addr(l, n->desc) : 0;
}

uint64_t lk_dyn_tlsdesc_plt(const lk_link *l) { return l->dyn->ndesc && !l->opt->now ? l->arch->tlsdesc_plt_size : 0; }

void lk_dyn_fill_tlsdesc(lk_link *l, uint8_t *buf)
{
    const lk_dyn *d = l->dyn;
    const ka_arch *a = l->arch;
    uint8_t *out = buf + d->rela_plt->offset + d->nplt * (uint64_t)a->rela_size;
    for (size_t i = 0; i < d->ndesc; i++, out += a->rela_size) {
        const lk_tlsrel *t = &d->desc[i];
        uint64_t S = l->tls_start, size;
        bool tls;
        if (!t->sym && lk_symbol_value(l, t->f, t->symi, &S, &size, &tls, NULL))
            S = l->tls_start;
        ka_write_rela(a, out, desc_addr(l, i), t->sym ? t->sym->dynsym : 0, a->dyn.tlsdesc,
                      t->sym ? 0 : (int64_t)(S - l->tls_start));
    }
    if (lk_dyn_tlsdesc_plt(l)) {
        uint64_t at = d->plt->addr + a->plt0_size + d->nplt * (uint64_t)a->plt_size;
        a->write_tlsdesc_plt(buf + d->plt->offset + (at - d->plt->addr), at, d->got_plt->addr,
                             l->got->addr + (uint64_t)d->desc_got * a->word_size);
    }
}
