/* The address map: two section tables and two OMAP tables, and the
 * conversion of an address of any of the four spaces into any other.
 * Every conversion goes through RVAs: section:offset to its space's RVA,
 * across by the OMAP table of that direction, then to section:offset.
 * In identity mode the original space is the output space (one table). */
#include "internal.h"

void keel_map_identity(keel_map *m, const keel_map_sections *sections)
{
    *m = (keel_map){0};
    if (!sections || sections->n == 0)
        return; /* EMPTY: the zeroed tables hold nothing */
    m->mode = KEEL_MAP_IDENTITY;
    m->sections = *sections;
    m->original = *sections;
}

/* An OMAP table's end: the end of its source space's sections, or its
 * last source if the table reaches further (a last, empty record at the
 * image's end is common). */
uint64_t km_omap_end(const keel_map_sections *s, const void *data, size_t size)
{
    uint64_t end = s->end;
    if (size >= KEEL_OMAP_RECORD && size % KEEL_OMAP_RECORD == 0) {
        uint64_t last = km_u32((const uint8_t *)data + size - KEEL_OMAP_RECORD);
        if (last > end)
            end = last;
    }
    return end;
}

int keel_map_omap(keel_map *m, const keel_map_sections *sections, const keel_map_sections *original,
                  const void *to_original, size_t to_original_size, const void *to_output, size_t to_output_size,
                  keel_error *err)
{
    *m = (keel_map){0};
    keel_map t = {KEEL_MAP_OMAP, *sections, *original, {0}, {0}};
    int rc = keel_omap_view(&t.to_original, to_original, to_original_size,
                            km_omap_end(sections, to_original, to_original_size), err);
    if (rc == 0)
        rc = keel_omap_view(&t.to_output, to_output, to_output_size, km_omap_end(original, to_output, to_output_size),
                            err);
    if (rc == 0)
        *m = t;
    return rc;
}

static bool is_original(int space) { return space == KEEL_MAP_ORIGINAL || space == KEEL_MAP_ORIGINAL_SECT; }
static bool is_sect(int space) { return space == KEEL_MAP_OUTPUT_SECT || space == KEEL_MAP_ORIGINAL_SECT; }

int keel_map_convert(const keel_map *m, keel_map_addr in, int to_space, keel_map_addr *out)
{
    if (in.space > KEEL_MAP_ORIGINAL_SECT || to_space < 0 || to_space > KEEL_MAP_ORIGINAL_SECT)
        return KEEL_MAP_NO_SECTION;
    bool from_orig = is_original(in.space), to_orig = is_original(to_space);
    uint32_t rva = in.value;
    int r;
    if (is_sect(in.space)) {
        r = km_section_rva(from_orig ? &m->original : &m->sections, in.section, in.value, &rva);
        if (r)
            return r;
    }
    if (from_orig != to_orig && m->mode == KEEL_MAP_OMAP) {
        r = keel_omap_lookup(to_orig ? &m->to_original : &m->to_output, rva, &rva);
        if (r)
            return r;
    }
    keel_map_addr a = {(uint8_t)to_space, 0, rva};
    if (is_sect(to_space)) {
        r = km_rva_section(to_orig ? &m->original : &m->sections, rva, &a.section, &a.value);
        if (r)
            return r;
    }
    *out = a;
    return KEEL_MAP_FOUND;
}

const char *keel_map_result_name(int result)
{
    switch (result) {
    case KEEL_MAP_FOUND: return "found";
    case KEEL_MAP_UNMAPPED: return "unmapped";
    case KEEL_MAP_ELIMINATED: return "eliminated";
    case KEEL_MAP_NO_SECTION: return "no section";
    case KEEL_MAP_OUT_OF_SECTION: return "past its section";
    }
    return "?";
}
