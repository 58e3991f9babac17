/* Thread-local storage in a shared object (-shared): the object's code
 * keeps its access models -- no relaxation, since the module's block is
 * placed by the dynamic linker -- and the GOT holds what they read:
 * general dynamic, a pair of slots (the module number, DTPMOD64; the
 * offset in its block, DTPOFF64 for a preemptible symbol, else written
 * here); local dynamic, one pair for the whole object (its module, and
 * 0); initial exec, a slot with the offset from the thread pointer
 * (TPOFF64; the object then needs static TLS, DF_STATIC_TLS).  A
 * symbol that is not preemptible is named by no .dynsym entry: the
 * relocation's addend is its offset in the block.  The target names the
 * relocation types (dyn.tls_module, tls_offset, tls_tpoff). */
#include "dyn.h"
#include "../arch/arch.h"

static int add(lk_link *l, uint32_t slot, uint8_t kind, bool constant, lk_sym *sym, lk_file *f, uint64_t symi)
{
    lk_dyn *d = l->dyn;
    if (!(d->tls = lk_grow(&l->arena, d->tls, d->ntls, &d->captls, sizeof *d->tls, 16)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    d->tls[d->ntls++] = (lk_tlsrel){slot, kind, constant, sym, f, symi};
    d->ntlsrel += !constant;
    if (sym && !sym->dynsym)
        sym->dynsym = UINT32_MAX; /* wanted in .dynsym */
    return 0;
}

int lk_dyn_tls_scan(lk_link *l, lk_file *f, uint64_t symi, uint16_t needs)
{
    lk_dyn *d = l->dyn;
    lk_sym *pre = lk_dyn_preemptible(l, f, symi) ? lk_dyn_global(l, f, symi) : NULL;
    int rc = 0;
    if (needs & KA_NEED_TLS_LD) {
        if (!d->has_ld) {
            d->has_ld = true;
            d->got_ld = (uint32_t)l->ngot;
            l->ngot += 2;
            rc = add(l, d->got_ld, LK_TLS_MODULE, false, NULL, f, symi);
        }
        return rc;
    }
    lk_needs *n = lk_needs_add(l, f, symi);
    if (!n)
        return l->err->code;
    n->refs |= needs;
    if ((needs & KA_NEED_TLS_GD) && !(n->flags & LK_N_TLS_GD)) {
        n->flags |= LK_N_TLS_GD;
        n->got_gd = (uint32_t)l->ngot;
        l->ngot += 2;
        rc = add(l, n->got_gd, LK_TLS_MODULE, false, pre, f, symi);
        if (!rc)
            rc = add(l, n->got_gd + 1, LK_TLS_OFFSET, !pre, pre, f, symi);
    }
    if (!rc && (needs & KA_NEED_TLS_IE) && !(n->flags & LK_N_GOT_TPOFF)) {
        n->flags |= LK_N_GOT_TPOFF;
        n->got_tpoff = (uint32_t)l->ngot++;
        d->static_tls = l->opt->shared; /* (an executable's own block is static anyway) */
        rc = add(l, n->got_tpoff, LK_TLS_TPOFF, false, pre, f, symi);
    }
    return rc;
}

uint64_t lk_dyn_tls_pair(lk_link *l, lk_file *f, uint64_t symi, bool ld)
{
    unsigned w = l->arch->word_size;
    if (ld)
        return l->got->addr + (uint64_t)l->dyn->got_ld * w;
    const lk_needs *n = lk_needs_of(l, f, symi);
    return n && (n->flags & LK_N_TLS_GD) ? l->got->addr + (uint64_t)n->got_gd * w : 0;
}

void lk_dyn_fill_tls(lk_link *l, uint8_t *buf, uint8_t *out)
{
    const lk_dyn *d = l->dyn;
    const ka_arch *a = l->arch;
    unsigned w = a->word_size;
    for (size_t i = 0; i < d->ntls; i++) {
        const lk_tlsrel *t = &d->tls[i];
        uint64_t place = l->got->addr + (uint64_t)t->slot * w, S = 0, size;
        bool tls;
        /* a symbol the object keeps: its offset in the block */
        if (!t->sym && t->kind != LK_TLS_MODULE && lk_symbol_value(l, t->f, t->symi, &S, &size, &tls, NULL))
            S = l->tls_start;
        int64_t off = t->sym ? 0 : (int64_t)(S - l->tls_start);
        if (t->constant) {
            ka_put_word(a, buf + l->got->offset + (uint64_t)t->slot * w, (uint64_t)off);
            continue;
        }
        uint32_t type = t->kind == LK_TLS_MODULE   ? a->dyn.tls_module
                        : t->kind == LK_TLS_OFFSET ? a->dyn.tls_offset
                                                   : a->dyn.tls_tpoff;
        ka_write_rela(a, out, place, t->sym ? t->sym->dynsym : 0, type, t->kind == LK_TLS_MODULE ? 0 : off);
        out += a->rela_size;
    }
}
