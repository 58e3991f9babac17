/*
 * keel/map.h - address maps: where code moved after the compiler.
 *
 * A tool that rearranges code after compilation (link-time ordering, a
 * post-link optimiser, a live swap) leaves two address spaces: the output
 * (the addresses of the image that ships, "RVAs" as offsets from the image
 * base) and the original (the addresses the same code would have had
 * without the rearrangement, which debug records still hold).  Each space
 * also has section-offset pairs, against its own section table.  The model
 * converts between all four:
 *
 *   output RVA  <->  original RVA            (OMAP tables, both ways)
 *      |                  |
 *   output section:offset   original section:offset   (section tables)
 *
 * OMAP tables are what PDB files store (and what keel's ELF address-map
 * section stores): flat arrays of {uint32 source, uint32 target} records,
 * little-endian, sorted by source.  Record i covers the sources from its
 * own up to the next record's; the last one is bounded by an explicit end.
 * A target of KEEL_OMAP_ELIMINATED (0) says the code was dropped.  An
 * address maps linearly inside its record: target + (address - source).
 *
 * Freestanding like the ELF reader: no allocation, no libc.  Every view
 * reads the caller's memory in place and lives as long as it; each table
 * is checked once when its view is made (sorted, bounded, no sum that
 * overflows), so lookups need no checks and cost O(log n).
 *
 * Conversions return a keel_map_result: KEEL_MAP_FOUND (0) and the value,
 * or why there is none.
 */
#ifndef KEEL_MAP_H
#define KEEL_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <keel/elf.h>

#ifdef __cplusplus
extern "C" {
#endif
#pragma GCC visibility push(default)

/* ------------------------------------------------------------ the model */

#define KEEL_OMAP_ELIMINATED 0u /* a record's target: its source range has no counterpart */
#define KEEL_OMAP_RECORD 8u     /* bytes per record: uint32 source, uint32 target, little-endian */

enum keel_map_result {
    KEEL_MAP_FOUND = 0,
    KEEL_MAP_UNMAPPED = 1,       /* before the first record, or at or past the table's end */
    KEEL_MAP_ELIMINATED = 2,     /* inside a record whose target is KEEL_OMAP_ELIMINATED */
    KEEL_MAP_NO_SECTION = 3,     /* section 0, a number past the table, or no section holds the address */
    KEEL_MAP_OUT_OF_SECTION = 4, /* an offset at or past its section's (virtual) size */
};

/* One OMAP table, read in place. */
typedef struct keel_omap {
    const uint8_t *rec; /* n records */
    size_t n;
    uint64_t end; /* the last record covers [source(n-1), end) */
} keel_omap;

/* View `size` bytes of records at `data` (any table of OMAP-format
 * records: a PDB stream, an ELF section).  Checks: whole records, sources
 * non-decreasing, the last source at most `end` (at most 2^32), and that
 * no record's targets pass 2^32.  An empty table maps nothing. */
int keel_omap_view(keel_omap *m, const void *data, size_t size, uint64_t end, keel_error *err);

/* Record i (i < m->n). */
uint32_t keel_omap_source(const keel_omap *m, size_t i);
uint32_t keel_omap_target(const keel_omap *m, size_t i);

/* The target of `addr`: FOUND, UNMAPPED or ELIMINATED. */
int keel_omap_lookup(const keel_omap *m, uint32_t addr, uint32_t *out);

/* A piece of a range: [src, src_end) maps to [dst, dst_end). */
typedef struct keel_map_range {
    uint32_t src, dst;
    uint64_t src_end, dst_end; /* may be 2^32 */
} keel_map_range;

/* An iterator over [start, end) cut at every record boundary, in source
 * order, with the empty, eliminated and unmapped pieces left out. */
typedef struct keel_omap_ranges {
    const keel_omap *m;
    size_t i; /* the record holding pos, or (size_t)-1 before the first */
    uint64_t pos, end;
} keel_omap_ranges;

void keel_omap_ranges_begin(keel_omap_ranges *it, const keel_omap *m, uint64_t start, uint64_t end);
bool keel_omap_ranges_next(keel_omap_ranges *it, keel_map_range *out);

/* A PE section table (IMAGE_SECTION_HEADER, 40 bytes each), read in place. */
#define KEEL_MAP_SECTION_HEADER 40u

typedef struct keel_map_sections {
    const uint8_t *hdr;
    uint32_t n;
    uint64_t end; /* the end of the last section (virtual address + size) */
} keel_map_sections;

typedef struct keel_map_section {
    char name[9]; /* NUL-terminated (a full 8-byte name has no NUL in the file) */
    uint32_t virtual_size, virtual_address, raw_size, raw_offset, flags;
    uint32_t size; /* what the model uses: virtual_size, or raw_size where virtual_size is 0 */
} keel_map_section;

/* View `size` bytes of section headers.  Checks: whole headers, at most
 * 0xffff of them (section numbers are 16-bit, 1-based), virtual addresses
 * ascending and the sections not overlapping, no end past 2^32. */
int keel_map_sections_view(keel_map_sections *s, const void *data, size_t size, keel_error *err);

/* Section `number` (1-based, as PDB records number them): false for 0 or
 * a number past the table. */
bool keel_map_section_get(const keel_map_sections *s, uint32_t number, keel_map_section *out);

/* The four address spaces. */
enum keel_map_space {
    KEEL_MAP_OUTPUT = 0,        /* an RVA of the output */
    KEEL_MAP_ORIGINAL = 1,      /* an RVA before the rearrangement */
    KEEL_MAP_OUTPUT_SECT = 2,   /* section:offset against the output's section table */
    KEEL_MAP_ORIGINAL_SECT = 3, /* section:offset against the original section table (PDB records) */
};

typedef struct keel_map_addr {
    uint8_t space;    /* enum keel_map_space */
    uint16_t section; /* the *_SECT spaces: 1-based, 0 is null */
    uint32_t value;   /* the RVA, or the offset in the section */
} keel_map_addr;

enum keel_map_mode {
    KEEL_MAP_EMPTY = 0,    /* no section table: RVAs map to themselves, sections to nothing */
    KEEL_MAP_IDENTITY = 1, /* nothing was rearranged: one section table, serving both spaces */
    KEEL_MAP_OMAP = 2,     /* both section tables and both OMAP tables */
};

/* The fields are the views: a reader of another format (keel's ELF
 * address-map section, which stores OMAP-format records with their own
 * ends and no PE section tables) may fill them from keel_omap_view
 * directly, with mode KEEL_MAP_OMAP and empty section tables. */
typedef struct keel_map {
    int mode;
    keel_map_sections sections, original; /* identity: the same table twice */
    keel_omap to_original, to_output;     /* OMAP_TO_SRC and OMAP_FROM_SRC */
} keel_map;

/* Identity mode over one section table (EMPTY if it has none). */
void keel_map_identity(keel_map *m, const keel_map_sections *sections);

/* OMAP mode: the tables as views (data, size in bytes).  The end of each
 * OMAP table is the end of its source space (the last section's end, or
 * the last source if that is further). */
int keel_map_omap(keel_map *m, const keel_map_sections *sections, const keel_map_sections *original,
                  const void *to_original, size_t to_original_size, const void *to_output, size_t to_output_size,
                  keel_error *err);

/* Any address to any space: FOUND and *out, or why not. */
int keel_map_convert(const keel_map *m, keel_map_addr in, int to_space, keel_map_addr *out);

/* A short name for a keel_map_result ("eliminated", "no section"...). */
const char *keel_map_result_name(int result);

/* ------------------------------------------------------------ PDB files */

/* The DBI optional debug header's slots that the map uses. */
enum keel_pdb_dbg {
    KEEL_PDB_DBG_OMAP_TO_SRC = 3,
    KEEL_PDB_DBG_OMAP_FROM_SRC = 4,
    KEEL_PDB_DBG_SECTION_HDR = 5,
    KEEL_PDB_DBG_SECTION_HDR_ORIG = 10,
    KEEL_PDB_DBG_SLOTS = 11,
};
#define KEEL_PDB_NO_STREAM 0xffffu

/* An MSF 7.00 container and its DBI stream's debug header.  A view: the
 * stream directory and the streams are read through the block map in the
 * caller's buffer, nothing is copied at open. */
typedef struct keel_pdb {
    const uint8_t *data;
    size_t size;
    uint32_t block_size, num_blocks, dir_size, num_streams;
    const uint8_t *dir_blocks;        /* the block map: the directory's block numbers */
    uint16_t dbg[KEEL_PDB_DBG_SLOTS]; /* stream numbers, KEEL_PDB_NO_STREAM where absent */
} keel_pdb;

/* True if the buffer starts with the MSF 7.00 magic. */
bool keel_is_pdb(const void *data, size_t size);

/* Check the superblock, the block map, the stream directory (every block
 * number, every size) and read the DBI stream's header and optional
 * debug header. */
int keel_pdb_open(keel_pdb *p, const void *data, size_t size, keel_error *err);

/* The size of a stream (0 for a nil stream). */
int keel_pdb_stream_size(const keel_pdb *p, uint32_t stream, uint32_t *size, keel_error *err);

/* Copy bytes [off, off+len) of a stream into buf. */
int keel_pdb_stream_read(const keel_pdb *p, uint32_t stream, uint32_t off, void *buf, uint32_t len, keel_error *err);

/* The stream in place if its blocks follow one another in the file (then
 * the map reads it with no copy), else NULL. */
const void *keel_pdb_stream_view(const keel_pdb *p, uint32_t stream);

/* The bytes of scratch memory keel_pdb_address_map needs: the streams it
 * reads that are not contiguous in the file. */
int keel_pdb_map_scratch(const keel_pdb *p, size_t *bytes, keel_error *err);

/* The address map, as the PDB's debug header says: original section
 * headers present -> OMAP mode (both OMAP streams required); else
 * identity over the section headers; no headers at all -> EMPTY.  The map
 * points into the file and into scratch; both must outlive it. */
int keel_pdb_address_map(const keel_pdb *p, void *scratch, size_t scratch_size, keel_map *m, keel_error *err);

/* ------------------------------------------- keel's ELF address map */

/* The .keel.addrmap section keel's linker writes (docs/address-map-
 * section.md): the two OMAP tables over image-relative addresses (RVAs
 * from `base`), the output sections in both spaces, the input files and
 * every input section's identity and place in both spaces.  A view over
 * the section's bytes: keel_addrmap_open checks every count, offset,
 * string and sum once, so that the lookups below need no checks. */
#define KEEL_ADDRMAP_SECTION ".keel.addrmap"
#define KEEL_ADDRMAP_REORDERED 1u /* flags: input sections were moved (an ordering) */
#define KEEL_ADDRMAP_COLLECTED 2u /* flags: --gc-sections dropped input sections */

typedef struct keel_addrmap {
    const uint8_t *data;
    size_t size;
    uint32_t flags;
    uint64_t base; /* the virtual address RVA 0 stands for */
    keel_map map;  /* mode OMAP (empty PE section tables): the RVAs both ways */
    const uint8_t *sec, *files, *inputs, *by_original;
    uint32_t nsec, nfiles, ninputs;
    uint32_t nplaced; /* the first nplaced inputs have an output place, sorted by it */
    uint8_t sorted;   /* bit 0, bit 1: the section records are in address order in the output, original space */
    const char *strings;
    uint32_t strings_size;
} keel_addrmap;

/* An output section in both spaces. */
typedef struct keel_addrmap_section {
    const char *name;
    uint32_t index;               /* in the output's section headers */
    uint32_t rva, size;           /* output space */
    uint32_t orig_rva, orig_size; /* original space */
} keel_addrmap_section;

/* An input section: its identity and its place in either space. */
typedef struct keel_addrmap_input {
    const char *path;   /* the file, or the archive holding the member */
    const char *member; /* "" when not an archive member */
    const char *name;   /* the section's name, e.g. .text.foo */
    uint32_t section;   /* the output section's index in the section headers, 0: eliminated */
    uint32_t size, rva, orig_rva;
    bool placed, has_original; /* an output place; an original place */
} keel_addrmap_input;

/* View `size` bytes of a .keel.addrmap section (`data` need not be
 * aligned).  Errors name the structure and its offset in the section. */
int keel_addrmap_open(keel_addrmap *a, const void *data, size_t size, keel_error *err);

/* Output section record i (i < a->nsec). */
void keel_addrmap_section_get(const keel_addrmap *a, uint32_t i, keel_addrmap_section *out);

/* The output section record holding `rva` of a space (KEEL_MAP_OUTPUT or
 * KEEL_MAP_ORIGINAL): true and its number; by index: the record whose
 * output section index is `index`. */
bool keel_addrmap_section_at(const keel_addrmap *a, int space, uint32_t rva, uint32_t *i);
bool keel_addrmap_section_by_index(const keel_addrmap *a, uint32_t index, uint32_t *i);

/* Input section record i (i < a->ninputs). */
void keel_addrmap_input_get(const keel_addrmap *a, uint32_t i, keel_addrmap_input *out);

/* The input section holding `rva` of a space (binary search): true and
 * its number. */
bool keel_addrmap_input_at(const keel_addrmap *a, int space, uint32_t rva, uint32_t *i);

/* The next input section, from record `from` on, named `name` in the file
 * `path` (the path as recorded, or its last component) and archive member
 * `member` ("" or NULL: not a member): true and its number.  A linear
 * scan, as a place is looked up once. */
bool keel_addrmap_input_find(const keel_addrmap *a, uint32_t from, const char *path, const char *member,
                             const char *name, uint32_t *i);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
