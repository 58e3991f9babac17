/*
 * libFuzzer target for the PDB reader and the address-map model (lib/map):
 * the input as a PDB file (the MSF container, the stream directory, the
 * DBI stream, the address map with its scratch copy, then conversions in
 * every direction and ranges), and the same bytes as a bare OMAP table and
 * a bare section table (the views the ELF address-map section uses too).
 *
 * Memory errors are caught by ASan/UBSan; broken promises (an empty error
 * message, a result outside keel_map_result, a section number outside its
 * table, a range piece outside its range or of another length than its
 * image) abort, so libFuzzer keeps the input as a crash.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <keel/map.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broke(const char *what)
{
    fprintf(stderr, "keel reader broke a promise: %s\n", what);
    abort();
}

static void check_error(int rc, const keel_error *err)
{
    if (rc && (rc != err->code || !err->msg[0]))
        broke("an error without its code or message");
}

static uint32_t word(const uint8_t *data, size_t size, size_t i)
{
    uint32_t v = 0;
    for (size_t k = 0; k < 4; k++)
        v = v << 8 | (size ? data[(i * 4 + k) % size] : 0);
    return v;
}

/* conversions of a few addresses taken from the input, in every direction */
static void convert_all(const keel_map *m, const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < 8; i++) {
        uint32_t v = word(data, size, i);
        for (int from = 0; from < 4; from++) {
            keel_map_addr in = {(uint8_t)from, (uint16_t)(v >> 20), from >= 2 ? v & 0xfffff : v}, out;
            for (int to = 0; to < 4; to++) {
                int r = keel_map_convert(m, in, to, &out);
                if (r < KEEL_MAP_FOUND || r > KEEL_MAP_OUT_OF_SECTION)
                    broke("a conversion result outside keel_map_result");
                if (r == KEEL_MAP_FOUND && to >= 2 &&
                    (out.section == 0 || out.section > (to == 2 ? m->sections.n : m->original.n)))
                    broke("a section number outside its table");
            }
        }
    }
}

static void ranges(const keel_omap *m, uint64_t start, uint64_t end)
{
    keel_omap_ranges it;
    keel_map_range p;
    uint64_t last = start;
    keel_omap_ranges_begin(&it, m, start, end);
    for (int n = 0; keel_omap_ranges_next(&it, &p); n++) {
        if (p.src < last || p.src_end > end || p.src >= p.src_end || p.dst_end - p.dst != p.src_end - p.src ||
            p.dst_end > (uint64_t)1 << 32 || (size_t)n > m->n + 1)
            broke("a range piece outside its range, or of another length than its image");
        last = p.src_end;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keel_error err = {0};
    keel_pdb p;
    int rc = keel_pdb_open(&p, data, size, &err);
    check_error(rc, &err);
    if (rc == 0) {
        size_t need = 0;
        rc = keel_pdb_map_scratch(&p, &need, &err);
        check_error(rc, &err);
        void *scratch = rc ? NULL : malloc(need ? need : 1);
        keel_map m;
        if (scratch) {
            rc = keel_pdb_address_map(&p, scratch, need, &m, &err);
            check_error(rc, &err);
            if (rc == 0) {
                convert_all(&m, data, size);
                if (m.mode == KEEL_MAP_OMAP) {
                    ranges(&m.to_original, 0, (uint64_t)1 << 32);
                    ranges(&m.to_output, word(data, size, 1), word(data, size, 2));
                }
            }
            free(scratch);
        }
        /* every stream, read whole and viewed */
        for (uint32_t s = 0; s < p.num_streams && s < 64; s++) {
            uint32_t n = 0;
            if (keel_pdb_stream_size(&p, s, &n, &err) || n > (1u << 20))
                continue;
            uint8_t *buf = malloc(n ? n : 1);
            if (buf && keel_pdb_stream_read(&p, s, 0, buf, n, &err))
                broke("a stream of the directory that cannot be read");
            keel_pdb_stream_view(&p, s);
            free(buf);
        }
    }
    /* the bytes as bare tables */
    keel_omap om;
    rc = keel_omap_view(&om, data, size & ~(size_t)7, word(data, size, 0), &err);
    check_error(rc, &err);
    if (rc == 0) {
        uint32_t out;
        for (size_t i = 0; i < 8; i++)
            keel_omap_lookup(&om, word(data, size, i), &out);
        ranges(&om, word(data, size, 1), word(data, size, 2));
    }
    keel_map_sections sh;
    rc = keel_map_sections_view(&sh, data, size - size % 40, &err);
    check_error(rc, &err);
    if (rc == 0) {
        keel_map m;
        keel_map_identity(&m, &sh);
        convert_all(&m, data, size);
    }
    return 0;
}
