/* keel's ELF address map (.keel.addrmap, docs/address-map-section.md)
 * read in place into the model: the two OMAP tables as keel_omap views
 * (mode KEEL_MAP_OMAP, no PE section tables), the output sections in both
 * spaces, the input files and the input sections' identities.
 *
 * Everything is checked once, in keel_addrmap_open: the header, every
 * table inside the section (64-bit sums of 32-bit fields: no overflow),
 * every string offset inside a NUL-terminated string table, every file
 * number, every sum rva + size against 2^32, and the orders the binary
 * searches rely on (placed inputs by output RVA, by_original by original
 * RVA; whether the sections are in address order is noted).  The lookups then read without checks.  Freestanding:
 * no allocation, no libc. */
#include "internal.h"

enum {
    HEADER = 80,
    SECTION = 24,
    FILEREC = 8,
    INPUT = 24,
    /* the header's fields */
    H_VERSION = 8,
    H_HSIZE = 10,
    H_FLAGS = 12,
    H_BASE = 16,
    H_NTO = 24,
    H_NFROM = 32,
    H_NSEC = 40,
    H_NFILES = 48,
    H_NIN = 56,
    H_BYORIG = 64,
    H_STR = 68,
    H_STRSIZE = 72,
};

#define SEC ".keel.addrmap"

static uint64_t u64le(const uint8_t *p) { return (uint64_t)km_u32(p) | (uint64_t)km_u32(p + 4) << 32; }

/* a table of n records of `rec` bytes at `off`: inside the section */
static int table(size_t size, uint32_t n, uint32_t off, uint32_t rec, const char *what, keel_error *err)
{
    uint64_t end = (uint64_t)off + (uint64_t)n * rec; /* < 2^32 + 2^32 * 24: no overflow */
    if (off < HEADER && n)
        return keel_error_set(err, KEEL_E_RANGE, off, SEC " at %X: %s at %X overlaps the %U-byte header", (uint64_t)off,
                              what, (uint64_t)off, (uint64_t)HEADER);
    if (end > size && rec == 1)
        return keel_error_set(err, KEEL_E_TRUNCATED, off,
                              SEC " at %X: %s (%U bytes) extends past the section's end (%X)", (uint64_t)off, what,
                              (uint64_t)n, (uint64_t)size);
    if (end > size)
        return keel_error_set(err, KEEL_E_TRUNCATED, off,
                              SEC " at %X: %s (%U records of %U bytes) extends past the section's end (%X)",
                              (uint64_t)off, what, (uint64_t)n, (uint64_t)rec, (uint64_t)size);
    return 0;
}

static int string_at(const keel_addrmap *a, uint32_t s, uint64_t at, const char *what, keel_error *err)
{
    if (s >= a->strings_size)
        return keel_error_set(err, KEEL_E_INDEX, at, SEC " at %X: %s names string %X, past the %X-byte string table",
                              at, what, (uint64_t)s, (uint64_t)a->strings_size);
    return 0;
}

static int extent(uint32_t rva, uint32_t size, uint64_t at, const char *what, keel_error *err)
{
    if ((uint64_t)rva + size > (uint64_t)1 << 32)
        return keel_error_set(err, KEEL_E_RANGE, at, SEC " at %X: %s at RVA %X of %X bytes passes 2^32", at, what,
                              (uint64_t)rva, (uint64_t)size);
    return 0;
}

/* An OMAP table of the section: its last record bounds it (its source is
 * the table's end).  keel_omap_view's message is kept, with where. */
static int omap(keel_omap *m, const uint8_t *d, uint32_t n, uint32_t off, const char *what, keel_error *err)
{
    const uint8_t *t = d + off;
    uint64_t end = n ? km_u32(t + (size_t)(n - 1) * KEEL_OMAP_RECORD) : 0;
    keel_error inner = {0};
    if (keel_omap_view(m, t, (size_t)n * KEEL_OMAP_RECORD, end, &inner))
        return keel_error_set(err, inner.code, off + inner.offset, SEC " at %X: the %s OMAP table at %X: %s",
                              off + inner.offset, what, (uint64_t)off, inner.msg);
    return 0;
}

static uint32_t field(const uint8_t *rec, unsigned k) { return km_u32(rec + 4 * k); }

static int check_sections(const keel_addrmap *a, keel_error *err)
{
    uint32_t off = (uint32_t)(a->sec - a->data);
    for (uint32_t i = 0; i < a->nsec; i++) {
        const uint8_t *r = a->sec + (size_t)i * SECTION;
        uint64_t at = off + (uint64_t)i * SECTION;
        int rc = string_at(a, field(r, 0), at, "output section record's name", err);
        if (!rc)
            rc = extent(field(r, 2), field(r, 3), at, "output section", err);
        if (!rc)
            rc = extent(field(r, 4), field(r, 5), at, "output section (original space)", err);
        if (rc)
            return rc;
    }
    return 0;
}

/* Whether the section records are in address order in each space (the
 * starts only: a thread-local .tbss overlaps what follows it).  They are
 * when segments follow one another; a segment placed below an earlier
 * one (a mapfile's VADDR, --section-start) breaks the order, and the
 * lookup scans instead (there are few sections). */
static uint8_t sections_sorted(const keel_addrmap *a)
{
    uint8_t sorted = 3;
    for (uint32_t i = 1; i < a->nsec; i++) {
        const uint8_t *r = a->sec + (size_t)i * SECTION;
        if (field(r, 2) < field(r - SECTION, 2))
            sorted &= (uint8_t)~1u;
        if (field(r, 4) < field(r - SECTION, 4))
            sorted &= (uint8_t)~2u;
    }
    return sorted;
}

static int check_inputs(keel_addrmap *a, keel_error *err)
{
    uint32_t off = (uint32_t)(a->inputs - a->data), prev = 0;
    bool eliminated = false;
    a->nplaced = 0;
    for (uint32_t i = 0; i < a->ninputs; i++) {
        const uint8_t *r = a->inputs + (size_t)i * INPUT;
        uint64_t at = off + (uint64_t)i * INPUT;
        if (field(r, 0) >= a->nfiles)
            return keel_error_set(err, KEEL_E_INDEX, at, SEC " at %X: input section record %U names file %U of %U", at,
                                  (uint64_t)i, (uint64_t)field(r, 0), (uint64_t)a->nfiles);
        int rc = string_at(a, field(r, 1), at, "input section record's name", err);
        if (!rc)
            rc = extent(field(r, 4), field(r, 3), at, "input section", err);
        if (!rc)
            rc = extent(field(r, 5), field(r, 3), at, "input section (original space)", err);
        if (rc)
            return rc;
        bool placed = field(r, 2) != 0;
        if (placed && eliminated)
            return keel_error_set(err, KEEL_E_FORMAT, at,
                                  SEC " at %X: input section record %U has an output place after an eliminated one", at,
                                  (uint64_t)i);
        if (placed && field(r, 4) < prev)
            return keel_error_set(err, KEEL_E_FORMAT, at,
                                  SEC " at %X: input section record %U: output RVA %X is below the one before (%X)", at,
                                  (uint64_t)i, (uint64_t)field(r, 4), (uint64_t)prev);
        if (placed)
            prev = field(r, 4), a->nplaced++;
        eliminated |= !placed;
    }
    /* by_original: input numbers, by original RVA; those with no
     * original place (RVA 0) last */
    uint32_t ioff = (uint32_t)(a->by_original - a->data), last = 0;
    bool none = false;
    for (uint32_t j = 0; j < a->ninputs; j++) {
        uint32_t k = km_u32(a->by_original + 4 * (size_t)j);
        uint64_t at = ioff + 4 * (uint64_t)j;
        if (k >= a->ninputs)
            return keel_error_set(err, KEEL_E_INDEX, at, SEC " at %X: by_original entry %U names input %U of %U", at,
                                  (uint64_t)j, (uint64_t)k, (uint64_t)a->ninputs);
        uint32_t o = field(a->inputs + (size_t)k * INPUT, 5);
        if ((o && (none || o < last)))
            return keel_error_set(err, KEEL_E_FORMAT, at,
                                  SEC " at %X: by_original entry %U (input %U, original RVA %X) is out of order", at,
                                  (uint64_t)j, (uint64_t)k, (uint64_t)o);
        none |= o == 0;
        if (o)
            last = o;
    }
    return 0;
}

int keel_addrmap_open(keel_addrmap *a, const void *data, size_t size, keel_error *err)
{
    const uint8_t *d = data;
    *a = (keel_addrmap){0};
    static const char magic[8] = "KEELAMAP";
    if (size < HEADER)
        return keel_error_set(err, KEEL_E_TRUNCATED, 0, SEC " at 0: %U bytes, shorter than its %U-byte header",
                              (uint64_t)size, (uint64_t)HEADER);
    for (int i = 0; i < 8; i++)
        if (d[i] != (uint8_t)magic[i])
            return keel_error_set(err, KEEL_E_FORMAT, 0, SEC " at 0: no KEELAMAP magic");
    if (km_u16(d + H_VERSION) != 1)
        return keel_error_set(err, KEEL_E_UNSUPPORTED, H_VERSION, SEC " at %X: version %U (keel reads version 1)",
                              (uint64_t)H_VERSION, (uint64_t)km_u16(d + H_VERSION));
    if (km_u16(d + H_HSIZE) < HEADER)
        return keel_error_set(err, KEEL_E_FORMAT, H_HSIZE, SEC " at %X: header size %U is below %U", (uint64_t)H_HSIZE,
                              (uint64_t)km_u16(d + H_HSIZE), (uint64_t)HEADER);
    keel_addrmap t = {.data = d, .size = size, .flags = km_u32(d + H_FLAGS), .base = u64le(d + H_BASE)};
    uint32_t nto = km_u32(d + H_NTO), oto = km_u32(d + H_NTO + 4);
    uint32_t nfrom = km_u32(d + H_NFROM), ofrom = km_u32(d + H_NFROM + 4);
    t.nsec = km_u32(d + H_NSEC);
    t.nfiles = km_u32(d + H_NFILES);
    t.ninputs = km_u32(d + H_NIN);
    uint32_t osec = km_u32(d + H_NSEC + 4), ofiles = km_u32(d + H_NFILES + 4), oin = km_u32(d + H_NIN + 4);
    uint32_t oidx = km_u32(d + H_BYORIG), ostr = km_u32(d + H_STR);
    t.strings_size = km_u32(d + H_STRSIZE);
    int rc = table(size, nto, oto, KEEL_OMAP_RECORD, "the output->original OMAP table", err);
    if (!rc)
        rc = table(size, nfrom, ofrom, KEEL_OMAP_RECORD, "the original->output OMAP table", err);
    if (!rc)
        rc = table(size, t.nsec, osec, SECTION, "the output section records", err);
    if (!rc)
        rc = table(size, t.nfiles, ofiles, FILEREC, "the file records", err);
    if (!rc)
        rc = table(size, t.ninputs, oin, INPUT, "the input section records", err);
    if (!rc)
        rc = table(size, t.ninputs, oidx, 4, "the by_original index", err);
    if (!rc)
        rc = table(size, t.strings_size, ostr, 1, "the string table", err);
    if (rc)
        return rc;
    if (t.strings_size == 0 || d[(size_t)ostr + t.strings_size - 1] != 0)
        return keel_error_set(err, KEEL_E_FORMAT, ostr, SEC " at %X: the %U-byte string table does not end in a NUL",
                              (uint64_t)ostr, (uint64_t)t.strings_size);
    t.sec = d + osec;
    t.files = d + ofiles;
    t.inputs = d + oin;
    t.by_original = d + oidx;
    t.strings = (const char *)d + ostr;
    t.map.mode = KEEL_MAP_OMAP;
    if ((rc = omap(&t.map.to_original, d, nto, oto, "output->original", err)) ||
        (rc = omap(&t.map.to_output, d, nfrom, ofrom, "original->output", err)))
        return rc;
    for (uint32_t i = 0; i < t.nfiles; i++) {
        const uint8_t *r = t.files + (size_t)i * FILEREC;
        uint64_t at = ofiles + (uint64_t)i * FILEREC;
        if ((rc = string_at(&t, field(r, 0), at, "file record's path", err)) ||
            (rc = string_at(&t, field(r, 1), at, "file record's member", err)))
            return rc;
    }
    if ((rc = check_sections(&t, err)) || (rc = check_inputs(&t, err)))
        return rc;
    t.sorted = sections_sorted(&t);
    *a = t;
    return 0;
}

void keel_addrmap_section_get(const keel_addrmap *a, uint32_t i, keel_addrmap_section *out)
{
    const uint8_t *r = a->sec + (size_t)i * SECTION;
    *out = (keel_addrmap_section){
        a->strings + field(r, 0), field(r, 1), field(r, 2), field(r, 3), field(r, 4), field(r, 5)};
}

/* How many steps a lookup walks back from the last record starting at or
 * below an address: past empty sections at one address, and over a .tbss
 * that overlaps the section after it. */
enum { WALK = 8 };

bool keel_addrmap_section_at(const keel_addrmap *a, int space, uint32_t rva, uint32_t *i)
{
    unsigned k = space == KEEL_MAP_ORIGINAL ? 4 : 2;
    if (!(a->sorted & (space == KEEL_MAP_ORIGINAL ? 2 : 1))) {
        bool found = false; /* the last that holds it, as below */
        for (uint32_t s = 0; s < a->nsec; s++) {
            const uint8_t *r = a->sec + (size_t)s * SECTION;
            if (rva - field(r, k) < field(r, k + 1))
                *i = s, found = true;
        }
        return found;
    }
    uint32_t lo = 0, n = a->nsec;
    while (n > 0) { /* lo: the number of sections starting at or below rva */
        uint32_t half = n / 2;
        if (field(a->sec + (size_t)(lo + half) * SECTION, k) <= rva)
            lo += half + 1, n -= half + 1;
        else
            n = half;
    }
    for (uint32_t s = lo, steps = 0; s > 0 && steps < WALK; s--, steps++) {
        const uint8_t *r = a->sec + (size_t)(s - 1) * SECTION;
        if (rva - field(r, k) < field(r, k + 1)) {
            *i = s - 1;
            return true;
        }
    }
    return false;
}

bool keel_addrmap_section_by_index(const keel_addrmap *a, uint32_t index, uint32_t *i)
{
    for (uint32_t s = 0; s < a->nsec; s++)
        if (field(a->sec + (size_t)s * SECTION, 1) == index && index) {
            *i = s;
            return true;
        }
    return false;
}

void keel_addrmap_input_get(const keel_addrmap *a, uint32_t i, keel_addrmap_input *out)
{
    const uint8_t *r = a->inputs + (size_t)i * INPUT;
    const uint8_t *f = a->files + (size_t)field(r, 0) * FILEREC;
    *out = (keel_addrmap_input){a->strings + field(f, 0),
                                a->strings + field(f, 1),
                                a->strings + field(r, 1),
                                field(r, 2),
                                field(r, 3),
                                field(r, 4),
                                field(r, 5),
                                field(r, 2) != 0,
                                field(r, 5) != 0};
}

/* input number j of a space's order: the placed inputs as they are
 * (output), or through by_original */
static uint32_t nth(const keel_addrmap *a, int space, uint32_t j)
{
    return space == KEEL_MAP_ORIGINAL ? km_u32(a->by_original + 4 * (size_t)j) : j;
}

bool keel_addrmap_input_at(const keel_addrmap *a, int space, uint32_t rva, uint32_t *i)
{
    bool orig = space == KEEL_MAP_ORIGINAL;
    unsigned k = orig ? 5 : 4;
    uint32_t lo = 0, n = orig ? a->ninputs : a->nplaced;
    while (n > 0) {
        uint32_t half = n / 2;
        const uint8_t *r = a->inputs + (size_t)nth(a, space, lo + half) * INPUT;
        /* (by_original ends with those of no original place: RVA 0, above all) */
        if (field(r, k) <= rva && (!orig || field(r, 5)))
            lo += half + 1, n -= half + 1;
        else
            n = half;
    }
    if (lo == 0)
        return false;
    uint32_t c = nth(a, space, lo - 1);
    const uint8_t *r = a->inputs + (size_t)c * INPUT;
    if (rva - field(r, k) >= field(r, 3))
        return false;
    *i = c;
    return true;
}

static bool same(const char *x, const char *y)
{
    while (*x && *x == *y)
        x++, y++;
    return *x == *y;
}

/* path as recorded, or its last component */
static bool same_path(const char *recorded, const char *asked)
{
    if (same(recorded, asked))
        return true;
    const char *base = recorded;
    for (const char *p = recorded; *p; p++)
        if (*p == '/')
            base = p + 1;
    return same(base, asked);
}

bool keel_addrmap_input_find(const keel_addrmap *a, uint32_t from, const char *path, const char *member,
                             const char *name, uint32_t *i)
{
    if (!member)
        member = "";
    for (uint32_t k = from; k < a->ninputs; k++) {
        keel_addrmap_input in;
        keel_addrmap_input_get(a, k, &in);
        if (same(in.name, name) && same(in.member, member) && same_path(in.path, path)) {
            *i = k;
            return true;
        }
    }
    return false;
}
