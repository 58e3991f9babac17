/* The pass "scan relocations": every relocation of a linked section is
 * read once, before addresses exist, and what its symbol needs is
 * recorded in the symbol's needs (got.c's table): a GOT slot, a
 * thread-pointer-offset slot, an IPLT entry, the TLS model after the
 * relaxations an executable allows.  The target says what each
 * relocation needs (ka_reloc_need); no relocation number is tested here.
 * The synthetic sections are then sized from the needs (layout.c's
 * lk_place_synthetic) and the write pass reads the decisions (relocate.c).
 * Slots and IPLT entries are numbered in the order of their first
 * reference, as GNU ld numbers them. */
#include <stdlib.h>

#include "internal.h"
#include "../arch/arch.h"

/* The TLS model a reference leaves its symbol with: the strongest one
 * any of its references needs after relaxation. */
static void tls_model(lk_needs *n, uint16_t need)
{
    uint8_t m = need & KA_NEED_TLS_IE ? LK_TLS_IE : need & KA_NEED_TLS_LE ? LK_TLS_LE : LK_TLS_NONE;
    if (m > n->tls)
        n->tls = m;
}

/* An IFUNC that a relocation reaches gets a call stub (its canonical
 * address), a slot the stub jumps through, and an IRELATIVE relocation
 * that the C library's start-up applies to the slot (__rela_iplt_start
 * to __rela_iplt_end): its number, once per definition. */
static int note_ifunc(lk_link *l, lk_file *f, const keel_rel *r, const keel_sym *sym)
{
    lk_file *df;
    uint32_t di;
    if (!sym || !lk_ifunc_target_sym(l, f, r->sym, sym, &df, &di))
        return 0;
    const ka_howto *h = l->dyn ? l->arch->howto(r->type) : NULL;
    if (h && h->formula == KA_F_ABS && h->size == l->arch->word_size)
        return 0; /* a pointer in a dynamic output: IRELATIVE at its place, no stub (dyn_scan.c) */
    if (l->dyn && lk_dyn_ifunc_exported(l, f, r->sym))
        return 0; /* the dynamic linker's to resolve, by its .dynsym entry (dyn_ifunc.c) */
    if (!df->ifunc && !(df->ifunc = lk_zalloc(&l->arena, (df->symtab.count + 1) * sizeof *df->ifunc)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    if (di >= df->symtab.count || df->ifunc[di])
        return 0;
    keel_sym rs_sym;
    if (keel_symtab_get(&df->symtab, di, &rs_sym, NULL) || rs_sym.shndx >= df->elf.shnum || !df->out[rs_sym.shndx])
        return lk_fail(l, KEEL_E_INDEX, "%s: an IFUNC's resolver is in a section that is not linked", df->name);
    if (!(l->ifuncs = lk_grow(&l->arena, l->ifuncs, l->nifuncs, &l->capifuncs, sizeof *l->ifuncs, 64)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    l->ifuncs[l->nifuncs].file = df;
    l->ifuncs[l->nifuncs].sym = di;
    df->ifunc[di] = (uint32_t)++l->nifuncs;
    lk_needs *n = lk_needs_add(l, df, di); /* the definition's record: what its references reach */
    if (!n)
        return l->err->code;
    n->flags |= LK_N_IPLT;
    n->iplt = (uint32_t)(l->nifuncs - 1);
    return 0;
}

/* One relocation's needs into its symbol's record. */
static int scan_one(lk_link *l, lk_file *f, const keel_rel *r, const uint8_t *data, uint64_t size)
{
    const ka_howto *h = l->arch->howto(r->type);
    if (!h || h->formula == KA_F_MARKER ||
        !(h->needs & (KA_NEED_GOT | KA_NEED_TLS_IE | KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC)))
        return 0; /* nothing of the link's to make for it (an unknown type is the write pass's error) */
    if (l->opt->shared && (h->needs & KA_NEED_TLSDESC))
        return lk_dyn_tlsdesc_scan(l, f, r->sym); /* a descriptor the dynamic linker fills (dyn_tlsdesc.c) */
    if ((h->needs & (KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLS_IE)) && l->opt->shared)
        return lk_dyn_tls_scan(l, f, r->sym, h->needs); /* kept as it is, its slots the dynamic linker's */
    if ((h->needs & (KA_NEED_TLS_GD | KA_NEED_TLSDESC | KA_NEED_TLS_IE)) && lk_dyn_tls_kept(l, f, r->sym))
        return lk_dyn_tls_scan(l, f, r->sym, KA_NEED_TLS_IE); /* an executable's import: initial exec, as ld.bfd */
    bool got_relaxes;
    uint16_t need = ka_reloc_need(l->arch, r->type, data, size, r->offset, &got_relaxes);
    lk_needs *n = lk_needs_add(l, f, r->sym);
    if (!n)
        return l->err->code;
    n->refs |= h->needs;
    tls_model(n, need);
    if (need != h->needs)
        n->flags |= LK_N_RELAXED; /* TLS made local-exec */
    if (lk_dyn_pic(l))            /* position-independent: only the PC-relative forms, never to an undefined weak 0 */
        got_relaxes = got_relaxes && data && l->arch->got_load_relaxes_pic(r->type, data, size, r->offset);
    if (need & KA_NEED_GOT) {
        if (got_relaxes &&
            (n->flags & LK_N_DIRECT || (l->dyn ? lk_dyn_direct(l, f, r->sym) : lk_symbol_direct(l, f, r->sym)))) {
            n->flags |= LK_N_DIRECT | LK_N_RELAXED; /* the instruction will address the symbol itself */
            return 0;
        }
        if (!(n->flags & LK_N_GOT)) {
            n->flags |= LK_N_GOT;
            n->got = (uint32_t)l->ngot++;
            int rc = l->dyn ? lk_dyn_got_slot(l, f, r->sym, n) : 0; /* its RELATIVE relocation */
            if (rc)
                return rc;
        }
    }
    if ((need & KA_NEED_TLS_IE) && !(n->flags & LK_N_GOT_TPOFF)) {
        n->flags |= LK_N_GOT_TPOFF;
        n->got_tpoff = (uint32_t)l->ngot++;
    }
    return 0;
}

/* need: per relocation, what the scan is to do for it (scan_filter.c),
 * or NULL: every relocation is asked of */
static int scan_all(lk_link *l, const uint8_t *need)
{
    uint32_t at = 0; /* (the relocation's index) */
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_relocs rs;
            keel_shdr tsh;
            const uint8_t *data = NULL;
            uint64_t size = 0;
            bool have_data = false;
            if (!lk_linked_relocs(f, i, &rs, &tsh))
                continue;
            for (uint64_t k = 0; k < rs.count; k++) {
                keel_rel r;
                keel_sym sym; /* read once, for each question asked of it (NULL: a bad index) */
                uint8_t c = need ? need[at++] : LK_DS_SCAN;
                if (c == LK_DS_NOTHING || c == LK_DS_RELATIVE)
                    continue; /* nothing to do for it, or counted already */
                keel_relocs_get(&rs, k, &r);
                if (c == LK_DS_PLT && f->gsym[r.sym]->scan_plt != at)
                    continue; /* a call to a function another call gave its PLT entry */
                const keel_sym *symp = keel_symtab_get(&f->symtab, r.sym, &sym, NULL) ? NULL : &sym;
                int rc = note_ifunc(l, f, &r, symp);
                if (rc)
                    return rc;
                if (!have_data) { /* the instructions, read once per section (relaxations look at them) */
                    have_data = true;
                    if (keel_elf_section_data(&f->elf, &tsh, &data, &size, NULL))
                        data = NULL, size = 0;
                }
                if ((rc = scan_one(l, f, &r, data, size)) || (l->dyn && (rc = lk_dyn_scan(l, f, i, &r, symp))))
                    return rc;
            }
        }
    }
    return 0;
}

int lk_scan_relocs(lk_link *l)
{
    l->ngot = 0;
    /* (dyn_undefweak.c: before any asks whether one is preemptible, the
     * filter's threads included) */
    int rc0 = lk_undefweak_scan(l);
    if (rc0)
        return rc0;
    uint8_t *need = lk_scan_filter(l);
    int rc = scan_all(l, need);
    free(need);
    return rc;
}
