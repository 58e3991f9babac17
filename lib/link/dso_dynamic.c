/* A shared library without section headers (stripped by sstrip, or made
 * so): its dynamic symbols read through the dynamic segment, as ld.bfd
 * reads them (bfd_elf_get_dynamic_symbols).  PT_DYNAMIC's DT_STRTAB and
 * DT_STRSZ give .dynstr, DT_SYMTAB .dynsym (its count from DT_HASH's
 * nchain, or DT_GNU_HASH's last chain), DT_VERSYM, DT_VERDEF(NUM) and
 * DT_VERNEED(NUM) the versions.  Each address is turned into a file offset
 * through the PT_LOAD that holds it, and every table must lie in the
 * file bytes of that segment: a library that lies is an error naming the
 * file and the tag, never a read past the mapping. */
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
#include "dso.h"

/* The file bytes at address a, and how many follow in its PT_LOAD; false
 * if no PT_LOAD's file bytes hold it. */
static bool at_address(const keel_elf *e, uint64_t a, const uint8_t **p, uint64_t *avail)
{
    for (uint32_t i = 0; i < e->phnum; i++) {
        keel_phdr ph;
        if (keel_elf_phdr(e, i, &ph, NULL) || ph.type != PT_LOAD || a < ph.vaddr || a - ph.vaddr >= ph.filesz)
            continue;
        uint64_t d = a - ph.vaddr;
        if (ph.offset > e->size || ph.filesz > e->size - ph.offset)
            return false; /* the segment itself lies about the file */
        *p = e->data + ph.offset + d;
        *avail = ph.filesz - d;
        return true;
    }
    return false;
}

static int lie(lk_link *l, const lk_dso *d, const char *what, uint64_t v)
{
    return lk_fail(l, KEEL_E_FORMAT, "%s: dynamic segment: %s 0x%llx is not in the file's loaded bytes", d->path, what,
                   (unsigned long long)v);
}

/* The symbol count: DT_HASH's nchain, or past DT_GNU_HASH's highest
 * bucket's chain (the entry whose low bit ends it). */
static int symbol_count(lk_link *l, const lk_dso *d, uint64_t hash, uint64_t gnu_hash, uint64_t *count)
{
    const uint8_t *p;
    uint64_t n;
    if (hash) {
        if (!at_address(&d->elf, hash, &p, &n) || n < 8)
            return lie(l, d, "DT_HASH", hash);
        *count = (uint64_t)p[4] | (uint64_t)p[5] << 8 | (uint64_t)p[6] << 16 | (uint64_t)p[7] << 24;
        return 0;
    }
    if (!gnu_hash) {
        *count = 0;
        return 0;
    }
    if (!at_address(&d->elf, gnu_hash, &p, &n) || n < 16)
        return lie(l, d, "DT_GNU_HASH", gnu_hash);
#define U32(q) ((uint32_t)(q)[0] | (uint32_t)(q)[1] << 8 | (uint32_t)(q)[2] << 16 | (uint32_t)(q)[3] << 24)
    uint64_t nbuckets = U32(p), symoffset = U32(p + 4), bloom = U32(p + 8);
    /* header, bloom words (8 bytes each), buckets, then the chains */
    uint64_t buckets = 16 + 8 * bloom, chains = buckets + 4 * nbuckets;
    if (bloom > n / 8 || nbuckets > n / 4 || chains > n)
        return lie(l, d, "DT_GNU_HASH", gnu_hash);
    uint64_t last = 0;
    for (uint64_t b = 0; b < nbuckets; b++)
        if (U32(p + buckets + 4 * b) > last)
            last = U32(p + buckets + 4 * b);
    if (last < symoffset) {
        *count = symoffset;
        return 0;
    }
    for (;;) { /* walk the last bucket's chain to its end */
        uint64_t at = chains + 4 * (last - symoffset);
        if (at < chains || at > n - 4)
            return lie(l, d, "DT_GNU_HASH", gnu_hash);
        if (U32(p + at) & 1)
            break;
        last++;
    }
#undef U32
    *count = last + 1;
    return 0;
}

int lk_dso_from_dynamic(lk_link *l, lk_dso *d)
{
    keel_error e;
    keel_dynamic dyn;
    if (keel_elf_dynamic(&d->elf, &dyn, &e))
        return lk_fail(l, e.code, "%s: dynamic segment: %s", d->path, e.msg);
    uint64_t strtab = 0, strsz = 0, symtab = 0, syment = 24, hash = 0, gnu_hash = 0, versym = 0, verdef = 0,
             verdefnum = 0, verneed = 0, verneednum = 0;
    size_t nneeded = 0;
    for (uint64_t i = 0; i < dyn.count; i++) {
        keel_dyn t;
        keel_dynamic_get(&dyn, i, &t);
        switch (t.tag) {
        case DT_STRTAB: strtab = t.val; break;
        case DT_STRSZ: strsz = t.val; break;
        case DT_SYMTAB: symtab = t.val; break;
        case DT_SYMENT: syment = t.val; break;
        case DT_HASH: hash = t.val; break;
        case DT_GNU_HASH: gnu_hash = t.val; break;
        case DT_VERSYM: versym = t.val; break;
        case DT_VERDEF: verdef = t.val; break;
        case DT_VERDEFNUM: verdefnum = t.val; break;
        case DT_VERNEED: verneed = t.val; break;
        case DT_VERNEEDNUM: verneednum = t.val; break;
        case DT_NEEDED: nneeded++; break;
        default: break;
        }
    }
    const uint8_t *p;
    uint64_t n;
    keel_strtab str = {0};
    if (strtab) {
        if (!at_address(&d->elf, strtab, &p, &n) || strsz > n)
            return lie(l, d, "DT_STRTAB", strtab);
        str = (keel_strtab){(const char *)p, strsz, (uint64_t)(p - d->elf.data), strsz && p[strsz - 1] == 0};
    }
    if (nneeded && !(d->needed = lk_alloc(&l->arena, nneeded * sizeof *d->needed)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    const char *rpath = NULL;
    for (uint64_t i = 0; i < dyn.count; i++) {
        keel_dyn t;
        const char *s;
        keel_dynamic_get(&dyn, i, &t);
        if (t.tag == DT_NULL)
            break;
        if (t.tag != DT_NEEDED && t.tag != DT_SONAME && t.tag != DT_RPATH && t.tag != DT_RUNPATH)
            continue;
        if (keel_strtab_get(&str, t.val, &s, &e))
            return lk_fail(l, KEEL_E_FORMAT, "%s: dynamic segment: entry %llu (tag %lld): %s", d->path,
                           (unsigned long long)i, (long long)t.tag, e.msg);
        lk_dso_dyn_string(d, t.tag, s, &rpath);
    }
    if (!d->runpath)
        d->runpath = rpath;
    if (!symtab)
        return 0; /* no symbols */
    uint64_t count = 0;
    int rc = symbol_count(l, d, hash, gnu_hash, &count);
    if (rc)
        return rc;
    if (syment != 24)
        return lk_fail(l, KEEL_E_FORMAT, "%s: dynamic segment: DT_SYMENT %llu is not 24", d->path,
                       (unsigned long long)syment);
    if (!at_address(&d->elf, symtab, &p, &n) || count > n / 24)
        return lie(l, d, "DT_SYMTAB", symtab);
    d->dynsym = (keel_symtab){.elf = &d->elf,
                              .data = p,
                              .offset = (uint64_t)(p - d->elf.data),
                              .count = count,
                              .entsize = 24,
                              .first_global = count ? 1 : 0,
                              .strings = str};
    d->has_dynsym = true;
    d->vers = (keel_versions){.elf = &d->elf, .strings = str};
    if (versym) {
        if (!at_address(&d->elf, versym, &p, &n) || count > n / 2)
            return lie(l, d, "DT_VERSYM", versym);
        d->vers.versym = p;
        d->vers.versym_count = count;
    }
    if (verdef) { /* the entries are bounded by their segment; find_verdef checks each */
        if (!at_address(&d->elf, verdef, &p, &n) || verdefnum > UINT32_MAX)
            return lie(l, d, "DT_VERDEF", verdef);
        d->vers.verdef = p, d->vers.verdef_size = n, d->vers.verdef_offset = (uint64_t)(p - d->elf.data);
        d->vers.verdef_num = (uint32_t)verdefnum;
    }
    if (verneed) {
        if (!at_address(&d->elf, verneed, &p, &n) || verneednum > UINT32_MAX)
            return lie(l, d, "DT_VERNEED", verneed);
        d->vers.verneed = p, d->vers.verneed_size = n, d->vers.verneed_offset = (uint64_t)(p - d->elf.data);
        d->vers.verneed_num = (uint32_t)verneednum;
    }
    return 0;
}
