/* OMAP tables: flat sorted {source, target} records read in place, the
 * lookup of one address and the cutting of a range at record boundaries.
 *
 * Where this differs from the pdb crate's reading of the same records
 * (each a test in tests/unit/map_model.c): the last record ends at the
 * table's explicit end instead of covering everything above it, and the
 * view is checked once (sorted sources, targets that cannot pass 2^32), so
 * that the binary search is right and no lookup can overflow. */
#include "internal.h"

/* Static, so that they inline: the exported names below may be
 * interposed in a shared library, and a call per probe costs more than
 * the load. */
static inline uint32_t src_at(const keel_omap *m, size_t i) { return km_u32(m->rec + i * KEEL_OMAP_RECORD); }
static inline uint32_t tgt_at(const keel_omap *m, size_t i) { return km_u32(m->rec + i * KEEL_OMAP_RECORD + 4); }

uint32_t keel_omap_source(const keel_omap *m, size_t i) { return src_at(m, i); }
uint32_t keel_omap_target(const keel_omap *m, size_t i) { return tgt_at(m, i); }

/* The end of record i's source range. */
static uint64_t record_end(const keel_omap *m, size_t i) { return i + 1 < m->n ? src_at(m, i + 1) : m->end; }

int keel_omap_view(keel_omap *m, const void *data, size_t size, uint64_t end, keel_error *err)
{
    *m = (keel_omap){0};
    if (size % KEEL_OMAP_RECORD)
        return keel_error_set(err, KEEL_E_FORMAT, size,
                              "OMAP table of %U bytes is not a whole number of %U-byte records", (uint64_t)size,
                              (uint64_t)KEEL_OMAP_RECORD);
    if (end > (uint64_t)1 << 32)
        return keel_error_set(err, KEEL_E_RANGE, 0, "OMAP table end %X is past 2^32", end);
    keel_omap t = {(const uint8_t *)data, size / KEEL_OMAP_RECORD, end};
    for (size_t i = 0; i < t.n; i++) {
        uint64_t src = src_at(&t, i), tgt = tgt_at(&t, i);
        uint64_t off = i * (uint64_t)KEEL_OMAP_RECORD;
        if (i + 1 < t.n && src_at(&t, i + 1) < src)
            return keel_error_set(err, KEEL_E_FORMAT, off + KEEL_OMAP_RECORD,
                                  "OMAP record %U at %X: source %X is below the previous record's %X", (uint64_t)i + 1,
                                  off + KEEL_OMAP_RECORD, (uint64_t)src_at(&t, i + 1), src);
        uint64_t rend = record_end(&t, i);
        if (rend < src)
            return keel_error_set(err, KEEL_E_RANGE, off, "OMAP record %U at %X: source %X is past the table's end %X",
                                  (uint64_t)i, off, src, end);
        /* no sum tgt + (addr - src) of a lookup may pass 2^32 */
        if (tgt != KEEL_OMAP_ELIMINATED && tgt + (rend - src) > (uint64_t)1 << 32)
            return keel_error_set(err, KEEL_E_RANGE, off,
                                  "OMAP record %U at %X: target %X plus the record's %X bytes passes 2^32", (uint64_t)i,
                                  off, tgt, rend - src);
    }
    *m = t;
    return 0;
}

/* The number of records whose source is at most addr (0: before the
 * first).  Branch-free halving: the loop runs log2(n) times whatever the
 * data, which is what makes it fast on large tables. */
static size_t upper(const keel_omap *m, uint64_t addr)
{
    size_t lo = 0, n = m->n;
    while (n > 1) {
        size_t half = n / 2;
        lo = src_at(m, lo + half - 1) <= addr ? lo + half : lo;
        n -= half;
    }
    return lo + (n == 1 && src_at(m, lo) <= addr);
}

int keel_omap_lookup(const keel_omap *m, uint32_t addr, uint32_t *out)
{
    size_t k = upper(m, addr);
    if (k == 0 || addr >= record_end(m, k - 1))
        return KEEL_MAP_UNMAPPED;
    uint32_t tgt = tgt_at(m, k - 1);
    if (tgt == KEEL_OMAP_ELIMINATED)
        return KEEL_MAP_ELIMINATED;
    *out = tgt + (addr - src_at(m, k - 1)); /* the view checked it stays below 2^32 */
    return KEEL_MAP_FOUND;
}

void keel_omap_ranges_begin(keel_omap_ranges *it, const keel_omap *m, uint64_t start, uint64_t end)
{
    if (end > m->end)
        end = m->end; /* nothing past the table's end maps */
    size_t k = start <= UINT32_MAX ? upper(m, start) : m->n;
    *it = (keel_omap_ranges){m, k - 1, start, end}; /* k == 0: (size_t)-1, before the first record */
}

bool keel_omap_ranges_next(keel_omap_ranges *it, keel_map_range *out)
{
    const keel_omap *m = it->m;
    while (it->pos < it->end) {
        size_t i = it->i;
        /* this piece ends at the next record's source or at the range's end */
        uint64_t next = i + 1 < m->n ? src_at(m, i + 1) : m->end;
        uint64_t stop = next < it->end ? next : it->end;
        uint64_t pos = it->pos;
        it->pos = stop;
        it->i = i + 1;
        if (i == (size_t)-1 || stop <= pos)
            continue; /* before the first record, or an empty record */
        uint32_t tgt = tgt_at(m, i);
        if (tgt == KEEL_OMAP_ELIMINATED)
            continue;
        uint64_t src = src_at(m, i);
        out->src = (uint32_t)pos;
        out->src_end = stop;
        out->dst = (uint32_t)(tgt + (pos - src));
        out->dst_end = tgt + (stop - src);
        return true;
    }
    return false;
}
