/* Outputs that import from shared libraries (issue 13, "join"): an
 * executable (-pie, or -no-pie: a dynamic executable at a fixed address)
 * or a shared object whose undefined names a shared library defines.
 *   - A -no-pie link that needs a shared library becomes dynamic here
 *     (l->dyn made after the inputs are read, marked fixed: no RELATIVE
 *     relocations, ET_EXEC at the target's usual address).
 *   - An imported symbol (LK_SHARED) is preemptible in every output, as
 *     is an undefined weak one in an executable that has a shared
 *     library (ld.bfd gives both a .dynsym entry and binds them at run
 *     time); an executable's own definitions are not.
 *   - An executable exports what it defines and a shared library it
 *     links against references or defines too (ld.bfd's ref_dynamic,
 *     def_dynamic), so that the library binds to the executable's
 *     definition. */
#include <string.h>

#include "dyn.h"
#include "dso.h"
#include "export_policy.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

int lk_dyn_join(lk_link *l)
{
    const keel_link_options *opt = l->opt;
    if (l->dyn || opt->relocatable || !lk_dso_count(l))
        return 0;
    if (!(l->dyn = lk_zalloc(&l->arena, sizeof *l->dyn)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    l->dyn->fixed = true; /* -no-pie: at the link-time addresses */
    return 0;
}

bool lk_dyn_pic(const lk_link *l) { return l->dyn && !l->dyn->fixed; }

/* Whether the output has a shared library to bind names from */
static bool imports(const lk_link *l) { return l->dyn && lk_dso_count(l); }

bool lk_import_preemptible(lk_link *l, const lk_sym *s)
{
    uint64_t v;
    if (!l->dyn || s->defsym)
        return false;
    if (s->state == LK_SHARED)
        return true;
    /* an undefined weak one: a library loaded first may define it
     * (__gmon_start__, _ITM_*), as ld.bfd leaves it to the dynamic linker
     * in an executable that has any (not in a static PIE: 0) when the GOT
     * or PLT reaches it and no code addresses it directly (dyn_undefweak.c) */
    return s->state == LK_UNDEF_WEAK && !l->opt->shared && imports(l) && lk_undefweak_dynamic(s) &&
           !lk_linker_value(l, s->name, &v);
}

int lk_import_exports(lk_link *l)
{
    if (!l->dyn || l->opt->shared)
        return 0;
    for (size_t i = 0; i < l->ndsos; i++) {
        lk_dso *d = l->dsos[i];
        if (!d->added || !d->has_dynsym)
            continue;
        for (uint64_t k = d->dynsym.first_global; k < d->dynsym.count; k++) {
            keel_sym sym;
            const char *name;
            keel_symver sv;
            /* a reference, or a definition that the executable's then
             * preempts (ld.bfd's ref_dynamic, def_dynamic): not a hidden
             * version's */
            if (keel_symtab_get(&d->dynsym, k, &sym, NULL) || keel_symtab_name(&d->dynsym, &sym, &name, NULL) ||
                !*name || KEEL_ST_BIND(sym.info) == STB_LOCAL)
                continue;
            lk_sym *s = lk_sym_find(&l->syms, name, lk_hash(name));
            if (!s || s->defsym || s->state < LK_COMMON || (s->pol_flags & (LK_POL_LOCAL | LK_POL_ALIAS)) ||
                (s->pol_vis != STV_DEFAULT && s->pol_vis != STV_PROTECTED) ||
                (sym.shndx != SHN_UNDEF && /* (the version read only for the executable's few) */
                 (keel_versions_get(&d->vers, k, &sym, &sv, NULL) || sv.kind == KEEL_VER_HIDDEN)))
                continue;
            s->pol_flags |= LK_POL_EXPORTED; /* (its references stay direct: not LK_POL_PREEMPT) */
        }
    }
    return 0;
}

/* A copy's place in the output */
static uint64_t copy_address(const lk_link *l, const lk_sym *s)
{
    const lk_dyn *d = l->dyn;
    size_t i = s->import_at - 1;
    const lk_osec *o = d->copy_ro[i] ? d->dynrelro : d->dynbss;
    uint32_t piece = d->copy_ro[i] ? d->dynrelro_piece : d->dynbss_piece;
    return o->addr + o->pieces[piece].offset + d->copy_off[i];
}

int lk_import_value(lk_link *l, const lk_sym *s, uint64_t *value, uint64_t *size)
{
    *value = *size = 0;
    if (!l->dyn || !s->import_at)
        return 0;                       /* bound at run time: 0 here */
    if (s->import_at & LK_IMPORT_PLT) { /* the canonical PLT entry: the function's address everywhere */
        const lk_needs *n = lk_needs_of_sym(l, s);
        if (n && (n->flags & LK_N_PLT))
            *value = l->dyn->plt->addr + l->arch->plt0_size + (uint64_t)n->plt * l->arch->plt_size;
        return 0;
    }
    *value = copy_address(l, s);
    *size = s->size;
    return 0;
}

/* The library's section that holds s's definition, for its alignment and
 * whether it is read-only after relocation (in PT_GNU_RELRO, or not
 * writable), as ld.bfd decides between .dynbss and .data.rel.ro */
static void copy_kind(const lk_sym *s, uint64_t *align, bool *ro)
{
    const lk_dso *d = s->dso;
    keel_sym sym;
    keel_shdr sh;
    *align = 1;
    *ro = false;
    if (!d || keel_symtab_get(&d->dynsym, s->dso_index, &sym, NULL))
        return;
    uint64_t secalign = 16; /* (no section headers: at most a vector's) */
    if (d->elf.shnum && sym.shndx < d->elf.shnum && !keel_elf_shdr(&d->elf, sym.shndx, &sh, NULL)) {
        secalign = sh.addralign ? sh.addralign : 1;
        *ro = !(sh.flags & SHF_WRITE);
        for (uint16_t i = 0; !*ro && i < d->elf.phnum; i++) {
            keel_phdr ph;
            if (!keel_elf_phdr(&d->elf, i, &ph, NULL) && ph.type == PT_GNU_RELRO && sh.addr >= ph.vaddr &&
                sh.addr - ph.vaddr < ph.memsz)
                *ro = true;
        }
    }
    /* ld.bfd's rule: the section's alignment, lowered until the value is a
     * multiple of it */
    uint64_t a = secalign & (secalign - 1) ? 1 : secalign;
    while (a > 1 && (sym.value & (a - 1)))
        a >>= 1;
    *align = a;
}

/* A weak definition's strong alias in the same library (environ's
 * __environ: one object, which the library's own code names strongly):
 * ld.bfd copies the strong one and defines both at the copy, so that the
 * library and the executable share it.  NULL: none. */
lk_sym *lk_import_strong_alias(lk_link *l, const lk_sym *s)
{
    const lk_dso *d = s->dso;
    keel_sym sym, o;
    const char *name;
    if (!d || keel_symtab_get(&d->dynsym, s->dso_index, &sym, NULL) || KEEL_ST_BIND(sym.info) != STB_WEAK)
        return NULL;
    for (uint64_t k = d->dynsym.first_global; k < d->dynsym.count; k++) {
        if (k == s->dso_index || keel_symtab_get(&d->dynsym, k, &o, NULL) || KEEL_ST_BIND(o.info) != STB_GLOBAL ||
            o.shndx != sym.shndx || o.value != sym.value || keel_symtab_name(&d->dynsym, &o, &name, NULL))
            continue;
        lk_sym *a = lk_sym_find(&l->syms, name, lk_hash(name));
        if (a && a->state == LK_SHARED && a->dso == d && a->dso_index == k)
            return a;
    }
    return NULL;
}

static int need_copy(lk_link *l, lk_file *f, lk_sym *s)
{
    lk_dyn *d = l->dyn;
    if (s->import_at)
        return 0;
    if ((s->other & 3) == STV_PROTECTED) /* the library binds to its own: a copy would split the object */
        return lk_fail(l, KEEL_E_LINK, "%s: copy relocation against non-copyable protected symbol `%s'",
                       s->dso ? s->dso->path : f->name, s->name);
    lk_sym *strong = lk_import_strong_alias(l, s);
    if (strong && strong->import_at) { /* copied already under its strong name */
        s->import_at = strong->import_at;
        if (!s->dynsym)
            s->dynsym = UINT32_MAX;
        return 0;
    }
    if (!(d->copies = lk_grow(&l->arena, d->copies, d->ncopies, &d->capcopies, sizeof *d->copies, 32)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    lk_sym *c = strong ? strong : s; /* the COPY relocation names the strong one, as ld.bfd's */
    d->copies[d->ncopies++] = c;
    c->import_at = s->import_at = (uint32_t)d->ncopies;
    if (!c->dynsym)
        c->dynsym = UINT32_MAX;
    if (!s->dynsym)
        s->dynsym = UINT32_MAX;
    return 0;
}

bool lk_import_scan(lk_link *l, lk_file *f, const keel_rel *r, const ka_howto *h, uint32_t target, int *rc)
{
    lk_sym *s = lk_dyn_global(l, f, r->sym);
    *rc = 0;
    if (!s || h->formula == KA_F_PLT || (h->formula != KA_F_PC && h->formula != KA_F_ABS))
        return false;
    const lk_osec *o = f->out[target];
    bool word = h->size == l->arch->word_size && (o->flags & SHF_WRITE);
    /* -no-pie: 0, as ld.bfd leaves it (crtbegin.o's _ITM_*), a word of
     * data too (no relocation: only its GOT slot and PLT entry are bound) */
    if (s->state == LK_UNDEF_WEAK)
        return l->dyn->fixed;
    if (s->state != LK_SHARED)
        return false;
    bool func = s->type == STT_FUNC || s->type == STT_GNU_IFUNC;
    if (h->formula == KA_F_ABS && word) { /* a dynamic relocation by the symbol, unless a copy takes it */
        *rc = l->dyn->fixed ? lk_import_note_word(l, s) : 0;
        return *rc != 0;
    }
    if (func && h->formula == KA_F_PC) { /* a call or jump: its PLT entry */
        *rc = lk_dyn_need_plt(l, f, r);
        return true;
    }
    if (func) {
        if (!l->dyn->fixed) /* a PIE cannot address it absolutely (-fPIE) */
            return false;
        /* -no-pie: the canonical PLT entry is its address, for the library too */
        if ((*rc = lk_dyn_need_plt(l, f, r)))
            return true;
        s->import_at = LK_IMPORT_PLT;
        return true;
    }
    /* data: a copy in the executable (-z copyreloc), or bound at run time */
    *rc = l->opt->z_nocopyreloc ? lk_nocopy_scan(l, f, h, target, s) : need_copy(l, f, s);
    return true;
}

bool lk_import_copies(const lk_link *l, const lk_sym *s, const ka_howto *h, bool writable)
{
    if (!s || s->state != LK_SHARED || s->defsym || s->type == STT_FUNC || s->type == STT_GNU_IFUNC)
        return false;
    bool word = h->size == l->arch->word_size && writable;
    return h->formula == KA_F_PC || (h->formula == KA_F_ABS && !word); /* (lk_import_scan's) */
}

bool lk_import_static_word(const lk_link *l, const lk_sym *s, bool writable)
{
    if (s && s->state == LK_UNDEF_WEAK) /* -no-pie: 0 (lk_import_scan) */
        return l->dyn->fixed;
    if (s && s->state == LK_SHARED && l->dyn->fixed && s->import_at) /* its copy, its PLT entry */
        return true;
    if (!s || writable) /* (a writable word: a relocation by the symbol) */
        return false;
    bool func = s->type == STT_FUNC || s->type == STT_GNU_IFUNC;
    return s->state == LK_SHARED && (l->dyn->fixed || !func);
}

int lk_import_place(lk_link *l, uint32_t *seq)
{
    lk_dyn *d = l->dyn;
    if (!d->ncopies)
        return 0;
    if (!(d->copy_off = lk_alloc(&l->arena, d->ncopies * sizeof *d->copy_off)) ||
        !(d->copy_ro = lk_alloc(&l->arena, d->ncopies * sizeof *d->copy_ro)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    uint64_t size[2] = {0, 0}, align[2] = {1, 1};
    for (size_t i = 0; i < d->ncopies; i++) {
        uint64_t a;
        bool ro;
        copy_kind(d->copies[i], &a, &ro);
        d->copy_ro[i] = ro;
        uint64_t at = (size[ro] + a - 1) & ~(a - 1);
        if (at < size[ro] || at + d->copies[i]->size < at)
            return lk_fail(l, KEEL_E_RANGE, "%s: copy of '%s': size out of range", d->copies[i]->dso->path,
                           d->copies[i]->name);
        d->copy_off[i] = at;
        size[ro] = at + d->copies[i]->size;
        if (a > align[ro])
            align[ro] = a;
    }
    for (int ro = 0; ro < 2; ro++) {
        if (!size[ro] && !align[ro])
            continue;
        keel_shdr sh = {.type = ro ? SHT_PROGBITS : SHT_NOBITS,
                        .flags = SHF_ALLOC | SHF_WRITE,
                        .size = size[ro],
                        .addralign = align[ro]};
        bool any = false;
        for (size_t i = 0; i < d->ncopies; i++)
            any |= d->copy_ro[i] == (bool)ro;
        if (!any)
            continue;
        lk_osec *o = lk_synthetic_section(l, ro ? ".data.rel.ro" : ".bss", &sh);
        if (!o || !(o->pieces = lk_grow(&l->arena, o->pieces, o->npieces, &o->cap, sizeof *o->pieces, 16)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        if (!o->seq)
            o->seq = ++*seq;
        *(ro ? &d->dynrelro : &d->dynbss) = o;
        *(ro ? &d->dynrelro_piece : &d->dynbss_piece) = (uint32_t)o->npieces;
        o->pieces[o->npieces] = (lk_piece){NULL, 0, size[ro], align[ro], 0, (uint32_t)o->npieces, false};
        o->npieces++;
        if (align[ro] > o->align)
            o->align = align[ro];
    }
    return 0;
}

void lk_import_fill_copies(lk_link *l, uint8_t *out)
{
    lk_dyn *d = l->dyn;
    for (size_t i = 0; i < d->ncopies; i++)
        ka_write_rela(l->arch, out + i * l->arch->rela_size, copy_address(l, d->copies[i]), d->copies[i]->dynsym,
                      l->arch->dyn.copy, 0);
}

int lk_import_needed(lk_link *l, uint64_t *at)
{
    lk_dyn *d = l->dyn;
    d->nneeded = lk_dso_count(l);
    if (!(d->needed_off = lk_alloc(&l->arena, (d->nneeded + 1) * sizeof *d->needed_off)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    size_t i = 0;
    for (size_t k = 0; k < l->ndsos; k++) {
        if (!l->dsos[k]->is_needed)
            continue;
        d->needed_off[i++] = (uint32_t)*at;
        *at += strlen(l->dsos[k]->soname) + 1;
        if (*at > UINT32_MAX)
            return lk_fail(l, KEEL_E_RANGE, ".dynstr: more than 4 GiB of names");
    }
    return d->nneeded ? lk_verneed_plan(l, at) : 0; /* the versions the imports need (version_need.c) */
}

void lk_import_fill_needed(lk_link *l, uint8_t *dynstr)
{
    lk_dyn *d = l->dyn;
    size_t i = 0;
    for (size_t k = 0; k < l->ndsos && i < d->nneeded; k++)
        if (l->dsos[k]->is_needed) {
            const char *so = l->dsos[k]->soname;
            memcpy(dynstr + d->needed_off[i++], so, strlen(so) + 1);
        }
    lk_verneed_fill_strings(l, dynstr);
}

void lk_import_symbol(lk_link *l, const lk_sym *s, uint8_t *bind, uint8_t *type, uint16_t *shndx, uint64_t *value,
                      uint64_t *size)
{
    /* as ld.bfd: the library's type; weak when no regular object
     * references it strongly (crtbeginS.o's __cxa_finalize) */
    *bind = s->state == LK_SHARED && s->ref_strong ? STB_GLOBAL : STB_WEAK;
    *type = s->state != LK_SHARED ? STT_NOTYPE : s->type == STT_GNU_IFUNC ? STT_FUNC : s->type;
    *shndx = SHN_UNDEF; /* (an IFUNC is the library's to resolve: a function here) */
    *value = *size = 0;
    if (s->state != LK_SHARED || !s->import_at)
        return;
    lk_import_value(l, s, value, size);
    if (s->import_at & LK_IMPORT_PLT) /* undefined, its value the canonical PLT entry */
        return;
    keel_sym d; /* a copy: defined here, bound as in the library (environ: weak), with its size */
    *bind = s->dso && !keel_symtab_get(&s->dso->dynsym, s->dso_index, &d, NULL) ? KEEL_ST_BIND(d.info) : STB_GLOBAL;
    *shndx = (uint16_t)(l->dyn->copy_ro[s->import_at - 1] ? l->dyn->dynrelro : l->dyn->dynbss)->index;
}

int lk_import_pltgot(lk_link *l, uint32_t *seq)
{
    lk_dyn *d = l->dyn;
    const ka_arch *a = l->arch;
    if (!d->nplt || !a->write_pltgot)
        return 0;
    size_t kept = 0;
    for (size_t i = 0; i < d->nplt; i++) {
        lk_sym *s = d->plts[i];
        lk_needs *n = lk_needs_of_sym(l, s);
        /* as ld.bfd: a GLOB_DAT slot is bound at start anyway; not a
         * canonical PLT entry (its address is the function's: a jump
         * through a slot bound to it would loop); nor an IFUNC, which
         * ld.bfd calls through the lazy PLT (dyn_ifunc.c) */
        if (n && (n->flags & LK_N_GOT) && (n->flags & LK_N_DYNSYM) && !(s->import_at & LK_IMPORT_PLT) &&
            s->type != STT_GNU_IFUNC) {
            if (!d->pltgots && !(d->pltgots = lk_alloc(&l->arena, d->nplt * sizeof *d->pltgots)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            n->flags = (uint16_t)((n->flags & ~LK_N_PLT) | LK_N_PLTGOT);
            n->plt = (uint32_t)d->npltgot;
            d->pltgots[d->npltgot++] = s;
            continue;
        }
        if (n)
            n->plt = (uint32_t)kept;
        d->plts[kept++] = s;
    }
    d->nplt = kept;
    if (!d->npltgot)
        return 0;
    keel_shdr sh = {.type = SHT_PROGBITS,
                    .flags = SHF_ALLOC | SHF_EXECINSTR,
                    .size = d->npltgot * (uint64_t)a->pltgot_size,
                    .addralign = 8};
    if (!(d->pltgot = lk_synthetic_section(l, ".plt.got", &sh)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    d->pltgot->seq = ++*seq;
    d->pltgot->size = sh.size;
    d->pltgot->align = 8;
    return 0;
}

void lk_import_fill_pltgot(lk_link *l, uint8_t *buf)
{
    lk_dyn *d = l->dyn;
    for (size_t i = 0; i < d->npltgot; i++) {
        const lk_needs *n = lk_needs_of_sym(l, d->pltgots[i]);
        uint64_t slot;
        if (!n || !(n->flags & LK_N_GOT))
            continue;
        slot = l->got->addr + (uint64_t)n->got * l->arch->word_size;
        uint64_t stub = d->pltgot->addr + i * (uint64_t)l->arch->pltgot_size;
        l->arch->write_pltgot(buf + d->pltgot->offset + i * l->arch->pltgot_size, stub, slot);
    }
}

bool lk_dyn_tls_kept(lk_link *l, lk_file *f, uint64_t symi)
{
    if (!l->dyn)
        return false;
    const lk_sym *s = lk_dyn_global(l, f, symi);
    return s && s->state == LK_SHARED;
}
