/* A shared object's dynamic symbols (-shared): .dynsym, .dynstr and the
 * hash tables the dynamic linker looks names up in.  The symbols are the
 * undefined ones its dynamic relocations name, first and not hashed (as
 * ld.bfd orders them), then every global it defines with default or
 * protected visibility (hidden and internal never), grouped by GNU hash
 * bucket as .gnu.hash requires.  .hash (sysv) chains the same symbols;
 * --hash-style picks the tables.  The export policy (version scripts,
 * --dynamic-list, -Bsymbolic) joins verscript's lk_export_policy at
 * merge: here, every default or protected global is exported. */
#include <stdlib.h>
#include <string.h>

#include "dyn.h"
#include "export_policy.h"
#include "verout.h"
#include "version_sections.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

/* The hashes of a symbol's dynamic name, its first len bytes (foo of
 * foo@@VER: export_policy.c) */
static uint32_t gnu_hash(const lk_sym *sym, size_t len)
{
    uint32_t h = 5381;
    const unsigned char *s = (const unsigned char *)sym->name;
    for (const unsigned char *p = s; p < s + len; p++)
        h = h * 33 + *p;
    return h;
}

static uint32_t sysv_hash(const lk_sym *sym, size_t len)
{
    uint32_t h = 0;
    const unsigned char *s = (const unsigned char *)sym->name;
    for (const unsigned char *p = s; p < s + len; p++) {
        h = (h << 4) + *p;
        uint32_t g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

/* ld.bfd's bucket counts (elf_buckets in elflink.c): the largest not above
 * the number of symbols */
static uint32_t bucket_count(size_t n)
{
    static const uint32_t primes[] = {1, 3, 17, 37, 67, 97, 131, 197, 263, 521, 1031, 2053, 4099, 8209, 16411, 32771};
    uint32_t b = 1;
    for (size_t i = 0; i < sizeof primes / sizeof primes[0] && primes[i] <= n; i++)
        b = primes[i];
    return b;
}

/* Whether the symbol policy exports s (export_policy.c: visibility,
 * version scripts, dynamic lists, -E) and it is defined in a linked
 * section or is a common. */
static bool exported(const lk_link *l, lk_sym *s)
{
    keel_sym d;
    if (s->defsym || s->dynsym || (s->state != LK_DEFINED && s->state != LK_WEAK && s->state != LK_COMMON) || !s->def ||
        !lk_sym_exported(l, s))
        return false;
    if (s->state == LK_COMMON)
        return true;
    if (keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL))
        return false;
    return d.raw_shndx == SHN_ABS || (d.shndx && d.shndx < s->def->elf.shnum && s->def->out[d.shndx]);
}

/* ld.bfd numbers a GNU hash bucket's symbols in the order it walks its
 * own symbol table (elf_renumber_gnu_hash_syms, by bfd_hash_traverse):
 * by BFD's hash of the name (bfd_hash_lookup's) modulo the table's size,
 * 4051 until more than 3/4 of it is used, then the next of its primes
 * (bfd/hash.c, higher_prime_number), and the names of one slot newest
 * first.  keel cannot count every name ld.bfd's table holds (it adds
 * versioned aliases keel does not), so the size is from keel's own
 * count: exact below 3038 names. */
static uint64_t bfd_slot_size(size_t names)
{
    static const uint64_t primes[] = {32749,   65521,   131071,   262139,   524287,   1048573,   2097143,
                                      4194301, 8388593, 16777213, 33554393, 67108859, 134217689, 268435399};
    uint64_t size = 4051;
    for (size_t i = 0; names > size * 3 / 4 && i < sizeof primes / sizeof primes[0]; i++)
        size = primes[i];
    return size;
}

static uint64_t bfd_hash(const char *s)
{
    uint64_t h = 0, len = 0; /* (unsigned long: 64 bits on the hosts ld.bfd links x86-64 on) */
    for (; *s; s++, len++) {
        h += (uint64_t)(unsigned char)*s + ((uint64_t)(unsigned char)*s << 17);
        h ^= h >> 2;
    }
    h += len + (len << 17);
    h ^= h >> 2;
    return h;
}

typedef struct slot_key {
    uint64_t slot;
    size_t seq; /* keel's order: the later first within a slot */
    lk_sym *sym;
    uint32_t hash;
} slot_key;

static int by_slot(const void *a, const void *b)
{
    const slot_key *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return x->seq > y->seq ? -1 : x->seq < y->seq;
}

/* v[0..n) in ld.bfd's symbol-table order (bfd_slot_size) */
static int bfd_order(lk_link *l, lk_sym **v, size_t n)
{
    slot_key *k = malloc((n + 1) * sizeof *k);
    if (!k)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    uint64_t size = bfd_slot_size(l->syms.n);
    for (size_t i = 0; i < n; i++)
        k[i] = (slot_key){bfd_hash(v[i]->name) % size, i, v[i], 0};
    qsort(k, n, sizeof *k, by_slot);
    for (size_t i = 0; i < n; i++)
        v[i] = k[i].sym;
    free(k);
    return 0;
}

/* The hashed symbols v[0..n) grouped by GNU hash bucket, each bucket's in
 * ld.bfd's order (bfd_slot_size), their hashes h[] with them: a counting
 * sort, each name hashed once (qsort's comparisons hashed both names each
 * time: 6% of a libpython -shared link), then each bucket's run sorted. */
static int by_bucket(lk_link *l, lk_sym **v, uint32_t *h, size_t n, uint32_t nb)
{
    size_t *count = calloc((size_t)nb + 1, sizeof *count);
    lk_sym **tv = malloc((n + 1) * sizeof *tv);
    uint32_t *th = malloc((n + 1) * sizeof *th);
    if (!count || !tv || !th) {
        free(count);
        free(tv);
        free(th);
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        count[h[i] % nb + 1]++;
    for (uint32_t b = 0; b < nb; b++)
        count[b + 1] += count[b];
    for (size_t i = 0; i < n; i++) {
        size_t at = count[h[i] % nb]++;
        tv[at] = v[i];
        th[at] = h[i];
    }
    memcpy(v, tv, n * sizeof *v);
    memcpy(h, th, n * sizeof *h);
    free(count);
    free(tv);
    free(th);
    slot_key *k = malloc((n + 1) * sizeof *k);
    if (!k)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    uint64_t size = bfd_slot_size(l->syms.n);
    for (size_t i = 0; i < n; i++)
        k[i] = (slot_key){bfd_hash(v[i]->name) % size, i, v[i], h[i]};
    for (size_t i = 0, j; i < n; i = j) { /* each bucket's run */
        for (j = i + 1; j < n && h[j] % nb == h[i] % nb; j++)
            ;
        qsort(k + i, j - i, sizeof *k, by_slot);
    }
    for (size_t i = 0; i < n; i++)
        v[i] = k[i].sym, h[i] = k[i].hash;
    free(k);
    return 0;
}

int lk_dyn_symbols(lk_link *l)
{
    lk_dyn *d = l->dyn;
    lk_sym **sorted;
    size_t nsorted;
    lk_sym **linker;
    size_t nlinker;
    int rc = lk_dyn_linker_symbols(l, &linker, &nlinker); /* (dyn_linker_syms.c) */
    if (!rc)
        rc = lk_sorted_symbols(l, &sorted, &nsorted);
    if (rc)
        return rc;
    size_t cap = nsorted + nlinker + 1 + lk_verdef_count(l); /* (and the versions' symbols) */
    for (size_t i = 0; i < l->syms.cap; i++)
        cap += l->syms.v[i] && l->syms.v[i]->dynsym && l->syms.v[i]->state < LK_COMMON;
    if (!(d->dsyms = lk_alloc(&l->arena, cap * sizeof *d->dsyms)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    d->ndsyms = 0;
    /* the undefined ones the relocations name, in the table's order */
    for (size_t i = 0; i < l->syms.cap; i++) {
        lk_sym *s = l->syms.v[i];
        if (s && s->dynsym && s->state < LK_COMMON && !s->import_at)
            d->dsyms[d->ndsyms++] = s;
    }
    d->nunhashed = d->ndsyms;
    if ((rc = bfd_order(l, d->dsyms, d->nunhashed))) /* ld.bfd's order of them: its table's (by_bucket) */
        return rc;
    for (size_t i = 0; i < l->syms.cap; i++) { /* copies and canonical PLT entries: hashed (dyn_import.c) */
        lk_sym *s = l->syms.v[i];
        if (s && s->dynsym && s->state < LK_COMMON && s->import_at) {
            d->dsyms[d->ndsyms++] = s;
            s->dynsym = (uint32_t)d->ndsyms;
        }
    }
    for (size_t i = 0; i < nsorted; i++) {
        lk_sym *s = sorted[i];
        if (s->dynsym == UINT32_MAX)
            s->dynsym = 0; /* (wanted by a relocation: exported below if it may be) */
        if (exported(l, s)) {
            s->dynsym = (uint32_t)(d->ndsyms + 1); /* definition order, for the stable sort */
            d->dsyms[d->ndsyms++] = s;
        }
    }
    for (size_t i = 0; i < nlinker; i++) { /* the link-editor's, defined by it */
        linker[i]->dynsym = (uint32_t)(d->ndsyms + 1);
        d->dsyms[d->ndsyms++] = linker[i];
    }
    if ((rc = lk_verdef_symbols(l, d->dsyms, &d->ndsyms))) /* version_def.c */
        return rc;
    size_t nhashed = d->ndsyms - d->nunhashed;
    d->nbuckets = bucket_count(nhashed);
    uint32_t words = 1;
    while (words * 2 <= nhashed / 2 + 1 && words < (1u << 20))
        words *= 2; /* a bloom word per two symbols or so, a power of two */
    d->maskwords = words;
    /* each name's length and hash, once (fill uses them again) */
    if (!(d->name_len = lk_alloc(&l->arena, (d->ndsyms + 1) * sizeof *d->name_len)) ||
        !(d->gnu_hashes = lk_alloc(&l->arena, (nhashed + 1) * sizeof *d->gnu_hashes)) ||
        !(d->name_off = lk_alloc(&l->arena, (d->ndsyms + 1) * sizeof *d->name_off)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t i = d->nunhashed; i < d->ndsyms; i++)
        d->gnu_hashes[i - d->nunhashed] = gnu_hash(d->dsyms[i], lk_sym_dynname_len(d->dsyms[i]));
    if ((rc = by_bucket(l, d->dsyms + d->nunhashed, d->gnu_hashes, nhashed, d->nbuckets)))
        return rc;
    /* the indexes and names */
    uint64_t at = 1;
    if (l->opt->soname) {
        d->soname_off = (uint32_t)at;
        at += strlen(l->opt->soname) + 1;
    }
    if ((rc = lk_import_needed(l, &at))) /* DT_NEEDED's names (dyn_import.c) */
        return rc;
    for (size_t i = 0; i < d->ndsyms; i++) {
        d->dsyms[i]->dynsym = (uint32_t)(i + 1);
        d->name_off[i] = (uint32_t)at;
        d->name_len[i] = lk_sym_dynname_len(d->dsyms[i]);
        at += d->name_len[i] + 1;
        if (at > UINT32_MAX)
            return lk_fail(l, KEEL_E_RANGE, ".dynstr: more than 4 GiB of names");
    }
    if ((rc = lk_dyn_strings(l, &at))) /* the versions' and the run path (version_def.c) */
        return rc;
    d->dynstr_size = at;
    return 0;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The output section index a definition is in. */
static uint16_t shndx_of(lk_link *l, const lk_sym *s, const keel_sym *d)
{
    if (s->state == LK_COMMON)
        return l->common ? (uint16_t)l->common->index : (uint16_t)SHN_ABS;
    if (d->raw_shndx == SHN_ABS)
        return SHN_ABS;
    const lk_osec *o = d->shndx < s->def->elf.shnum ? s->def->out[d->shndx] : NULL;
    return o ? (uint16_t)o->index : (uint16_t)SHN_ABS;
}

void lk_dyn_fill_symbols(lk_link *l, uint8_t *buf)
{
    lk_dyn *d = l->dyn;
    const ka_arch *a = l->arch;
    uint8_t *str = buf + d->dynstr->offset;
    if (l->opt->soname)
        memcpy(str + d->soname_off, l->opt->soname, strlen(l->opt->soname) + 1);
    lk_import_fill_needed(l, str);
    for (size_t i = 0; i < d->ndsyms; i++) {
        lk_sym *s = d->dsyms[i];
        memcpy(str + d->name_off[i], s->name, d->name_len[i]); /* (its NUL: the buffer's zeros) */
        uint8_t *e = buf + d->dynsym->offset + (i + 1) * a->sym_size;
        uint8_t bind = s->state == LK_UNDEF_WEAK || s->state == LK_WEAK ? STB_WEAK : STB_GLOBAL, type = STT_NOTYPE,
                other = 0;
        uint16_t shndx = SHN_UNDEF;
        uint64_t value = 0, size = 0;
        keel_sym def;
        if (s->state == LK_SHARED || s->state == LK_UNDEF_WEAK) /* an import (dyn_import.c) */
            lk_import_symbol(l, s, &bind, &type, &shndx, &value, &size);
        else if (i >= d->nunhashed && (s->pol_flags & LK_POL_VERNAME))
            type = STT_OBJECT, shndx = SHN_ABS; /* a version's name (version_def.c): 0 */
        else if (i >= d->nunhashed && s->state != LK_COMMON && s->def &&
                 !keel_symtab_get(&s->def->symtab, s->def_index, &def, NULL)) {
            type = KEEL_ST_TYPE(def.info);
            /* a g++ inline function's static or template's member: the
             * dynamic linker keeps one across RTLD_LOCAL modules only if
             * it stays STB_GNU_UNIQUE (as ld.bfd writes it) */
            if (s->state == LK_DEFINED && KEEL_ST_BIND(def.info) == STB_GNU_UNIQUE)
                bind = STB_GNU_UNIQUE;
            other = s->pol_vis == STV_PROTECTED ? STV_PROTECTED : def.other & 3; /* (a mapfile's protected) */
            shndx = shndx_of(l, s, &def);
        } else if (i >= d->nunhashed && s->state != LK_COMMON) { /* the link-editor's: its value below */
        } else if (i >= d->nunhashed) {                          /* a common: an object in .bss */
            type = STT_OBJECT;
            shndx = shndx_of(l, s, NULL);
        }
        if (i >= d->nunhashed && s->state != LK_SHARED && !(s->pol_flags & LK_POL_VERNAME)) {
            bool tls;
            lk_place where = {s->name, NULL, 0};
            if (lk_global_value(l, s, &value, &size, &tls, &where, 0))
                value = size = 0;
            if (s->state < LK_COMMON) { /* defined by the link-editor, whatever referred to it */
                bind = STB_GLOBAL;
                lk_dyn_linker_entry(l, s, value, &other, &shndx);
            }
            if (type == STT_TLS) /* a TLS symbol's value: its offset in the module's block */
                value -= l->tls_start;
            if (type == STT_GNU_IFUNC && s->state != LK_COMMON && def.shndx < s->def->elf.shnum &&
                s->def->out[def.shndx]) /* the resolver, not its IPLT entry */
                value = s->def->out[def.shndx]->addr + s->def->pos[def.shndx] + def.value;
        }
        put32(e, d->name_off[i]);
        e[4] = (uint8_t)(bind << 4 | type);
        e[5] = other;
        memcpy(e + 6, &shndx, 2);
        put64(e + 8, value);
        put64(e + 16, size);
    }
    size_t nh = d->ndsyms - d->nunhashed;
    if (d->gnu_hash) {
        uint8_t *g = buf + d->gnu_hash->offset;
        uint32_t nb = d->nbuckets, mw = d->maskwords, shift = 6, symoff = (uint32_t)(d->nunhashed + 1);
        put32(g, nb);
        put32(g + 4, symoff);
        put32(g + 8, mw);
        put32(g + 12, shift);
        uint8_t *bloom = g + 16, *buckets = bloom + (uint64_t)mw * 8, *chain = buckets + (uint64_t)nb * 4;
        for (size_t k = 0; k < nh; k++) {
            uint32_t h = d->gnu_hashes[k], b = h % nb;
            uint64_t word;
            size_t wi = (h / 64) % mw;
            memcpy(&word, bloom + wi * 8, 8);
            word |= (uint64_t)1 << (h % 64) | (uint64_t)1 << ((h >> shift) % 64);
            memcpy(bloom + wi * 8, &word, 8);
            uint32_t first;
            memcpy(&first, buckets + b * 4, 4);
            if (!first)
                put32(buckets + b * 4, (uint32_t)(symoff + k));
            bool last = k + 1 == nh || d->gnu_hashes[k + 1] % nb != b;
            put32(chain + k * 4, (h & ~1u) | last);
        }
    }
    if (d->hash) { /* nbucket, nchain, buckets, chains: every symbol, the null one too */
        uint8_t *h = buf + d->hash->offset;
        uint32_t nb = d->nbuckets, nc = (uint32_t)(d->ndsyms + 1);
        put32(h, nb);
        put32(h + 4, nc);
        uint8_t *buckets = h + 8, *chain = buckets + (uint64_t)nb * 4;
        for (size_t i = d->ndsyms; i > 0; i--) { /* each at its bucket's head, the one there chained after it */
            uint32_t b = sysv_hash(d->dsyms[i - 1], d->name_len[i - 1]) % nb, head;
            memcpy(&head, buckets + b * 4, 4);
            put32(chain + i * 4, head);
            put32(buckets + b * 4, (uint32_t)i);
        }
    }
}
