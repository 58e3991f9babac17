/* -r: an input's .eh_frame without the FDEs of code that is not in the
 * output (a dropped COMDAT copy's), as ld.bfd -r leaves it: the records
 * are read (length, CIE pointer), an FDE whose initial location is
 * relocated against a symbol of a dropped section goes, with its
 * relocations, and so does one of an empty range (ld.bfd's rule); the
 * rest keep their bytes and order, each kept FDE's CIE
 * pointer rewritten for the records that went.  An input it cannot read
 * (a 64-bit length, a length past the end, a CIE pointer to no CIE) is
 * kept whole, relocations against dropped sections becoming
 * R_X86_64_NONE as ld.bfd's do. */
#include <stdlib.h>
#include <string.h>

#include "reloc_out.h"
#include "../arch/arch.h"
#include "../elfdefs.h"

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* Whether symbol symi of f is defined in a section that is not linked. */
static bool dropped_sym(const lk_file *f, uint32_t symi)
{
    keel_sym s;
    if (symi == 0 || symi >= f->symtab.first_global || keel_symtab_get(&f->symtab, symi, &s, NULL))
        return false;
    return s.shndx != SHN_UNDEF && s.raw_shndx < SHN_LORESERVE && s.shndx < f->elf.shnum && f->dropped[s.shndx];
}

int ro_eh_edit(lk_link *l, lk_file *f, uint32_t shndx, uint32_t rela, ro_eh **out)
{
    keel_shdr sh;
    const uint8_t *d;
    uint64_t size;
    keel_relocs rs;
    *out = NULL;
    if (!rela || keel_elf_shdr(&f->elf, shndx, &sh, NULL) || keel_elf_section_data(&f->elf, &sh, &d, &size, NULL) ||
        size < sh.size || keel_elf_relocs(&f->elf, rela, &rs, NULL))
        return 0;
    size = sh.size;
    /* the records: none dropped, or one that does not parse: kept whole */
    size_t n = 0;
    for (uint64_t at = 0; at + 4 <= size; n++) {
        uint32_t len = get32(d + at);
        if (len == 0xffffffff || len > size - at - 4)
            return 0;
        at += 4 + (uint64_t)len;
        if (!len)
            break;
    }
    ro_eh *e = lk_zalloc(&l->arena, sizeof *e);
    if (!e || !(e->in = lk_alloc(&l->arena, (n + 1) * sizeof *e->in)) ||
        !(e->out = lk_alloc(&l->arena, (n + 1) * sizeof *e->out)) || !(e->keep = lk_zalloc(&l->arena, n + 1)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    uint64_t at = 0;
    for (size_t i = 0; i < n; i++) {
        e->in[i] = at;
        e->keep[i] = 1;
        at += 4 + (uint64_t)get32(d + at);
    }
    e->in[n] = at; /* the end of the last record */
    e->n = n;
    /* an FDE (CIE pointer not 0) whose initial location is relocated
     * against a dropped section's symbol goes; relocations are sorted by
     * offset in gas's output, but not necessarily: each is looked up */
    size_t dropped = 0;
    uint8_t *width = lk_zalloc(&l->arena, n + 1); /* per FDE: its initial location's bytes (the relocation's) */
    uint8_t *range_reloc = lk_zalloc(&l->arena, n + 1);
    if (!width || !range_reloc)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (uint64_t k = 0; k < rs.count; k++) {
        keel_rel r;
        keel_relocs_get(&rs, k, &r);
        size_t i = ro_eh_record(e, r.offset);
        if (i >= n || r.offset != e->in[i] + 8 || e->in[i + 1] - e->in[i] <= 8 || get32(d + e->in[i] + 4) == 0)
            continue;
        const ka_howto *h = l->arch ? l->arch->howto(r.type) : NULL;
        width[i] = h && (h->size == 4 || h->size == 8) ? h->size : 0;
        if (dropped_sym(f, r.sym) && e->keep[i]) {
            e->keep[i] = 0;
            dropped++;
        }
    }
    /* an FDE of an empty range (its length 0, not relocated) goes too, as
     * ld.bfd drops it (ehedit.c's rule) */
    for (uint64_t k = 0; k < rs.count; k++) {
        keel_rel r;
        keel_relocs_get(&rs, k, &r);
        size_t i = ro_eh_record(e, r.offset);
        if (i < n && width[i] && r.offset == e->in[i] + 8 + width[i])
            range_reloc[i] = 1;
    }
    for (size_t i = 0; i < n; i++) {
        uint64_t rat = e->in[i] + 8 + width[i], v = 0;
        if (!width[i] || !e->keep[i] || range_reloc[i] || rat + width[i] > e->in[i + 1])
            continue;
        memcpy(&v, d + rat, width[i]); /* little-endian, as the target's */
        if (v == 0) {
            e->keep[i] = 0;
            dropped++;
        }
    }
    if (!dropped)
        return 0;
    /* the kept records' places; each kept FDE's CIE must be kept and before it */
    uint64_t o = 0;
    for (size_t i = 0; i < n; i++) {
        e->out[i] = o;
        if (e->keep[i])
            o += e->in[i + 1] - e->in[i];
    }
    e->out[n] = o;
    for (size_t i = 0; i < n; i++) {
        uint32_t ptr = e->in[i + 1] - e->in[i] > 4 ? get32(d + e->in[i] + 4) : 0;
        if (!e->keep[i] || ptr == 0)
            continue;
        uint64_t cie = e->in[i] + 4 >= ptr ? e->in[i] + 4 - ptr : UINT64_MAX;
        size_t c = ro_eh_record(e, cie);
        if (cie == UINT64_MAX || c >= n || e->in[c] != cie || !e->keep[c])
            return 0; /* not a CIE of this section: kept whole */
    }
    e->size = o + (size - e->in[n]); /* bytes past the last record (padding) stay */
    e->data = d;
    e->insize = size;
    *out = e;
    return 0;
}

size_t ro_eh_record(const ro_eh *e, uint64_t offset)
{
    size_t lo = 0, hi = e->n;
    while (lo < hi) { /* the last record starting at or before offset */
        size_t mid = lo + (hi - lo) / 2;
        if (e->in[mid] <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo && offset < e->in[e->n] ? lo - 1 : e->n;
}

bool ro_eh_offset(const ro_eh *e, uint64_t in, uint64_t *out)
{
    size_t i = ro_eh_record(e, in);
    if (i == e->n) { /* past the records */
        *out = in - e->in[e->n] + e->out[e->n];
        return true;
    }
    if (!e->keep[i])
        return false;
    *out = e->out[i] + (in - e->in[i]);
    return true;
}

void ro_eh_fill(const ro_eh *e, uint8_t *buf)
{
    for (size_t i = 0; i < e->n; i++) {
        if (!e->keep[i])
            continue;
        uint64_t len = e->in[i + 1] - e->in[i];
        memcpy(buf + e->out[i], e->data + e->in[i], len);
        uint32_t ptr = len > 4 ? get32(e->data + e->in[i] + 4) : 0;
        if (ptr) { /* an FDE: the distance back to its CIE, as now placed */
            size_t c = ro_eh_record(e, e->in[i] + 4 - ptr);
            uint32_t v = (uint32_t)(e->out[i] + 4 - e->out[c]);
            memcpy(buf + e->out[i] + 4, &v, 4);
        }
    }
    memcpy(buf + e->out[e->n], e->data + e->in[e->n], e->insize - e->in[e->n]);
}
