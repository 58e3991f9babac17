/* The address-map model (lib/map) case by case, against the pdb crate's
 * documented AddressMap behaviour (/work/shared/specs/address-maps.md,
 * section 1) where it is right, and against each of its bugs where it is
 * not: every "bug:" line below is a case the crate gets wrong (it would
 * answer the value in the comment) and the model must not.  The tables
 * are written here, the expected values worked out by hand; the OMAP
 * example is the notes' (the original range 0x10b0-0x10c6 splits into
 * 0x15dec-0x15df9 and 0x2da00-0x2da02, the middle eliminated). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <keel/map.h>

static int failed, count;

static int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%sok %d - ", cond ? "" : "not ", ++count);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failed += !cond;
    return cond;
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* n records {src, tgt} into buf, little-endian as the files hold them */
static size_t omap(uint8_t *buf, const uint32_t (*rec)[2], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put32(buf + 8 * i, rec[i][0]);
        put32(buf + 8 * i + 4, rec[i][1]);
    }
    return 8 * n;
}

typedef struct sh {
    const char *name;
    uint32_t vsize, va, raw;
} sh;

static size_t headers(uint8_t *buf, const sh *s, size_t n)
{
    memset(buf, 0, 40 * n);
    for (size_t i = 0; i < n; i++) {
        memcpy(buf + 40 * i, s[i].name, strlen(s[i].name));
        put32(buf + 40 * i + 8, s[i].vsize);
        put32(buf + 40 * i + 12, s[i].va);
        put32(buf + 40 * i + 16, s[i].raw);
    }
    return 40 * n;
}

static void lookup(const keel_omap *m, uint32_t addr, int want, uint32_t want_val, const char *why)
{
    uint32_t v = 0xdeadbeef;
    int r = keel_omap_lookup(m, addr, &v);
    ok(r == want && (r != KEEL_MAP_FOUND || v == want_val), "lookup %#x: %s (%s %#x, want %s %#x)", addr, why,
       keel_map_result_name(r), r ? 0 : v, keel_map_result_name(want), want_val);
}

/* the pieces of [start, end), as "src-src_end>dst-dst_end " text */
static void ranges(const keel_omap *m, uint64_t start, uint64_t end, const char *want, const char *why)
{
    char got[512] = "";
    keel_omap_ranges it;
    keel_map_range r;
    keel_omap_ranges_begin(&it, m, start, end);
    while (keel_omap_ranges_next(&it, &r))
        snprintf(got + strlen(got), sizeof got - strlen(got), "%x-%llx>%x-%llx ", r.src, (unsigned long long)r.src_end,
                 r.dst, (unsigned long long)r.dst_end);
    ok(strcmp(got, want) == 0, "ranges [%#llx, %#llx): %s (got '%s', want '%s')", (unsigned long long)start,
       (unsigned long long)end, why, got, want);
}

static void omap_cases(void)
{
    /* original -> output (OMAP_FROM_SRC) of the notes' example */
    static const uint32_t from[][2] = {
        {0x1000, 0},       /* eliminated up to the example */
        {0x10b0, 0x15dec}, /* 13 bytes: 0x10b0-0x10bd -> 0x15dec-0x15df9 */
        {0x10bd, 0},       /* 0x10bd-0x10c4 eliminated */
        {0x10c4, 0x2da00}, /* 2 bytes: 0x10c4-0x10c6 -> 0x2da00-0x2da02 */
        {0x10c6, 0x3000},  /* the last record, bounded by the table's end 0x1100 */
    };
    uint8_t buf[64];
    size_t n = omap(buf, from, 5);
    keel_omap m;
    keel_error err;
    ok(keel_omap_view(&m, buf, n, 0x1100, &err) == 0 && m.n == 5, "view of 5 records");
    lookup(&m, 0x0fff, KEEL_MAP_UNMAPPED, 0, "before the first record: none (as the crate)");
    lookup(&m, 0x1000, KEEL_MAP_ELIMINATED, 0, "target 0: eliminated (as the crate)");
    lookup(&m, 0x10b0, KEEL_MAP_FOUND, 0x15dec, "a record's source maps to its target");
    lookup(&m, 0x10bc, KEEL_MAP_FOUND, 0x15df8, "inside a record: linear (as the crate)");
    lookup(&m, 0x10bd, KEEL_MAP_ELIMINATED, 0, "the eliminated middle");
    lookup(&m, 0x10c3, KEEL_MAP_ELIMINATED, 0, "the eliminated middle's last byte");
    lookup(&m, 0x10c5, KEEL_MAP_FOUND, 0x2da01, "second piece");
    lookup(&m, 0x10ff, KEEL_MAP_FOUND, 0x3039, "the last record, below its end");
    lookup(&m, 0x1100, KEEL_MAP_UNMAPPED, 0, "bug: the last record is bounded (crate: 0x303a)");
    lookup(&m, 0xffffffff, KEEL_MAP_UNMAPPED, 0,
           "bug: far past the last record (crate: 0x3000 + 0xfffff039 wraps or panics)");

    ranges(&m, 0x10b0, 0x10c6, "10b0-10bd>15dec-15df9 10c4-10c6>2da00-2da02 ",
           "the notes' example: two pieces, the eliminated middle dropped");
    ranges(&m, 0x0f00, 0x10b2, "10b0-10b2>15dec-15dee ", "a start before the first record: that part dropped");
    ranges(&m, 0x10c0, 0x2000, "10c4-10c6>2da00-2da02 10c6-1100>3000-303a ",
           "across several records; bug: stops at the last record's end (crate: up to 0x2000)");
    ranges(&m, 0x10b4, 0x10b4, "", "an empty range");
    ranges(&m, 0x10be, 0x10c2, "", "inside the eliminated middle: nothing");
    ranges(&m, 0x10b2, 0x10b8, "10b2-10b8>15dee-15df4 ", "inside one record");

    /* the same records, unbounded in the crate: the view checks them */
    static const uint32_t over[][2] = {{0x100, 0xfffffff0}};
    n = omap(buf, over, 1);
    ok(keel_omap_view(&m, buf, n, 0x200, &err) == KEEL_E_RANGE && strstr(err.msg, "passes 2^32"),
       "bug: a record whose targets pass 2^32 is refused (crate: 0x120 -> 0x10 wrapped, or a panic): %s", err.msg);
    ok(keel_omap_view(&m, buf, n, 0x110, &err) == 0, "...and accepted when its end keeps it below 2^32");
    lookup(&m, 0x10f, KEEL_MAP_FOUND, 0xffffffff, "the highest target");
    static const uint32_t unsorted[][2] = {{0x200, 0x1000}, {0x100, 0x2000}};
    n = omap(buf, unsorted, 2);
    ok(keel_omap_view(&m, buf, n, 0x300, &err) == KEEL_E_FORMAT && strstr(err.msg, "below the previous"),
       "bug: unsorted records are refused (the crate's binary search would answer wrongly): %s", err.msg);
    ok(keel_omap_view(&m, buf, 12, 0x300, &err) == KEEL_E_FORMAT, "a table of 12 bytes: not whole records: %s",
       err.msg);
    ok(keel_omap_view(&m, buf, 0, 0, &err) == 0, "an empty table");
    lookup(&m, 0x100, KEEL_MAP_UNMAPPED, 0, "an empty table maps nothing");
    ranges(&m, 0, 0x1000, "", "an empty table has no pieces");
}

static void section_cases(void)
{
    static const sh s[] = {
        {".text", 0x2c, 0x1000, 0x200},   /* the file pads to 0x200: the padding is not the section */
        {".data", 0x190, 0x3000, 0},      /* all zero-filled: no raw data at all */
        {".old", 0, 0x4000, 0x200},       /* virtual size 0: an old linker's, meaning the raw size */
        {".high", 0x1000, 0xfffff000, 0}, /* ends at exactly 2^32 */
    };
    uint8_t buf[40 * 4];
    size_t n = headers(buf, s, 4);
    keel_map_sections t;
    keel_error err;
    ok(keel_map_sections_view(&t, buf, n, &err) == 0 && t.n == 4 && t.end == (uint64_t)1 << 32, "view of 4 headers");
    keel_map_section one;
    ok(keel_map_section_get(&t, 1, &one) && !strcmp(one.name, ".text") && one.virtual_size == 0x2c && one.size == 0x2c,
       "section 1 is .text, size 0x2c");
    ok(!keel_map_section_get(&t, 0, &one), "bug #87: section 0 is none (crate: subtraction overflow panic)");
    ok(!keel_map_section_get(&t, 5, &one), "section 5 of 4: none");

    keel_map m;
    keel_map_identity(&m, &t);
    keel_map_addr out;
    struct {
        uint16_t sect;
        uint32_t off;
        int want;
        uint32_t rva;
        const char *why;
    } so[] = {
        {1, 0x10, KEEL_MAP_FOUND, 0x1010, "section 1 + 0x10"},
        {0, 0x10, KEEL_MAP_NO_SECTION, 0, "bug #87: section 0 (crate: panic)"},
        {5, 0x10, KEEL_MAP_NO_SECTION, 0, "a section past the table (crate: none)"},
        {1, 0x100, KEEL_MAP_OUT_OF_SECTION, 0, "bug: past the virtual size, inside the raw size (crate: 0x1100)"},
        {2, 0x18f, KEEL_MAP_FOUND, 0x318f, "bug: .data's zero-filled tail is the section (crate: none, raw size 0)"},
        {3, 0x1ff, KEEL_MAP_FOUND, 0x41ff, "virtual size 0: the raw size"},
        {4, 0xfff, KEEL_MAP_FOUND, 0xffffffff, "the highest address"},
        {4, 0xffffffff, KEEL_MAP_OUT_OF_SECTION, 0, "bug: offset overflow (crate: 0xfffff000 + 0xffffffff wraps)"},
    };
    for (size_t i = 0; i < sizeof so / sizeof so[0]; i++) {
        int r = keel_map_convert(&m, (keel_map_addr){KEEL_MAP_OUTPUT_SECT, so[i].sect, so[i].off}, KEEL_MAP_OUTPUT,
                                 &out);
        ok(r == so[i].want && (r || out.value == so[i].rva), "%u:%#x -> RVA: %s (%s %#x)", so[i].sect, so[i].off,
           so[i].why, keel_map_result_name(r), r ? 0 : out.value);
    }
    struct {
        uint32_t rva;
        int want;
        uint16_t sect;
        uint32_t off;
        const char *why;
    } rs[] = {
        {0x1000, KEEL_MAP_FOUND, 1, 0, "a section's first byte"},
        {0x102b, KEEL_MAP_FOUND, 1, 0x2b, "a section's last byte"},
        {0x102c, KEEL_MAP_NO_SECTION, 0, 0, "bug: the padding past the virtual size (crate: .text+0x2c)"},
        {0x3100, KEEL_MAP_FOUND, 2, 0x100, "bug: the zero-filled tail (crate: none)"},
        {0x0fff, KEEL_MAP_NO_SECTION, 0, 0, "below the first section"},
        {0x2000, KEEL_MAP_NO_SECTION, 0, 0, "between sections"},
        {0xffffffff, KEEL_MAP_FOUND, 4, 0xfff, "the highest address"},
    };
    for (size_t i = 0; i < sizeof rs / sizeof rs[0]; i++) {
        int r = keel_map_convert(&m, (keel_map_addr){KEEL_MAP_OUTPUT, 0, rs[i].rva}, KEEL_MAP_OUTPUT_SECT, &out);
        ok(r == rs[i].want && (r || (out.section == rs[i].sect && out.value == rs[i].off)),
           "RVA %#x -> section: %s (%s %u:%#x)", rs[i].rva, rs[i].why, keel_map_result_name(r), r ? 0 : out.section,
           r ? 0 : out.value);
    }

    static const sh bad_over[] = {{".x", 0x2000, 0xfffff000, 0}};
    n = headers(buf, bad_over, 1);
    ok(keel_map_sections_view(&t, buf, n, &err) == KEEL_E_RANGE && strstr(err.msg, "pass 2^32"),
       "bug: a section past 2^32 is refused (crate: wraps): %s", err.msg);
    static const sh bad_order[] = {{".b", 0x100, 0x2000, 0}, {".a", 0x100, 0x1000, 0}};
    n = headers(buf, bad_order, 2);
    ok(keel_map_sections_view(&t, buf, n, &err) == KEEL_E_FORMAT, "sections out of address order are refused: %s",
       err.msg);
    static const sh overlap[] = {{".a", 0x1001, 0x1000, 0}, {".b", 0x100, 0x2000, 0}};
    n = headers(buf, overlap, 2);
    ok(keel_map_sections_view(&t, buf, n, &err) == KEEL_E_FORMAT, "overlapping sections are refused: %s", err.msg);
    ok(keel_map_sections_view(&t, buf, 41, &err) == KEEL_E_FORMAT, "41 bytes: not whole headers: %s", err.msg);
}

static void convert(const keel_map *m, int from, uint16_t sect, uint32_t v, int to, int want, uint16_t wsect,
                    uint32_t wv, const char *why)
{
    static const char *sp[] = {"output", "original", "output-sect", "original-sect"};
    keel_map_addr out = {0, 0, 0};
    int r = keel_map_convert(m, (keel_map_addr){(uint8_t)from, sect, v}, to, &out);
    ok(r == want && (r || (out.space == to && out.section == wsect && out.value == wv)),
       "%s %u:%#x -> %s: %s (%s %u:%#x)", sp[from], sect, v, sp[to], why, keel_map_result_name(r), out.section,
       out.value);
}

static void map_cases(void)
{
    /* the notes' example as a whole image: the original .text at 0x1000,
     * the output's two text sections at 0x15000 and 0x2d000 */
    static const sh orig[] = {{".text", 0x200, 0x1000, 0x200}};
    static const sh cur[] = {{".text", 0x1000, 0x15000, 0x1000}, {".textc", 0x1000, 0x2d000, 0x1000}};
    static const uint32_t from[][2] = {{0x1000, 0}, {0x10b0, 0x15dec}, {0x10bd, 0}, {0x10c4, 0x2da00}, {0x10c6, 0}};
    static const uint32_t to[][2] = {{0x15dec, 0x10b0}, {0x15df9, 0}, {0x2da00, 0x10c4}, {0x2da02, 0}};
    uint8_t ob[40], cb[80], fb[40], tb[32];
    keel_map_sections os, cs;
    keel_error err;
    keel_map_sections_view(&os, ob, headers(ob, orig, 1), &err);
    keel_map_sections_view(&cs, cb, headers(cb, cur, 2), &err);
    keel_map m;
    ok(keel_map_omap(&m, &cs, &os, tb, omap(tb, to, 4), fb, omap(fb, from, 5), &err) == 0 && m.mode == KEEL_MAP_OMAP,
       "OMAP map of the notes' example");
    ok(m.to_output.end == 0x1200 && m.to_original.end == 0x2e000, "each table ends where its source space ends");
    convert(&m, KEEL_MAP_ORIGINAL_SECT, 1, 0xb5, KEEL_MAP_OUTPUT, KEEL_MAP_FOUND, 0, 0x15df1,
            "original section offset -> RVA (original headers, then OMAP_FROM_SRC)");
    convert(&m, KEEL_MAP_ORIGINAL_SECT, 1, 0xb5, KEEL_MAP_OUTPUT_SECT, KEEL_MAP_FOUND, 1, 0xdf1,
            "original section offset -> output section offset");
    convert(&m, KEEL_MAP_ORIGINAL_SECT, 1, 0xc5, KEEL_MAP_OUTPUT_SECT, KEEL_MAP_FOUND, 2, 0xa01,
            "the second piece lands in the second output section");
    convert(&m, KEEL_MAP_OUTPUT_SECT, 2, 0xa01, KEEL_MAP_ORIGINAL_SECT, KEEL_MAP_FOUND, 1, 0xc5, "and back");
    convert(&m, KEEL_MAP_OUTPUT, 0, 0x2da01, KEEL_MAP_ORIGINAL, KEEL_MAP_FOUND, 0, 0x10c5,
            "output RVA -> original RVA (OMAP_TO_SRC)");
    convert(&m, KEEL_MAP_OUTPUT, 0, 0x15df9, KEEL_MAP_ORIGINAL, KEEL_MAP_ELIMINATED, 0, 0,
            "output code with no original: eliminated");
    convert(&m, KEEL_MAP_ORIGINAL_SECT, 1, 0xbd, KEEL_MAP_OUTPUT, KEEL_MAP_ELIMINATED, 0, 0,
            "original code that was dropped: eliminated");
    convert(&m, KEEL_MAP_ORIGINAL, 0, 0x10c6, KEEL_MAP_OUTPUT, KEEL_MAP_ELIMINATED, 0, 0, "the last record's target 0");
    convert(&m, KEEL_MAP_ORIGINAL, 0, 0x1200, KEEL_MAP_OUTPUT, KEEL_MAP_UNMAPPED, 0, 0,
            "past the original image: unmapped");
    convert(&m, KEEL_MAP_ORIGINAL_SECT, 0, 0xb5, KEEL_MAP_OUTPUT, KEEL_MAP_NO_SECTION, 0, 0,
            "bug #87: original section 0 (crate: panic)");
    convert(&m, KEEL_MAP_ORIGINAL_SECT, 2, 0x0, KEEL_MAP_OUTPUT, KEEL_MAP_NO_SECTION, 0, 0,
            "original section 2 of 1: none");
    convert(&m, KEEL_MAP_ORIGINAL_SECT, 1, 0x200, KEEL_MAP_OUTPUT, KEEL_MAP_OUT_OF_SECTION, 0, 0,
            "bug: offset past the section (crate: maps 0x1200 on)");
    convert(&m, KEEL_MAP_OUTPUT_SECT, 1, 0x10, KEEL_MAP_OUTPUT, KEEL_MAP_FOUND, 0, 0x15010,
            "within one space: no OMAP");
    convert(&m, KEEL_MAP_ORIGINAL, 0, 0x10b4, KEEL_MAP_ORIGINAL_SECT, KEEL_MAP_FOUND, 1, 0xb4,
            "original RVA -> original section offset");

    /* a map whose OMAP tables the views refuse */
    static const uint32_t bad[][2] = {{0x2000, 1}, {0x1000, 2}};
    ok(keel_map_omap(&m, &cs, &os, tb, omap(tb, bad, 2), fb, omap(fb, from, 5), &err) == KEEL_E_FORMAT,
       "an unsorted OMAP table: the map is refused: %s", err.msg);

    /* identity mode: nothing was rearranged */
    keel_map_identity(&m, &cs);
    ok(m.mode == KEEL_MAP_IDENTITY, "identity mode");
    convert(&m, KEEL_MAP_OUTPUT, 0, 0x15010, KEEL_MAP_ORIGINAL, KEEL_MAP_FOUND, 0, 0x15010, "identity: the same RVA");
    convert(&m, KEEL_MAP_OUTPUT_SECT, 2, 0x10, KEEL_MAP_ORIGINAL_SECT, KEEL_MAP_FOUND, 2, 0x10,
            "identity: the same section offset");
    convert(&m, KEEL_MAP_ORIGINAL_SECT, 2, 0x1000, KEEL_MAP_OUTPUT_SECT, KEEL_MAP_OUT_OF_SECTION, 0, 0,
            "identity: still checked against the section (crate: shortcut, no check)");

    /* no headers at all: an empty map */
    keel_map_identity(&m, 0);
    ok(m.mode == KEEL_MAP_EMPTY, "no section headers: an empty map");
    convert(&m, KEEL_MAP_OUTPUT, 0, 0x1234, KEEL_MAP_ORIGINAL, KEEL_MAP_FOUND, 0, 0x1234,
            "empty: RVAs map to themselves");
    convert(&m, KEEL_MAP_ORIGINAL_SECT, 1, 0x10, KEEL_MAP_OUTPUT_SECT, KEEL_MAP_NO_SECTION, 0, 0,
            "bug: empty map, section offset -> section offset is none (crate: succeeds)");
}

int main(void)
{
    omap_cases();
    section_cases();
    map_cases();
    printf("1..%d\n", count);
    return failed != 0;
}
