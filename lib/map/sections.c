/* PE section tables (IMAGE_SECTION_HEADER) read in place, and the two
 * lookups the model needs: a section's start, and the section holding an
 * RVA (a binary search: the view checked that the table is sorted).
 *
 * Where this differs from the pdb crate: a section's extent is its
 * virtual size (what the loader maps: .bss's zero-filled tail included,
 * the file's padding past it excluded), not its raw size; an offset is
 * checked against that size and the sum against 2^32; section 0 and
 * numbers past the table are refused. */
#include "internal.h"

enum {
    SH_VSIZE = 8,
    SH_VADDR = 12,
    SH_RAWSIZE = 16,
    SH_RAWPTR = 20,
    SH_FLAGS = 36,
};

static const uint8_t *header(const keel_map_sections *s, uint32_t i)
{
    return s->hdr + (size_t)i * KEEL_MAP_SECTION_HEADER;
}

/* The extent the model uses.  A virtual size of 0 is what old linkers
 * wrote meaning "the raw size". */
static uint32_t extent(const uint8_t *h)
{
    uint32_t v = km_u32(h + SH_VSIZE);
    return v ? v : km_u32(h + SH_RAWSIZE);
}

static uint32_t vaddr(const keel_map_sections *s, uint32_t i) { return km_u32(header(s, i) + SH_VADDR); }

int keel_map_sections_view(keel_map_sections *s, const void *data, size_t size, keel_error *err)
{
    *s = (keel_map_sections){0};
    if (size % KEEL_MAP_SECTION_HEADER)
        return keel_error_set(err, KEEL_E_FORMAT, size,
                              "section header table of %U bytes is not a whole number of %U-byte headers",
                              (uint64_t)size, (uint64_t)KEEL_MAP_SECTION_HEADER);
    if (size / KEEL_MAP_SECTION_HEADER > 0xffff)
        return keel_error_set(err, KEEL_E_RANGE, 0,
                              "section header table holds %U headers, more than 16-bit numbers name",
                              (uint64_t)(size / KEEL_MAP_SECTION_HEADER));
    keel_map_sections t = {(const uint8_t *)data, (uint32_t)(size / KEEL_MAP_SECTION_HEADER), 0};
    uint64_t prev_end = 0;
    for (uint32_t i = 0; i < t.n; i++) {
        uint64_t off = (uint64_t)i * KEEL_MAP_SECTION_HEADER;
        uint64_t va = vaddr(&t, i), end = va + extent(header(&t, i));
        if (end > (uint64_t)1 << 32)
            return keel_error_set(err, KEEL_E_RANGE, off, "section %U at %X: address %X and size %X pass 2^32",
                                  (uint64_t)i + 1, off, va, (uint64_t)extent(header(&t, i)));
        if (va < prev_end)
            return keel_error_set(err, KEEL_E_FORMAT, off,
                                  "section %U at %X: address %X is below the end of section %U (%X)", (uint64_t)i + 1,
                                  off, va, (uint64_t)i, prev_end);
        prev_end = end;
    }
    t.end = prev_end;
    *s = t;
    return 0;
}

bool keel_map_section_get(const keel_map_sections *s, uint32_t number, keel_map_section *out)
{
    if (number == 0 || number > s->n)
        return false;
    const uint8_t *h = header(s, number - 1);
    for (int i = 0; i < 8; i++)
        out->name[i] = (char)h[i];
    out->name[8] = 0;
    out->virtual_size = km_u32(h + SH_VSIZE);
    out->virtual_address = km_u32(h + SH_VADDR);
    out->raw_size = km_u32(h + SH_RAWSIZE);
    out->raw_offset = km_u32(h + SH_RAWPTR);
    out->flags = km_u32(h + SH_FLAGS);
    out->size = extent(h);
    return true;
}

/* section:offset -> RVA */
int km_section_rva(const keel_map_sections *s, uint32_t number, uint32_t offset, uint32_t *rva)
{
    if (number == 0 || number > s->n)
        return KEEL_MAP_NO_SECTION;
    const uint8_t *h = header(s, number - 1);
    if (offset >= extent(h))
        return KEEL_MAP_OUT_OF_SECTION;
    *rva = km_u32(h + SH_VADDR) + offset; /* below the section's end, which the view checked is below 2^32 */
    return KEEL_MAP_FOUND;
}

/* RVA -> section:offset: the last section starting at or below rva, if
 * rva is inside it. */
int km_rva_section(const keel_map_sections *s, uint32_t rva, uint16_t *number, uint32_t *offset)
{
    uint32_t lo = 0, n = s->n;
    while (n > 0) {
        uint32_t half = n / 2;
        if (vaddr(s, lo + half) <= rva) {
            lo += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    if (lo == 0)
        return KEEL_MAP_NO_SECTION;
    const uint8_t *h = header(s, lo - 1);
    uint32_t off = rva - km_u32(h + SH_VADDR);
    if (off >= extent(h))
        return KEEL_MAP_NO_SECTION;
    *number = (uint16_t)lo;
    *offset = off;
    return KEEL_MAP_FOUND;
}
