/* The relocation scan's part for a position-independent executable
 * (-pie, -static-pie): which words need a dynamic relocation so that the
 * program runs at any base.  An absolute address-sized word (the target's
 * dyn.abs type: R_X86_64_64) of a loaded section, and each GOT slot that
 * holds an address, get a RELATIVE relocation (load base + link-time
 * value); a narrower absolute field cannot be relocated at load time and
 * is GNU ld's error ("recompile with -fPIE").  The count sizes .rela.dyn
 * before addresses exist; the write pass records each one
 * (dyn_sections.c).  The target names every type; none is spelled here. */
#include <string.h>

#include "dyn.h"
#include "export_policy.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

int lk_dyn_setup(lk_link *l)
{
    if (!l->opt->pie && !l->opt->shared)
        return 0;
    if (l->opt->relocatable)
        return lk_fail(l, KEEL_E_UNSUPPORTED, "-r and -%s may not be used together", l->opt->shared ? "shared" : "pie");
    if (!(l->dyn = lk_zalloc(&l->arena, sizeof *l->dyn)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    /* a shared object's undefined symbols are the dynamic linker's to
     * bind (ld.bfd's default; -z defs refuses them: link.c) */
    l->undef_ok = l->opt->shared && !l->opt->no_undefined;
    return 0;
}

/* The global that symbol symi of f names, or NULL for a local one. */
static lk_sym *global_of(lk_link *l, lk_file *f, uint64_t symi, const keel_sym *sym)
{
    const char *name;
    if (KEEL_ST_BIND(sym->info) == STB_LOCAL)
        return NULL;
    if (f->gsym && symi < f->symtab.count && f->gsym[symi])
        return lk_sym_unalias(f->gsym[symi]); /* (looked up before: lk_file_sym; its name not read again) */
    return keel_symtab_name(&f->symtab, sym, &name, NULL) ? NULL : lk_sym_unalias(lk_file_sym(l, f, symi, name));
}

/* --defsym NAME=NUMBER is absolute; NAME=SYMBOL(+-N) an address */
static bool defsym_is_number(const char *expr)
{
    while (*expr == ' ')
        expr++;
    return (*expr >= '0' && *expr <= '9') || *expr == '-';
}

lk_sym *lk_dyn_global(lk_link *l, lk_file *f, uint64_t symi)
{
    keel_sym sym;
    return keel_symtab_get(&f->symtab, symi, &sym, NULL) ? NULL : global_of(l, f, symi, &sym);
}

/* A default-visibility global of a shared object may be bound to another
 * module's definition at run time (the gABI's preemption): so is one it
 * does not define.  Not the link-editor's own symbols, nor an absolute
 * one; for a definition, the symbol policy decides (export_policy.c:
 * visibility, version scripts' local:, -Bsymbolic, dynamic lists). */
/* (sym: symbol symi, read already: the scan and the write pass ask of
 * every relocation) */
static bool preemptible(lk_link *l, lk_file *f, uint64_t symi, const keel_sym *sym)
{
    keel_sym d;
    uint64_t v;
    if (!l->opt->shared) { /* an executable's: only what the dynamic linker binds (dyn_import.c) */
        lk_sym *s = global_of(l, f, symi, sym);
        return s && lk_import_preemptible(l, s);
    }
    if (KEEL_ST_BIND(sym->info) == STB_LOCAL || (sym->other & 3) != STV_DEFAULT)
        return false;
    lk_sym *s = global_of(l, f, symi, sym);
    if (!s || s->defsym)
        return false;
    switch (s->state) {
    case LK_COMMON: return lk_sym_preemptible(l, s);
    case LK_DEFINED:
    case LK_WEAK:
        return s->def && !keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL) && d.raw_shndx != SHN_ABS &&
               (lk_sym_preemptible(l, s) || lk_dyn_ifunc_by_symbol(l, s, &d));
    default: return s->state == LK_SHARED || !lk_linker_value(l, s->name, &v);
    }
}

bool lk_dyn_preemptible(lk_link *l, lk_file *f, uint64_t symi)
{
    keel_sym sym;
    return !keel_symtab_get(&f->symtab, symi, &sym, NULL) && preemptible(l, f, symi, &sym);
}

/* -shared: the symbol gets a .dynsym entry */
static void want(lk_link *l, lk_file *f, uint64_t symi)
{
    lk_sym *s = lk_dyn_global(l, f, symi);
    if (s && !s->dynsym)
        s->dynsym = UINT32_MAX;
}

bool lk_dyn_plt_address(lk_link *l, lk_file *f, uint64_t symi, uint64_t *addr)
{
    /* (a link whose every call is a .plt.got entry has no .plt) */
    const lk_needs *n = l->dyn->plt || l->dyn->pltgot ? lk_needs_of(l, f, symi) : NULL;
    if (!n || !(n->flags & (LK_N_PLT | LK_N_PLTGOT)))
        return false;
    if (n->flags & LK_N_PLTGOT) { /* (dyn_import.c) */
        *addr = l->dyn->pltgot->addr + (uint64_t)n->plt * l->arch->pltgot_size;
        return true;
    }
    *addr = l->dyn->plt->addr + l->arch->plt0_size + (uint64_t)n->plt * l->arch->plt_size;
    return true;
}

static bool is_address(lk_link *l, lk_file *f, uint64_t symi, const keel_sym *symp)
{
    keel_sym sym = *symp;
    if (KEEL_ST_TYPE(sym.info) == STT_TLS)
        return false;
    lk_sym *s = global_of(l, f, symi, &sym);
    if (!s) /* a local: unless absolute, in one of f's sections */
        return KEEL_ST_BIND(sym.info) == STB_LOCAL && sym.raw_shndx != SHN_ABS && sym.shndx != SHN_UNDEF;
    if (s->defsym)
        return !defsym_is_number(s->defsym);
    uint64_t v;
    switch (s->state) {
    case LK_COMMON: return s->type != STT_TLS;
    case LK_DEFINED:
    case LK_WEAK:
        if (!s->def || keel_symtab_get(&s->def->symtab, s->def_index, &sym, NULL))
            return false;
        return sym.raw_shndx != SHN_ABS && KEEL_ST_TYPE(sym.info) != STT_TLS;
    default: /* the link-editor's (__ehdr_start, __start_SEC...) but a segment's size; else 0 or undefined */
        return (s->state == LK_UNDEF || s->state == LK_UNDEF_WEAK) && lk_linker_value(l, s->name, &v) &&
               !lk_seg_size_symbol(l, s->name, NULL);
    }
}

bool lk_dyn_is_address(lk_link *l, lk_file *f, uint64_t symi)
{
    keel_sym sym;
    return !keel_symtab_get(&f->symtab, symi, &sym, NULL) && is_address(l, f, symi, &sym);
}

bool lk_dyn_direct(lk_link *l, lk_file *f, uint64_t symi)
{
    keel_sym sym;
    if (keel_symtab_get(&f->symtab, symi, &sym, NULL))
        return false;
    lk_sym *s = global_of(l, f, symi, &sym);
    uint64_t v;
    if (lk_dyn_preemptible(l, f, symi)) /* through the GOT, where the dynamic linker binds it */
        return false;
    /* an undefined weak symbol is 0, which no PC-relative form reaches
     * (unless the link-editor defines it) */
    if (s && !s->defsym && s->state == LK_UNDEF_WEAK && !lk_linker_value(l, s->name, &v))
        return false;
    return lk_symbol_direct(l, f, symi);
}

/* GNU ld's words (elf_x86_64_need_pic), naming the file but not the place: a
 * global by its visibility, a
 * local by its name, a section symbol by its section's; no advice to
 * recompile for a hidden, internal or protected one (-fPIC would not help). */
static int need_pic(lk_link *l, lk_file *f, const keel_rel *r, const ka_howto *h, const keel_sym *sym)
{
    const char *name = "", *v = "", *und = "";
    keel_sym copy = *sym;
    lk_sym *s = global_of(l, f, r->sym, &copy);
    if (KEEL_ST_TYPE(sym->info) == STT_SECTION) {
        if (sym->shndx < f->nsections && f->sections[sym->shndx].name)
            name = f->sections[sym->shndx].name;
    } else
        keel_symtab_name(&f->symtab, sym, &name, NULL);
    unsigned vis = sym->other & 3;
    if (s) {
        static const char *const vnames[] = {"symbol ", "internal symbol ", "hidden symbol ", "protected symbol "};
        vis = vis ? vis : s->pol_vis & 3; /* (the most constraining of its symbols': export_policy.c) */
        v = vnames[vis];
        und = s->state == LK_UNDEF || s->state == LK_UNDEF_WEAK ? "undefined " : "";
    }
    bool so = l->opt->shared, advice = !s || vis == STV_DEFAULT;
    return lk_fail(l, KEEL_E_UNSUPPORTED, "%s: relocation %s against %s%s`%s' can not be used when making %s%s%s",
                   f->name, h->name, und, v, name, so ? "a shared object" : "a PIE object",
                   advice ? "; recompile with " : "", advice ? (so ? "-fPIC" : "-fPIE") : "");
}

/* -shared: a call to a preemptible function goes through its PLT entry */
int lk_dyn_need_plt(lk_link *l, lk_file *f, const keel_rel *r)
{
    lk_dyn *d = l->dyn;
    lk_needs *n = lk_needs_add(l, f, r->sym);
    if (!n)
        return l->err->code;
    if (n->flags & LK_N_PLT)
        return 0;
    if (!(d->plts = lk_grow(&l->arena, d->plts, d->nplt, &d->capplt, sizeof *d->plts, 64)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    n->flags |= LK_N_PLT;
    n->plt = (uint32_t)d->nplt;
    d->plts[d->nplt++] = lk_dyn_global(l, f, r->sym);
    want(l, f, r->sym);
    return 0;
}

/* A dynamic relocation applying to a read-only section: ld.bfd's warning,
 * then its -z text error, or DT_TEXTREL */
static int read_only(lk_link *l, lk_file *f, uint32_t target, const keel_sym *sym)
{
    if (l->dyn->textrel)
        return 0;
    const char *name = "";
    if (KEEL_ST_TYPE(sym->info) == STT_SECTION && sym->shndx < f->nsections && f->sections[sym->shndx].name)
        name = f->sections[sym->shndx].name;
    else
        keel_symtab_name(&f->symtab, sym, &name, NULL);
    lk_diag(l, KEEL_DIAG_WARNING, "%s: warning: relocation against `%s' in read-only section `%s'", f->name, name,
            f->sections[target].name ? f->sections[target].name : "?");
    if (l->opt->z_text)
        return lk_fail(l, KEEL_E_UNSUPPORTED, "read-only segment has dynamic relocations");
    lk_diag(l, KEEL_DIAG_WARNING, "warning: creating DT_TEXTREL in a %s", l->opt->shared ? "shared object" : "PIE");
    l->dyn->textrel = true;
    return 0;
}

int lk_dyn_scan(lk_link *l, lk_file *f, uint32_t rela, const keel_rel *r, const keel_sym *symp)
{
    const ka_howto *h = l->arch->howto(r->type);
    if (!h)
        return 0;
    uint32_t target = f->sections[rela].info;
    const lk_osec *o = target < f->elf.shnum ? f->out[target] : NULL;
    if (!o || !(o->flags & SHF_ALLOC) || !symp)
        return 0; /* (a bad symbol is the write pass's error) */
    keel_sym sym = *symp;
    if (KEEL_ST_BIND(sym.info) == STB_LOCAL && sym.shndx > 0 && sym.shndx < f->elf.shnum &&
        (f->dropped[sym.shndx] || (f->live && !f->out[sym.shndx])))
        return 0; /* into a dropped copy: the write pass's error or tombstone, no relocation */
    if (l->opt->shared && (h->needs & KA_NEED_TLSDESC))
        return 0;                                      /* its descriptor: scan.c, dyn_tlsdesc.c */
    if (l->opt->shared && (h->needs & KA_NEED_TLS_LE)) /* local exec: the executable's block only */
        return need_pic(l, f, r, h, &sym);
    bool pre = preemptible(l, f, r->sym, &sym);
    int rc;
    if (pre && !l->opt->shared && lk_import_scan(l, f, r, h, target, &rc)) /* copies (dyn_import.c) */
        return rc;
    if (pre && h->formula == KA_F_PLT)
        return lk_dyn_need_plt(l, f, r);
    if (pre && h->formula == KA_F_PC)
        return need_pic(l, f, r, h, &sym);
    if (h->formula != KA_F_ABS)
        return 0;
    if (pre) { /* the dynamic linker's, by the symbol */
        if (h->size != l->arch->word_size)
            return need_pic(l, f, r, h, &sym);
        rc = (o->flags & SHF_WRITE) ? 0 : read_only(l, f, target, &sym);
        if (rc)
            return rc;
        want(l, f, r->sym);
        l->dyn->nsdata++;
        return 0;
    }
    if (!l->dyn->fixed && h->size != l->arch->word_size && lk_dyn_undefined(l, f, r->sym))
        return need_pic(l, f, r, h, &sym); /* as ld.bfd: undefined, even weak, is no address a narrow field holds */
    if (l->dyn->fixed || !is_address(l, f, r->sym, &sym))
        return 0; /* (-no-pie: the address is final) */
    if (h->size != l->arch->word_size)
        return need_pic(l, f, r, h, &sym);
    rc = (o->flags & SHF_WRITE) ? 0 : read_only(l, f, target, &sym);
    if (rc)
        return rc;
    l->dyn->ndata++;
    l->dyn->nidata += lk_ifunc_target_sym(l, f, r->sym, &sym, &(lk_file *){0}, &(uint32_t){0}); /* (lk_dyn_word) */
    return 0;
}

int lk_dyn_scan_class(lk_link *l, lk_file *f, uint32_t rela, const keel_rel *r, const keel_sym *sym)
{
    /* lk_dyn_scan's questions in its order, each "nothing" it answers
     * taken; any that may write (a global's first lookup) or speak (an
     * error, a warning) answers "scan it" */
    const ka_howto *h = l->arch->howto(r->type);
    if (!h)
        return LK_DS_NOTHING;
    uint32_t target = f->sections[rela].info;
    const lk_osec *o = target < f->elf.shnum ? f->out[target] : NULL;
    if (!o || !(o->flags & SHF_ALLOC))
        return LK_DS_NOTHING;
    if (KEEL_ST_BIND(sym->info) == STB_LOCAL && sym->shndx > 0 && sym->shndx < f->elf.shnum &&
        (f->dropped[sym->shndx] || (f->live && !f->out[sym->shndx])))
        return LK_DS_NOTHING;
    if (l->opt->shared && (h->needs & KA_NEED_TLSDESC))
        return LK_DS_NOTHING;
    if (h->needs & (KA_NEED_TLSDESC | KA_NEED_TLS_LE))
        return LK_DS_SCAN;
    if (KEEL_ST_BIND(sym->info) != STB_LOCAL && !(f->gsym && r->sym < f->symtab.count && f->gsym[r->sym]))
        return LK_DS_SCAN;
    if (preemptible(l, f, r->sym, sym)) /* -shared's call: a PLT entry, made by the first one */
        return l->opt->shared && h->formula == KA_F_PLT ? LK_DS_PLT : LK_DS_SCAN;
    if (h->formula != KA_F_ABS)
        return LK_DS_NOTHING;
    if (h->size != l->arch->word_size)
        return LK_DS_SCAN;
    if (l->dyn->fixed || !is_address(l, f, r->sym, sym))
        return LK_DS_NOTHING;
    /* one RELATIVE relocation (not an IFUNC's: the caller asked that) */
    return o->flags & SHF_WRITE ? LK_DS_RELATIVE : LK_DS_SCAN;
}

int lk_dyn_got_slot(lk_link *l, lk_file *f, uint64_t symi, lk_needs *n)
{
    lk_dyn *d = l->dyn;
    if (lk_dyn_preemptible(l, f, symi)) { /* GLOB_DAT: the dynamic linker's */
        if (!(d->gotsym = lk_grow(&l->arena, d->gotsym, d->ngotsym, &d->capgotsym, sizeof *d->gotsym, 64)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        d->gotsym[d->ngotsym++] = (lk_gotsym){n->got, lk_dyn_global(l, f, symi)};
        n->flags |= LK_N_DYNSYM;
        want(l, f, symi);
        return 0;
    }
    if (d->fixed || !lk_dyn_is_address(l, f, symi))
        return 0; /* an absolute value or 0, or -no-pie: the slot holds it as it is */
    if (!(d->gotrel = lk_grow(&l->arena, d->gotrel, d->ngotrel, &d->capgotrel, sizeof *d->gotrel, 64)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    d->gotrel[d->ngotrel++] = n->got;
    n->flags |= LK_N_DYNREL;
    return 0;
}

/* where this thread's lk_dyn_word records go: NULL, the link's arrays */
static _Thread_local lk_dyn_words *words;

void lk_dyn_words_redirect(lk_dyn_words *w) { words = w; }

void lk_dyn_srel_push(lk_link *l, lk_dynsymrel rec)
{
    lk_dyn *d = l->dyn;
    lk_dyn_words *w = words;
    if (w && w->nsrel < w->capsrel)
        w->srel[w->nsrel++] = rec;
    else if (!w && d->nsrel < d->nsdata)
        d->srel[d->nsrel++] = rec;
}

void lk_dyn_words_take(lk_link *l, const lk_dyn_words *w, size_t rel0, size_t rel1, size_t srel0, size_t srel1)
{
    lk_dyn *d = l->dyn;
    for (size_t i = rel0; i < rel1 && d->nrel < d->ndata; i++) {
        d->rel[d->nrel++] = w->rel[i];
        d->nirel += w->rel[i].irelative;
    }
    for (size_t i = srel0; i < srel1 && d->nsrel < d->nsdata; i++)
        d->srel[d->nsrel++] = w->srel[i];
}

void lk_dyn_word(lk_link *l, lk_file *f, uint64_t symi, const keel_sym *symp, uint32_t type, uint64_t place,
                 uint64_t value, int64_t addend, bool writable)
{
    lk_dyn *d = l->dyn;
    const ka_howto *h = l->arch->howto(type);
    keel_sym sym;
    if (h && l->opt->z_nocopyreloc && !l->opt->shared && lk_nocopy_word(l, f, symi, h, type, place, addend, writable))
        return;
    if (!h || h->formula != KA_F_ABS || h->size != l->arch->word_size)
        return;
    if (!symp) {
        if (keel_symtab_get(&f->symtab, symi, &sym, NULL))
            return; /* (the write pass's error) */
        symp = &sym;
    }
    lk_dyn_words *w = words; /* (a helper thread's own records, or NULL) */
    if (preemptible(l, f, symi, symp)) {
        /* only the words the scan counted: not an executable's that it
         * gave a copy, a canonical PLT entry or 0 (dyn_import.c) */
        if (!l->opt->shared && lk_import_static_word(l, lk_dyn_global(l, f, symi), writable))
            return;
        lk_dyn_srel_push(l, (lk_dynsymrel){place, global_of(l, f, symi, symp), addend, 0});
        return;
    }
    if ((w ? w->nrel >= w->caprel : d->nrel >= d->ndata) || !is_address(l, f, symi, symp))
        return;
    /* a pointer to an IFUNC: the function the resolver picks, as ld.bfd
     * has it (IRELATIVE), not the IPLT entry */
    lk_file *df;
    uint32_t di;
    lk_dynrel rec = {place, value, false};
    if (lk_ifunc_target_sym(l, f, symi, symp, &df, &di) && !keel_symtab_get(&df->symtab, di, &sym, NULL) &&
        sym.shndx < df->elf.shnum && df->out[sym.shndx])
        rec = (lk_dynrel){place, df->out[sym.shndx]->addr + df->pos[sym.shndx] + sym.value, true};
    if (w)
        w->rel[w->nrel++] = rec;
    else {
        d->rel[d->nrel++] = rec;
        d->nirel += rec.irelative;
    }
}
