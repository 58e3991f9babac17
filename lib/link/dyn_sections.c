/* The sections of a position-independent executable, made with the other
 * synthetic sections once the scan has counted the dynamic relocations
 * (lk_dyn_place), filled once the layout is final (lk_dyn_fill): .interp
 * (unless --no-dynamic-linker), .hash and .gnu.hash (--hash-style),
 * .dynsym and .dynstr (the null symbol: an executable exports nothing
 * until the symbol policy says otherwise), .rela.dyn (RELATIVE
 * relocations sorted by place, as ld.bfd sorts them, DT_RELACOUNT of
 * them), .dynamic (its tags in ld.bfd's order) and .got.plt (its first
 * word _DYNAMIC's address, _GLOBAL_OFFSET_TABLE_ its start).  The
 * IFUNCs' IRELATIVE relocations stay in .rela.iplt, which DT_JMPREL
 * names: the self-relocation applies them after the RELATIVE ones, and
 * __rela_iplt_start/__rela_iplt_end are an empty range (relocate.c).
 * Where each goes is the segment model's (segments.c's criteria, layout.c's
 * classes): the tables in the headers' segment, .dynamic in RELRO. */
#include <stdlib.h>
#include <string.h>

#include "dyn.h"
#include "export_policy.h"
#include "verout.h"
#include "version_sections.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

static const char default_interp[] = "/lib64/ld-linux-x86-64.so.2"; /* gcc's for x86-64 */

lk_osec *lk_osec_named(const lk_link *l, const char *name)
{
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            if (strcmp(l->segs[s]->secs[i]->name, name) == 0)
                return l->segs[s]->secs[i];
    return NULL;
}

int lk_dyn_section(lk_link *l, uint32_t *seq, lk_osec **out, const char *name, uint32_t type, uint64_t flags,
                   uint64_t size, uint64_t align)
{
    keel_shdr sh = {.type = type, .flags = flags, .size = size, .addralign = align};
    lk_osec *o = lk_synthetic_section(l, name, &sh);
    if (!o)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    o->seq = ++*seq;
    o->size = size;
    o->align = align;
    *out = o;
    return 0;
}

static bool defined(const lk_link *l, const char *name)
{
    const lk_sym *s = lk_sym_find(&l->syms, name, lk_hash(name));
    return s && (s->state == LK_DEFINED || s->state == LK_WEAK);
}

static void tag(lk_dyn *d, uint64_t t)
{
    if (d->ntags < LK_DYN_MAXTAGS)
        d->tags[d->ntags++] = t;
}

int lk_dyn_place(lk_link *l, uint32_t *seq)
{
    lk_dyn *d = l->dyn;
    const keel_link_options *opt = l->opt;
    const ka_arch *a = l->arch;
    unsigned w = a->word_size;
    bool sysv = opt->hash_style != 2, gnu = opt->hash_style != 1; /* ld.bfd's default here: both */
    lk_import_settle_words(l);                                    /* (-no-pie: the words a copy took, uncounted) */
    size_t nrel = d->ndata + d->ngotrel + d->nsdata + d->ngotsym + d->ntlsrel + d->ncopies;
    if (!(d->rel = lk_alloc(&l->arena, (d->ndata + 1) * sizeof *d->rel)) ||
        !(d->srel = lk_alloc(&l->arena, (d->nsdata + 1) * sizeof *d->srel)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    int rc = lk_dyn_symbols(l); /* .dynsym's symbols (dyn_symbols.c; an executable's: -E's, or none) */
    if (!rc)
        rc = lk_import_place(l, seq); /* the copies (dyn_import.c) */
    uint64_t nsyms = d->ndsyms + 1, nhashed = d->ndsyms - d->nunhashed;
    if (!rc && (opt->shared ? opt->dynamic_linker != NULL : !opt->no_dynamic_linker)) {
        const char *interp = opt->dynamic_linker ? opt->dynamic_linker : default_interp;
        rc = lk_dyn_section(l, seq, &d->interp, ".interp", SHT_PROGBITS, SHF_ALLOC, strlen(interp) + 1, 1);
    }
    /* one symbol, the null one: one bucket, one chain (sysv); one bucket,
     * one bloom word, no chain (gnu), as ld.bfd writes them */
    if (!rc && sysv)
        rc = lk_dyn_section(l, seq, &d->hash, ".hash", SHT_HASH, SHF_ALLOC, 4 * (2 + (uint64_t)d->nbuckets + nsyms), 8);
    if (!rc && gnu)
        rc = lk_dyn_section(l, seq, &d->gnu_hash, ".gnu.hash", SHT_GNU_HASH, SHF_ALLOC,
                            16 + (uint64_t)d->maskwords * w + 4 * ((uint64_t)d->nbuckets + nhashed), 8);
    if (!rc)
        rc = lk_dyn_section(l, seq, &d->dynsym, ".dynsym", SHT_DYNSYM, SHF_ALLOC, nsyms * a->sym_size, 8);
    if (!rc)
        rc = lk_dyn_section(l, seq, &d->dynstr, ".dynstr", SHT_STRTAB, SHF_ALLOC, d->dynstr_size, 1);
    if (!rc) /* .gnu.version, .gnu.version_d (version_def.c) */
        rc = lk_dyn_verout_place(l, seq);
    if (!rc && lk_verneed_count(l)) /* the imports' versions (version_need.c) */
        rc = lk_dyn_section(l, seq, &d->verneed_sec, ".gnu.version_r", SHT_GNU_verneed, SHF_ALLOC, lk_verneed_size(l),
                            8);
    if (!rc && nrel)
        rc = lk_dyn_section(l, seq, &d->rela, ".rela.dyn", SHT_RELA, SHF_ALLOC, nrel * a->rela_size, 8);
    /* the lazy PLT, its slots and their JUMP_SLOT relocations; the TLS
     * descriptors' entry, words and TLSDESC relocations after them */
    uint64_t descplt = lk_dyn_tlsdesc_plt(l);
    if (!rc)
        rc = lk_import_pltgot(l, seq); /* .plt.got (dyn_import.c) */
    /* ld.bfd keeps PLT0 (and DT_PLTGOT) when .plt.got alone has entries */
    if (!rc && (d->nplt || descplt || d->pltgot))
        rc = lk_dyn_section(l, seq, &d->plt, ".plt", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR,
                            a->plt0_size + d->nplt * (uint64_t)a->plt_size + descplt, 16);
    if (d->pltgot) /* (after .plt, as ld.bfd has it) */
        d->pltgot->seq = ++*seq;
    if (!rc && (d->nplt || d->ndesc))
        rc = lk_dyn_section(l, seq, &d->rela_plt, ".rela.plt", SHT_RELA, SHF_ALLOC, (d->nplt + d->ndesc) * a->rela_size,
                            8);
    if (!rc) /* -z pack-relative-relocs (relr.c) */
        rc = lk_relr_place(l, seq, d->ndata + d->ngotrel);
    if (!rc && (l->nifuncs || d->nplt || d->ndesc || d->pltgot ||
                lk_sym_find(&l->syms, "_GLOBAL_OFFSET_TABLE_", lk_hash("_GLOBAL_OFFSET_TABLE_"))))
        rc = lk_dyn_section(l, seq, &d->got_plt, ".got.plt", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE,
                            (3 + d->nplt + 2 * d->ndesc) * w, w);
    if (rc)
        return rc;
    /* the tags, in ld.bfd's order */
    d->ntags = 0;
    bool symbolic = lk_policy_symbolic_tag(l); /* -Bsymbolic, as ld.bfd marks it */
    for (size_t i = 0; i < d->nneeded; i++)    /* the libraries, in command-line order (dyn_import.c) */
        tag(d, DT_NEEDED);
    if (opt->soname)
        tag(d, DT_SONAME);
    if (symbolic)
        tag(d, DT_SYMBOLIC);
    if (d->runpath_off) /* -rpath (dyn_runpath.c) */
        tag(d, l->opt->new_dtags == 2 ? DT_RPATH : DT_RUNPATH);
    if (defined(l, "_init"))
        tag(d, DT_INIT);
    if (defined(l, "_fini"))
        tag(d, DT_FINI);
    static const struct {
        const char *name;
        uint64_t at, size;
    } arrays[] = {{".preinit_array", DT_PREINIT_ARRAY, DT_PREINIT_ARRAYSZ},
                  {".init_array", DT_INIT_ARRAY, DT_INIT_ARRAYSZ},
                  {".fini_array", DT_FINI_ARRAY, DT_FINI_ARRAYSZ}};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        if (lk_osec_named(l, arrays[i].name)) {
            tag(d, arrays[i].at);
            tag(d, arrays[i].size);
        }
    if (d->hash)
        tag(d, DT_HASH);
    if (d->gnu_hash)
        tag(d, DT_GNU_HASH);
    tag(d, DT_STRTAB);
    tag(d, DT_SYMTAB);
    tag(d, DT_STRSZ);
    tag(d, DT_SYMENT);
    if (!opt->shared)
        tag(d, DT_DEBUG); /* an executable's, for debuggers */
    if (l->nifuncs || d->nplt || d->ndesc) {
        if (l->nifuncs || d->nplt || !opt->now) /* (ld.bfd's -z now: descriptors alone are in .got) */
            tag(d, DT_PLTGOT);
        tag(d, DT_PLTRELSZ);
        tag(d, DT_PLTREL);
        tag(d, DT_JMPREL);
        if (descplt) {
            tag(d, DT_TLSDESC_PLT);
            tag(d, DT_TLSDESC_GOT);
        }
    } else if (d->plt) /* PLT0 alone, before .plt.got: its GOT, no relocations */
        tag(d, DT_PLTGOT);
    if (d->rela) {
        tag(d, DT_RELA);
        tag(d, DT_RELASZ);
        tag(d, DT_RELAENT);
    }
    if (d->textrel)
        tag(d, DT_TEXTREL);
    if (d->verdef) {
        tag(d, DT_VERDEF);
        tag(d, DT_VERDEFNUM);
    }
    if (d->textrel || opt->now || d->static_tls || opt->z_origin || symbolic)
        tag(d, DT_FLAGS);
    if ((!opt->shared && !d->fixed) || opt->now || opt->z_nodelete || opt->z_origin || opt->z_nodlopen || opt->z_global)
        tag(d, DT_FLAGS_1);
    if (d->verneed_sec) {
        tag(d, DT_VERNEED);
        tag(d, DT_VERNEEDNUM);
    }
    if (d->versym)
        tag(d, DT_VERSYM);
    if (d->rela && d->ndata + d->ngotrel > d->nidata) /* (.relr.dyn may take them all: lk_dyn_fill drops it) */
        tag(d, DT_RELACOUNT);
    if (d->relr) {
        tag(d, DT_RELR);
        tag(d, DT_RELRSZ);
        tag(d, DT_RELRENT);
    }
    tag(d, DT_NULL);
    return lk_dyn_section(l, seq, &d->dynamic, ".dynamic", SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE,
                          d->ntags * 2 * (uint64_t)w, w);
}

/* a[0..n) of size-byte records, each starting with its place (a uint64_t:
 * lk_dynrel, lk_dynsymrel), by place, stably, through tmp; the result in
 * a or tmp, returned.  A byte-wise radix sort of the bytes in which the
 * places differ (a qsort of the relocations was 3% of a libpython
 * -shared link). */
static void *by_place(void *a, void *tmp, size_t n, size_t size)
{
    uint64_t first = 0, differ = 0, v;
    if (n)
        memcpy(&first, a, 8);
    for (size_t i = 1; i < n; i++) {
        memcpy(&v, (char *)a + i * size, 8);
        differ |= v ^ first;
    }
    for (unsigned shift = 0; shift < 64; shift += 8) {
        if (!((differ >> shift) & 255))
            continue; /* every place has this byte: nothing to move */
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++) {
            memcpy(&v, (char *)a + i * size, 8);
            count[(v >> shift) & 255]++;
        }
        size_t at = 0;
        for (size_t b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = at;
            at += c;
        }
        for (size_t i = 0; i < n; i++) {
            memcpy(&v, (char *)a + i * size, 8);
            memcpy((char *)tmp + count[(v >> shift) & 255]++ * size, (char *)a + i * size, size);
        }
        void *t = a;
        a = tmp;
        tmp = t;
    }
    return a;
}

/* A global's value, or 0 */
static uint64_t value_of(lk_link *l, const char *name)
{
    lk_sym *s = lk_sym_find(&l->syms, name, lk_hash(name));
    uint64_t v = 0, size;
    bool tls;
    lk_place where = {name, NULL, 0};
    if (!s || lk_global_value(l, s, &v, &size, &tls, &where, 0))
        return 0;
    return v;
}

static uint64_t tag_value(lk_link *l, uint64_t t)
{
    const lk_dyn *d = l->dyn;
    const lk_osec *o;
    const ka_arch *a = l->arch;
    uint64_t v, size;
    switch (t) {
    case DT_INIT:
    case DT_FINI: return value_of(l, t == DT_INIT ? "_init" : "_fini");
    case DT_PREINIT_ARRAY:
    case DT_PREINIT_ARRAYSZ:
    case DT_INIT_ARRAY:
    case DT_INIT_ARRAYSZ:
    case DT_FINI_ARRAY:
    case DT_FINI_ARRAYSZ:
        o = lk_osec_named(l, t == DT_PREINIT_ARRAY || t == DT_PREINIT_ARRAYSZ ? ".preinit_array"
                             : t == DT_INIT_ARRAY || t == DT_INIT_ARRAYSZ     ? ".init_array"
                                                                              : ".fini_array");
        return !o ? 0 : t == DT_PREINIT_ARRAY || t == DT_INIT_ARRAY || t == DT_FINI_ARRAY ? o->addr : o->size;
    case DT_HASH: return d->hash->addr;
    case DT_GNU_HASH: return d->gnu_hash->addr;
    case DT_STRTAB: return d->dynstr->addr;
    case DT_SYMTAB: return d->dynsym->addr;
    case DT_STRSZ: return d->dynstr->size;
    case DT_SYMENT: return a->sym_size;
    case DT_PLTGOT: return d->got_plt ? d->got_plt->addr : l->igot->addr;
    case DT_SONAME: return d->soname_off;
    case DT_PLTRELSZ: return lk_dyn_jmprel(l, &v, &size), size; /* .rela.plt, then .rela.iplt (dyn_ifunc.c) */
    case DT_PLTREL: return DT_RELA;
    case DT_JMPREL: return lk_dyn_jmprel(l, &v, &size), v;
    case DT_TLSDESC_PLT: return d->plt->addr + a->plt0_size + d->nplt * (uint64_t)a->plt_size;
    case DT_TLSDESC_GOT: return l->got->addr + (uint64_t)d->desc_got * a->word_size;
    case DT_RELA: return d->rela->addr;
    case DT_RELASZ: return d->rela->size;
    case DT_RELAENT: return a->rela_size;
    case DT_FLAGS:
        return (d->textrel ? DF_TEXTREL : 0) | (l->opt->now ? DF_BIND_NOW : 0) | (d->static_tls ? DF_STATIC_TLS : 0) |
               (l->opt->z_origin ? DF_ORIGIN : 0) | (lk_policy_symbolic_tag(l) ? DF_SYMBOLIC : 0);
    case DT_FLAGS_1:
        return (l->opt->shared || l->dyn->fixed ? 0 : DF_1_PIE) | (l->opt->now ? DF_1_NOW : 0) |
               (l->opt->z_nodelete ? DF_1_NODELETE : 0) | (l->opt->z_origin ? DF_1_ORIGIN : 0) |
               (l->opt->z_nodlopen ? DF_1_NOOPEN : 0) | (l->opt->z_global ? DF_1_GLOBAL : 0);
    case DT_RELACOUNT: return d->nrel - d->nirel + d->ngotrel - d->nrelr;
    case DT_VERNEED: return d->verneed_sec->addr;
    case DT_VERNEEDNUM: return lk_verneed_count(l);
    default: /* DT_DEBUG, DT_TEXTREL, DT_NULL, and version_def.c's, relr.c's */ return lk_verout_tag_value(l, t);
    }
}

/* .ctors/.dtors folded into the arrays run backwards: fill() reversed
 * their words after relocation, so the relocations recorded at their
 * places move with them. */
static void follow_reversed(const lk_link *l, lk_dyn *d)
{
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            const lk_osec *o = l->segs[s]->secs[i];
            for (size_t k = 0; k < o->npieces; k++) {
                const lk_piece *p = &o->pieces[k];
                uint64_t lo = o->addr + p->offset, n = p->size / 8 * 8;
                if (!p->reverse || n < 16)
                    continue;
                for (size_t r = 0; r < d->nrel; r++)
                    if (d->rel[r].offset >= lo && d->rel[r].offset < lo + n)
                        d->rel[r].offset = lo + (n - 8 - (d->rel[r].offset - lo));
                for (size_t r = 0; r < d->nsrel; r++)
                    if (d->srel[r].offset >= lo && d->srel[r].offset < lo + n)
                        d->srel[r].offset = lo + (n - 8 - (d->srel[r].offset - lo));
            }
        }
}

void lk_dyn_fill(lk_link *l, uint8_t *buf)
{
    lk_dyn *d = l->dyn;
    const ka_arch *a = l->arch;
    unsigned w = a->word_size;
    if (d->interp) {
        const char *interp = l->opt->dynamic_linker ? l->opt->dynamic_linker : default_interp;
        memcpy(buf + d->interp->offset, interp, strlen(interp) + 1);
    }
    follow_reversed(l, d);
    if (d->rela) {
        /* the GOT's address slots join the words, all sorted by place */
        size_t n = d->nrel;
        lk_dynrel *all = malloc((n + d->ngotrel + 1) * sizeof *all), *tmp = malloc((n + d->ngotrel + 1) * sizeof *tmp);
        if (all && tmp) {
            memcpy(all, d->rel, n * sizeof *all);
            for (size_t i = 0; i < d->ngotrel; i++) {
                uint64_t v = 0;
                memcpy(&v, l->got->data + (uint64_t)d->gotrel[i] * w, w);
                all[n++] = (lk_dynrel){l->got->addr + (uint64_t)d->gotrel[i] * w, v, false};
            }
            /* RELATIVE first (DT_RELACOUNT counts them), each kind by
             * place; with -z pack-relative-relocs the RELATIVE ones at
             * even places go to .relr.dyn instead */
            const lk_dynrel *sorted = by_place(all, tmp, n, sizeof *all);
            uint64_t *packed = d->relr ? malloc((n + 1) * sizeof *packed) : NULL;
            size_t kept = 0;
            d->nrelr = 0;
            for (int irel = 0; irel < 2; irel++)
                for (size_t k = 0; k < n; k++) {
                    if (sorted[k].irelative != irel)
                        continue;
                    if (packed && !irel && lk_relr_packs(l, sorted[k].offset))
                        packed[d->nrelr++] = sorted[k].offset; /* .relr.dyn's (the word holds its addend) */
                    else
                        ka_write_rela(a, buf + d->rela->offset + kept++ * a->rela_size, sorted[k].offset, 0,
                                      irel ? a->dyn.irelative : a->dyn.relative, (int64_t)sorted[k].addend);
                }
            if (d->relr) {
                lk_relr_fill(l, buf, packed, d->nrelr);
                d->rela->size -= (n - kept) * a->rela_size; /* its room for them, trimmed */
            }
            free(packed);
            n = kept;
        }
        free(all);
        free(tmp);
        /* then the symbolic ones, by place: absolute words and GOT slots */
        size_t at = n, k = 0;
        lk_dynsymrel *sym = malloc((d->nsrel + d->ngotsym + 1) * sizeof *sym),
                     *stmp = malloc((d->nsrel + d->ngotsym + 1) * sizeof *stmp);
        if (sym && stmp) {
            memcpy(sym, d->srel, d->nsrel * sizeof *sym);
            k = d->nsrel;
            for (size_t i = 0; i < d->ngotsym; i++) /* (INT64_MIN marks a GOT slot: GLOB_DAT) */
                sym[k++] = (lk_dynsymrel){l->got->addr + (uint64_t)d->gotsym[i].slot * w, d->gotsym[i].sym, INT64_MIN,
                                          0};
            const lk_dynsymrel *sorted = by_place(sym, stmp, k, sizeof *sym);
            for (size_t i = 0; i < k; i++) {
                bool glob = sorted[i].addend == INT64_MIN;
                ka_write_rela(a, buf + d->rela->offset + (at + i) * a->rela_size, sorted[i].offset,
                              sorted[i].sym->dynsym,
                              glob             ? a->dyn.glob_dat
                              : sorted[i].type ? sorted[i].type
                                               : a->dyn.abs,
                              glob ? 0 : sorted[i].addend);
            }
        }
        free(sym);
        free(stmp);
        if (d->ntls) /* the TLS slots' */
            lk_dyn_fill_tls(l, buf, buf + d->rela->offset + (at + k) * a->rela_size);
        if (d->ncopies) /* the copies' last (dyn_import.c) */
            lk_import_fill_copies(l, buf + d->rela->offset + (at + k + d->ntlsrel) * a->rela_size);
        /* (fewer than counted, a word the write pass dropped: the rest
         * stay R_*_NONE, zeros) */
    }
    if (d->plt) { /* PLT0, the entries, their lazy slots and JUMP_SLOT relocations */
        a->write_plt0(buf + d->plt->offset, d->plt->addr, d->got_plt->addr);
        for (size_t i = 0; i < d->nplt; i++) {
            uint64_t stub = d->plt->addr + a->plt0_size + i * a->plt_size, slot = d->got_plt->addr + (3 + i) * w;
            a->write_plt(buf + d->plt->offset + a->plt0_size + i * a->plt_size, stub, slot, (uint32_t)i, d->plt->addr);
            ka_put_word(a, buf + d->got_plt->offset + (3 + i) * w, stub + a->plt_lazy_offset);
            ka_write_rela(a, buf + d->rela_plt->offset + i * a->rela_size, slot, d->plts[i]->dynsym, a->dyn.jump_slot,
                          0);
        }
    }
    lk_import_fill_pltgot(l, buf);
    if (d->ndesc)
        lk_dyn_fill_tlsdesc(l, buf);
    lk_dyn_fill_symbols(l, buf);
    lk_dyn_verout_fill(l, buf); /* .gnu.version, .gnu.version_d, the strings (version_def.c) */
    if (d->verneed_sec)
        lk_write_verneed(l, buf + d->verneed_sec->offset);
    if (d->got_plt)
        ka_put_word(a, buf + d->got_plt->offset, d->dynamic->addr);
    if (d->relr && d->nrel - d->nirel + d->ngotrel == d->nrelr) /* all packed: no DT_RELACOUNT, as ld.bfd */
        for (size_t i = 0; i < d->ntags; i++)
            if (d->tags[i] == DT_RELACOUNT) {
                memmove(d->tags + i, d->tags + i + 1, (d->ntags - i - 1) * sizeof *d->tags);
                d->tags[d->ntags - 1] = DT_NULL; /* (the room left: a second DT_NULL) */
                break;
            }
    for (size_t i = 0, needed = 0; i < d->ntags; i++) {
        ka_put_word(a, buf + d->dynamic->offset + i * 2 * w, d->tags[i]);
        ka_put_word(a, buf + d->dynamic->offset + i * 2 * w + w,
                    d->tags[i] == DT_NEEDED && needed < d->nneeded ? d->needed_off[needed++]
                                                                   : tag_value(l, d->tags[i]));
    }
}

void lk_dyn_shdr(const lk_link *l, const lk_osec *o, keel_shdr *sh)
{
    const lk_dyn *d = l->dyn;
    uint32_t dynsym = d->dynsym->index, dynstr = d->dynstr->index;
    if (o == d->dynsym)
        sh->link = dynstr, sh->info = 1, sh->entsize = l->arch->sym_size;
    else if (o == d->hash)
        sh->link = dynsym, sh->entsize = 4;
    else if (o == d->gnu_hash || o == d->rela)
        sh->link = dynsym;
    else if (o == d->dynamic)
        sh->link = dynstr, sh->entsize = 2 * (uint64_t)l->arch->word_size;
    else if (o == l->rela_iplt) /* as ld.bfd's .rela.plt: the dynamic symbols', applying to the slots */
        sh->link = dynsym;
    else if (o == d->got_plt || o == l->got)
        sh->entsize = l->arch->word_size;
    else if (o == d->plt)
        sh->entsize = l->arch->plt_size;
    else if (o == d->pltgot)
        sh->entsize = l->arch->pltgot_size;
    else if (o == d->versym)
        sh->link = dynsym, sh->entsize = 2;
    else if (o == d->verneed_sec)
        sh->link = dynstr, sh->info = (uint32_t)lk_verneed_count(l);
    else if (o == d->rela_plt) /* the slots it fills */
        sh->link = dynsym, sh->info = d->got_plt->index, sh->flags |= SHF_INFO_LINK;
    else
        lk_verout_shdr(l, o, sh);
}
