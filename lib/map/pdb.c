/* PDB files: the DBI stream's header and optional debug header (which
 * streams hold the section headers, the original section headers and the
 * two OMAP tables), and the address map they make, decided as the pdb
 * crate decides it: original headers present -> OMAP mode, which needs
 * both OMAP streams; else identity over the section headers; no headers
 * -> an empty map. */
#include "internal.h"

enum {
    DBI_STREAM = 3,
    DBI_HEADER = 64,
    DBI_SIG = 0,
    DBI_MODINFO = 24, /* six int32 substream sizes from here... */
    DBI_OPTDBG = 48,  /* ...but the debug header's size sits between them */
    DBI_EC = 52,
};

static const char *slot_name(int slot)
{
    switch (slot) {
    case KEEL_PDB_DBG_OMAP_TO_SRC: return "OMAP to source";
    case KEEL_PDB_DBG_OMAP_FROM_SRC: return "OMAP from source";
    case KEEL_PDB_DBG_SECTION_HDR: return "section headers";
    case KEEL_PDB_DBG_SECTION_HDR_ORIG: return "original section headers";
    }
    return "debug";
}

static int read_dbi(keel_pdb *p, keel_error *err)
{
    uint32_t size = 0;
    if (p->num_streams > DBI_STREAM)
        keel_pdb_stream_size(p, DBI_STREAM, &size, err);
    if (size == 0)
        return keel_error_set(err, KEEL_E_FORMAT, 0, "DBI stream (3): the PDB has none");
    uint8_t h[DBI_HEADER];
    if (size < DBI_HEADER)
        return keel_error_set(err, KEEL_E_TRUNCATED, 0,
                              "DBI stream (3) at 0x0: header (%U bytes) extends past the end of the stream (%X bytes)",
                              (uint64_t)DBI_HEADER, (uint64_t)size);
    int rc = keel_pdb_stream_read(p, DBI_STREAM, 0, h, DBI_HEADER, err);
    if (rc)
        return rc;
    if (km_u32(h + DBI_SIG) != 0xffffffff)
        return keel_error_set(err, KEEL_E_UNSUPPORTED, 0,
                              "DBI stream (3) at 0x0: version signature %X is not the current format's (-1)",
                              (uint64_t)km_u32(h + DBI_SIG));
    /* the substreams before the debug header: module info, section
     * contributions, section map, file info, type server map, EC */
    static const uint8_t before[] = {24, 28, 32, 36, 40, DBI_EC};
    uint64_t off = DBI_HEADER;
    for (size_t i = 0; i < sizeof before; i++) {
        int32_t n = (int32_t)km_u32(h + before[i]);
        if (n < 0)
            return keel_error_set(err, KEEL_E_FORMAT, before[i], "DBI stream (3) at %X: substream size %X is negative",
                                  (uint64_t)before[i], (uint64_t)km_u32(h + before[i]));
        off += (uint32_t)n; /* six values below 2^31: no overflow in 64 bits */
    }
    int32_t dbg = (int32_t)km_u32(h + DBI_OPTDBG);
    if (dbg < 0 || !kl_in_bounds(off, (uint32_t)dbg, size))
        return keel_error_set(err, dbg < 0 ? KEEL_E_FORMAT : KEEL_E_TRUNCATED, DBI_OPTDBG,
                              "DBI stream (3) at %X: optional debug header (%X bytes at %X) extends past the end "
                              "of the stream (%X bytes)",
                              (uint64_t)DBI_OPTDBG, (uint64_t)km_u32(h + DBI_OPTDBG), off, (uint64_t)size);
    /* a short header is accepted: the slots it lacks are absent */
    uint32_t slots = (uint32_t)dbg / 2;
    for (int i = 0; i < KEEL_PDB_DBG_SLOTS; i++) {
        uint8_t b[2] = {0xff, 0xff};
        if ((uint32_t)i < slots && (rc = keel_pdb_stream_read(p, DBI_STREAM, (uint32_t)(off + 2 * i), b, 2, err)))
            return rc;
        p->dbg[i] = km_u16(b);
        if (p->dbg[i] != KEEL_PDB_NO_STREAM && p->dbg[i] >= p->num_streams)
            return keel_error_set(err, KEEL_E_INDEX, off + 2 * i,
                                  "DBI stream (3) at %X: debug header slot %U (%s) names stream %U, past the PDB's %U",
                                  off + 2 * i, (uint64_t)i, slot_name(i), (uint64_t)p->dbg[i],
                                  (uint64_t)p->num_streams);
    }
    return 0;
}

int keel_pdb_open(keel_pdb *p, const void *data, size_t size, keel_error *err)
{
    int rc = km_msf_open(p, data, size, err);
    if (rc == 0 && (rc = read_dbi(p, err)))
        *p = (keel_pdb){0};
    return rc;
}

static const int map_slots[] = {KEEL_PDB_DBG_SECTION_HDR, KEEL_PDB_DBG_SECTION_HDR_ORIG, KEEL_PDB_DBG_OMAP_TO_SRC,
                                KEEL_PDB_DBG_OMAP_FROM_SRC};

int keel_pdb_map_scratch(const keel_pdb *p, size_t *bytes, keel_error *err)
{
    size_t total = 0;
    for (size_t i = 0; i < sizeof map_slots / sizeof map_slots[0]; i++) {
        uint16_t s = p->dbg[map_slots[i]];
        uint32_t n = 0;
        if (s == KEEL_PDB_NO_STREAM || keel_pdb_stream_view(p, s))
            continue;
        int rc = keel_pdb_stream_size(p, s, &n, err);
        if (rc)
            return rc;
        total += n;
    }
    *bytes = total;
    return 0;
}

/* One stream's bytes: in place, or copied into the scratch memory. */
static int stream_bytes(const keel_pdb *p, int slot, uint8_t **scratch, size_t *left, const void **data, size_t *size,
                        keel_error *err)
{
    uint16_t s = p->dbg[slot];
    uint32_t n = 0;
    int rc = keel_pdb_stream_size(p, s, &n, err);
    if (rc)
        return rc;
    *size = n;
    if ((*data = keel_pdb_stream_view(p, s)))
        return 0;
    if (n > *left)
        return keel_error_set(err, KEEL_E_NOMEM, 0, "%s stream (%U): %U bytes of scratch memory needed, %U left",
                              slot_name(slot), (uint64_t)s, (uint64_t)n, (uint64_t)*left);
    if ((rc = keel_pdb_stream_read(p, s, 0, *scratch, n, err)))
        return rc;
    *data = *scratch;
    *scratch += n;
    *left -= n;
    return 0;
}

/* A section table's error says which stream it is. */
static int sections(const keel_pdb *p, int slot, const void *data, size_t size, keel_map_sections *out, keel_error *err)
{
    keel_error e;
    if (keel_map_sections_view(out, data, size, &e) == 0)
        return 0;
    return keel_error_set(err, e.code, e.offset, "%s stream (%U): %s", slot_name(slot), (uint64_t)p->dbg[slot], e.msg);
}

int keel_pdb_address_map(const keel_pdb *p, void *scratch, size_t scratch_size, keel_map *m, keel_error *err)
{
    *m = (keel_map){0};
    uint8_t *cur = scratch;
    size_t left = scratch_size;
    const void *d[KEEL_PDB_DBG_SLOTS] = {0};
    size_t n[KEEL_PDB_DBG_SLOTS] = {0};
    for (size_t i = 0; i < sizeof map_slots / sizeof map_slots[0]; i++) {
        int slot = map_slots[i], rc;
        if (p->dbg[slot] != KEEL_PDB_NO_STREAM && (rc = stream_bytes(p, slot, &cur, &left, &d[slot], &n[slot], err)))
            return rc;
    }
    keel_map_sections cur_sh = {0}, orig_sh = {0};
    int rc;
    if (d[KEEL_PDB_DBG_SECTION_HDR] && (rc = sections(p, KEEL_PDB_DBG_SECTION_HDR, d[KEEL_PDB_DBG_SECTION_HDR],
                                                      n[KEEL_PDB_DBG_SECTION_HDR], &cur_sh, err)))
        return rc;
    if (!d[KEEL_PDB_DBG_SECTION_HDR_ORIG]) {
        keel_map_identity(m, &cur_sh);
        return 0;
    }
    if ((rc = sections(p, KEEL_PDB_DBG_SECTION_HDR_ORIG, d[KEEL_PDB_DBG_SECTION_HDR_ORIG],
                       n[KEEL_PDB_DBG_SECTION_HDR_ORIG], &orig_sh, err)))
        return rc;
    for (int slot = KEEL_PDB_DBG_OMAP_TO_SRC; slot <= KEEL_PDB_DBG_OMAP_FROM_SRC; slot++)
        if (!d[slot])
            return keel_error_set(err, KEEL_E_FORMAT, 0,
                                  "DBI stream (3): original section headers (stream %U) but no %s stream",
                                  (uint64_t)p->dbg[KEEL_PDB_DBG_SECTION_HDR_ORIG], slot_name(slot));
    /* each table viewed on its own, so that an error names its stream */
    keel_map t = {KEEL_MAP_OMAP, cur_sh, orig_sh, {0}, {0}};
    keel_omap *views[2] = {&t.to_original, &t.to_output};
    const keel_map_sections *src[2] = {&cur_sh, &orig_sh};
    for (int k = 0; k < 2; k++) {
        int slot = KEEL_PDB_DBG_OMAP_TO_SRC + k;
        keel_error e;
        if (keel_omap_view(views[k], d[slot], n[slot], km_omap_end(src[k], d[slot], n[slot]), &e))
            return keel_error_set(err, e.code, e.offset, "%s stream (%U): %s", slot_name(slot), (uint64_t)p->dbg[slot],
                                  e.msg);
    }
    *m = t;
    return 0;
}
