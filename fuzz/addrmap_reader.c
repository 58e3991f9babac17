/*
 * libFuzzer target for the reader of keel's ELF address map (lib/map's
 * keel_addrmap_open, docs/address-map-section.md): the input as the bytes
 * of a .keel.addrmap section; when it opens, every lookup the reader
 * offers, over every record and over addresses taken from the input.
 *
 * Memory errors are caught by ASan/UBSan (every string the reader hands
 * out is read to its end); broken promises (an error without its code or
 * message, a lookup answering a record that does not hold the address or
 * one past the table, a place lookup that does not find a record by its
 * own identity, a conversion result outside keel_map_result, a range
 * piece outside its range) abort, so libFuzzer keeps the input.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/map.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broke(const char *what)
{
    fprintf(stderr, "keel reader broke a promise: %s\n", what);
    abort();
}

static uint32_t word(const uint8_t *data, size_t size, size_t i)
{
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++)
        v = v << 8 | (size ? data[(i * 4 + k) % size] : 0);
    return v;
}

static void lookups(const keel_addrmap *a, int space, uint32_t rva)
{
    uint32_t i;
    if (keel_addrmap_section_at(a, space, rva, &i)) {
        keel_addrmap_section s;
        if (i >= a->nsec)
            broke("a section number past the records");
        keel_addrmap_section_get(a, i, &s);
        uint32_t start = space == KEEL_MAP_ORIGINAL ? s.orig_rva : s.rva;
        uint32_t n = space == KEEL_MAP_ORIGINAL ? s.orig_size : s.size;
        if (rva - start >= n)
            broke("a section that does not hold the address");
    }
    if (keel_addrmap_input_at(a, space, rva, &i)) {
        keel_addrmap_input in;
        if (i >= a->ninputs)
            broke("an input number past the records");
        keel_addrmap_input_get(a, i, &in);
        uint32_t start = space == KEEL_MAP_ORIGINAL ? in.orig_rva : in.rva;
        if (rva - start >= in.size || (space == KEEL_MAP_OUTPUT && !in.placed) ||
            (space == KEEL_MAP_ORIGINAL && !in.has_original))
            broke("an input section that does not hold the address");
    }
    keel_map_addr out;
    int r = keel_map_convert(&a->map, (keel_map_addr){(uint8_t)space, 0, rva}, !space, &out);
    if (r < KEEL_MAP_FOUND || r > KEEL_MAP_OUT_OF_SECTION)
        broke("a conversion result outside keel_map_result");
}

static void ranges(const keel_omap *m, uint64_t start, uint64_t end)
{
    keel_omap_ranges it;
    keel_map_range p;
    uint64_t last = start;
    keel_omap_ranges_begin(&it, m, start, end);
    for (size_t n = 0; keel_omap_ranges_next(&it, &p); n++) {
        if (p.src < last || p.src_end > end || p.src >= p.src_end || p.dst_end - p.dst != p.src_end - p.src ||
            n > m->n + 1)
            broke("a range piece outside its range, or of another length than its image");
        last = p.src_end;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keel_error err = {0};
    keel_addrmap a;
    int rc = keel_addrmap_open(&a, data, size, &err);
    if (rc) {
        if (rc != err.code || !err.msg[0])
            broke("an error without its code or message");
        return 0;
    }
    size_t sum = 0; /* every string read to its end (ASan checks the reads) */
    for (uint32_t i = 0; i < a.nsec && i < 4096; i++) {
        keel_addrmap_section s;
        keel_addrmap_section_get(&a, i, &s);
        sum += strlen(s.name);
        lookups(&a, KEEL_MAP_OUTPUT, s.rva);
        lookups(&a, KEEL_MAP_ORIGINAL, s.orig_rva);
        uint32_t k;
        if (keel_addrmap_section_by_index(&a, s.index, &k) && (k >= a.nsec || k > i))
            broke("a section by index past the first of that index");
    }
    for (uint32_t i = 0; i < a.ninputs && i < 4096; i++) {
        keel_addrmap_input in;
        uint32_t k;
        keel_addrmap_input_get(&a, i, &in);
        sum += strlen(in.path) + strlen(in.member) + strlen(in.name);
        /* (a linear scan each: on the first records only, or the run is quadratic) */
        if (i < 64 && (!keel_addrmap_input_find(&a, i, in.path, in.member, in.name, &k) || k != i))
            broke("an input section not found by its own identity");
        if (in.placed) {
            lookups(&a, KEEL_MAP_OUTPUT, in.rva);
            lookups(&a, KEEL_MAP_OUTPUT, in.rva + in.size - 1);
        }
        if (in.has_original)
            lookups(&a, KEEL_MAP_ORIGINAL, in.orig_rva);
    }
    for (size_t i = 0; i < 8; i++) {
        lookups(&a, KEEL_MAP_OUTPUT, word(data, size, i));
        lookups(&a, KEEL_MAP_ORIGINAL, word(data, size, i));
    }
    ranges(&a.map.to_original, 0, (uint64_t)1 << 32);
    ranges(&a.map.to_output, word(data, size, 1), word(data, size, 2));
    if (sum == (size_t)-1)
        broke("impossible");
    return 0;
}
