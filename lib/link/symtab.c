/* The pass "finalize symbols": the output's .symtab (the locals, each
 * object's after its FILE symbol, then the globals with their final
 * values), its .strtab with shared tails, the section names' .shstrtab,
 * the entry point, and where these tables and the section headers go at
 * the end of the file.  The values are final here: the addresses are
 * assigned; the write pass only copies these tables. */
#include <stdlib.h>
#include <string.h>

#include "export_policy.h"
#include "image.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

uint32_t lk_str_add(lk_strtab *t, const char *s)
{
    size_t len = strlen(s) + 1;
    if (t->n + len > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->n + len)
            cap *= 2;
        char *v = realloc(t->v, cap);
        if (!v) {
            t->failed = true;
            return 0;
        }
        t->v = v;
        t->cap = cap;
    }
    memcpy(t->v + t->n, s, len);
    t->n += len;
    return (uint32_t)(t->n - len);
}

static uint32_t shstr_add(void *t, const char *s) { return lk_str_add(t, s); }

/* The next 24-byte entry of the symbol table being made (the array grows
 * by doubling; NULL when out of memory). */
static uint8_t *sym_slot(uint8_t **syms, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        uint8_t *v = realloc(*syms, 2 * *cap * 24);
        if (!v)
            return NULL;
        memset(v + *cap * 24, 0, *cap * 24);
        *syms = v;
        *cap *= 2;
    }
    return *syms + (*n)++ * 24;
}

/* An IFUNC in .symtab: the resolver's address and type STT_GNU_IFUNC, as
 * GNU ld writes it (the stub is only what calls and pointers reach).
 * True when written so: the output then has a GNU symbol type. */
static bool ifunc_resolver(const lk_file *f, const keel_sym *d, uint64_t *value)
{
    if (d->shndx >= f->elf.shnum || !f->out[d->shndx] || (f->merged && f->merged[d->shndx]))
        return false;
    *value = f->out[d->shndx]->addr + f->pos[d->shndx] + d->value;
    return true;
}

/* shndx is a symbol's section, already resolved through SHN_XINDEX, or
 * UINT32_MAX when its raw st_shndx is SHN_ABS (a section of a large
 * object may have the number 0xfff1 itself) */
static uint16_t out_index(const lk_file *f, uint32_t shndx)
{
    return shndx < f->elf.shnum && f->out[shndx] ? (uint16_t)f->out[shndx]->index : SHN_ABS;
}

int lk_pass_symbols(lk_link *l)
{
    l->values_final = true; /* the addresses are assigned: symbols' values keep (relocate.c) */
    lk_image *img = l->img;
    const ka_arch *arch = l->arch;
    bool keep_syms = img->keep_syms;
    uint32_t nsec = img->nsec;
    int rc;
    /* the entry point (entry.c) */
    uint64_t entry_addr = 0;
    bool tls;
    /* ELFOSABI_GNU when a symbol written is an IFUNC or STB_GNU_UNIQUE:
     * GNU extensions a reader must know, as GNU ld marks them */
    bool gnu_osabi = false;
    rc = lk_mapfile_symbols(l); /* a mapfile's SYMBOL_SCOPE: scopes, ASSERTs */
    if (!rc)
        rc = lk_entry_address(l, &entry_addr);
    if (rc)
        return rc;
    /* symbols: the globals with their output places */
    lk_strtab str = {0}, shstr = {0};
    lk_str_add(&str, "");
    lk_str_add(&shstr, "");
    size_t nsyms = 1, capsyms = 1024;
    uint8_t *syms = calloc(capsyms, 24);
    /* --emit-relocs: first a symbol per output section, as ld.bfd writes
     * them (symbol k is section k: the relocations name them so) */
    for (size_t s = 0; syms && l->nemits && s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            uint8_t *e = sym_slot(&syms, &nsyms, &capsyms);
            if (!e) {
                str.failed = true;
                break;
            }
            e[4] = 3 /* STB_LOCAL, STT_SECTION */;
            put16(e + 6, (uint16_t)l->segs[s]->secs[i]->index);
            put64(e + 8, l->segs[s]->secs[i]->addr);
        }
    /* the locals first (ELF wants them so), each object's after a FILE
     * symbol, as ld writes them; which ones, -x and -X say (strip.c) */
    for (size_t fi = 0; syms && fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        for (uint64_t k = 1; f->has_symtab && k < f->symtab.first_global && k < f->symtab.count; k++) {
            keel_sym d;
            const char *name;
            uint64_t value = 0, sz;
            uint16_t shndx = SHN_ABS;
            if (keel_symtab_get(&f->symtab, k, &d, NULL) || keel_symtab_name(&f->symtab, &d, &name, NULL) || !*name ||
                !lk_keep_local(l, f, &d, name))
                continue;
            uint8_t type = d.info & 0xf;
            if (type == 3 /* SECTION */)
                continue;
            if (type != 4 /* FILE */) {
                if (d.raw_shndx != SHN_ABS && (d.shndx >= f->elf.shnum || !f->out[d.shndx]))
                    continue; /* in a section not linked */
                if (lk_symbol_value(l, f, k, &value, &sz, &tls, NULL))
                    continue; /* a local that cannot be placed is left out (its message unused) */
                shndx = out_index(f, d.raw_shndx == SHN_ABS ? UINT32_MAX : d.shndx);
                if (tls)
                    value -= l->tls_start;
                if (type == 10 /* IFUNC */)
                    gnu_osabi |= ifunc_resolver(f, &d, &value);
            }
            uint8_t *e = sym_slot(&syms, &nsyms, &capsyms);
            if (!e) {
                str.failed = true;
                break;
            }
            put32(e, lk_str_add(&str, name));
            e[4] = d.info;
            e[5] = d.other;
            put16(e + 6, shndx);
            put64(e + 8, type == 4 ? 0 : value);
            put64(e + 16, type == 4 ? 0 : d.size);
            if (f->sym_out)
                f->sym_out[k] = (uint32_t)(nsyms - 1);
        }
    }
    size_t nlocals = nsyms, nforced = 0;
    lk_sym **sorted;
    size_t nsorted;
    if (lk_sorted_symbols(l, &sorted, &nsorted))
        nsorted = 0, syms = (free(syms), NULL);
    for (size_t i = 0; syms && i < nsorted; i++) {
        lk_sym *s = sorted[i];
        if (s->pol_flags & LK_POL_ALIAS) /* NAME of NAME@@VER: ld.bfd's indirect symbol, not written */
            continue;
        if ((s->state != LK_DEFINED && s->state != LK_WEAK && s->state != LK_COMMON) ||
            s->scope == LK_SCOPE_ELIMINATE) /* (a mapfile's) */
            continue;
        keel_sym d = {0};
        uint64_t value = 0, sz = 0;
        uint16_t shndx = SHN_ABS;
        if (s->state == LK_COMMON) {
            bool tcommon = s->type == 6 /* STT_TLS */;
            value = lk_common_address(l, s) - (tcommon ? l->tls_start : 0);
            sz = s->size;
            shndx = (uint16_t)(tcommon ? l->tcommon : l->common)->index;
            d.info = (uint8_t)(STB_GLOBAL << 4 | (tcommon ? 6 : 1));
        } else if (!s->def) { /* --defsym */
            if (lk_global_value(l, s, &value, &sz, &tls, NULL, 0))
                continue;
            d.info = (uint8_t)(STB_GLOBAL << 4);
        } else {
            if (keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL) ||
                lk_global_value(l, s, &value, &sz, &tls, NULL, 0))
                continue;
            shndx = out_index(s->def, d.raw_shndx == SHN_ABS ? UINT32_MAX : d.shndx);
            if (tls)
                value -= l->tls_start; /* TLS symbols are offsets in the TLS block */
            gnu_osabi |= d.info >> 4 == 10 /* GNU_UNIQUE */;
            if ((d.info & 0xf) == 10 /* IFUNC */)
                gnu_osabi |= ifunc_resolver(s->def, &d, &value);
        }
        uint8_t *e = sym_slot(&syms, &nsyms, &capsyms);
        if (!e) {
            str.failed = true; /* reported below, as out of memory */
            break;
        }
        put32(e, lk_str_add(&str, s->name));
        /* ld.bfd's forced-local symbols of a shared object (the gABI: a
         * hidden symbol is removed or made local): hidden and internal
         * ones and what a version script makes local, written local with
         * default visibility, among the locals */
        bool forced = l->opt->shared && !l->opt->relocatable &&
                      (s->pol_vis == STV_HIDDEN || s->pol_vis == STV_INTERNAL || (s->pol_flags & LK_POL_LOCAL));
        nforced += forced;
        e[4] = (uint8_t)((s->scope == LK_SCOPE_LOCAL || forced               ? STB_LOCAL
                          : s->state == LK_WEAK                              ? STB_WEAK
                          : s->def && KEEL_ST_BIND(d.info) == STB_GNU_UNIQUE ? STB_GNU_UNIQUE /* (as ld.bfd) */
                                                                             : STB_GLOBAL)
                             << 4 |
                         (d.info & 0xf));
        e[5] = forced ? (uint8_t)(d.other & ~3u) : d.other;
        put16(e + 6, shndx);
        put64(e + 8, value);
        put64(e + 16, sz);
        s->out_index = (uint32_t)(nsyms - 1);
    }
    /* a mapfile's SIZE_SYMBOLs: global absolute objects, the segment's
     * size in memory (no input defines them: mapfile_apply_match.c) */
    for (size_t g = 0; syms && g < l->nsegs; g++)
        for (size_t k = 0; k < l->segs[g]->size_syms.n; k++) {
            uint8_t *e = sym_slot(&syms, &nsyms, &capsyms);
            if (!e) {
                str.failed = true;
                break;
            }
            put32(e, lk_str_add(&str, l->segs[g]->size_syms.v[k]));
            e[4] = (uint8_t)(STB_GLOBAL << 4 | 1 /* STT_OBJECT */);
            put16(e + 6, SHN_ABS);
            put64(e + 8, l->segs[g]->memsz);
        }
    if (syms && (l->mf_symbols || nforced)) /* a mapfile's SYMBOL_SCOPE, and the forced: locals first */
        nlocals = lk_scope_partition(l, syms, nlocals, nsyms);
    if (!syms || !str.v || str.failed || shstr.failed) {
        free(syms);
        free(str.v);
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    }
    int src = lk_strtab_share(l, &str.v, &str.n, syms, nsyms); /* each name once, or a longer one's tail */
    if (src) {
        free(syms);
        free(str.v);
        free(shstr.v);
        return src;
    }
    str.cap = str.n;
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            lk_str_add(&shstr, l->segs[s]->secs[i]->name);
    uint32_t n_symtab = keep_syms ? lk_str_add(&shstr, ".symtab") : 0,
             n_strtab = keep_syms ? lk_str_add(&shstr, ".strtab") : 0, n_shstrtab = lk_str_add(&shstr, ".shstrtab");
    if (!keep_syms)
        nsyms = str.n = 0;
    uint64_t relend = l->file_end; /* --emit-relocs: the .rela sections first */
    char relname[256];
    if (l->nemits)
        lk_emit_relocs_place(l, &relend, shstr_add, &shstr, relname, sizeof relname);
    if (shstr.failed || str.failed) {
        free(syms);
        free(str.v);
        free(shstr.v);
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    }
    uint64_t symoff = keep_syms ? align_up(relend, arch->word_size) : relend, stroff = symoff + nsyms * arch->sym_size,
             shstroff = stroff + str.n, shoff = align_up(shstroff + shstr.n, arch->word_size),
             total = shoff + (uint64_t)nsec * arch->shdr_size;
    img->entry = entry_addr;
    img->gnu_osabi = gnu_osabi;
    img->syms = syms;
    img->nsyms = nsyms;
    img->nlocals = nlocals;
    img->str = str;
    img->shstr = shstr;
    img->n_symtab = n_symtab;
    img->n_strtab = n_strtab;
    img->n_shstrtab = n_shstrtab;
    img->symoff = symoff;
    img->stroff = stroff;
    img->shstroff = shstroff;
    img->shoff = shoff;
    img->total = total;
    return 0;
}
