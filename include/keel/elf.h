/*
 * keel/elf.h - the ELF reader.
 *
 * Zero-copy views over a buffer the caller owns (usually an mmap of the
 * file).  Nothing here allocates, performs I/O or needs libc: the library
 * builds with -ffreestanding and uses only memcpy/memset/memcmp, which every
 * freestanding C environment must provide.
 *
 * Every offset, size and count read from the buffer is checked (with
 * overflow-safe arithmetic) before it is used.  Functions that can fail
 * return 0 on success and a negative KEEL_E_* code on failure, filling the
 * caller's keel_error with a message that names the structure and the file
 * offset at fault.
 *
 * Values are returned in host byte order and widened to 64 bits, so callers
 * never care whether the file is ELF32 or ELF64, little- or big-endian.
 */
#ifndef KEEL_ELF_H
#define KEEL_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif
/* The public API: libkeel.so is built -fvisibility=hidden and exports
 * what is declared here, nothing else (tests/api_exports.t). */
#pragma GCC visibility push(default)

/* ---------------------------------------------------------------- errors */

/* One error model for the whole library: a call that fails returns a
 * negative code and fills a keel_error (code, file offset, a message in
 * GNU ld's words naming the file, the structure and the offset); the
 * error is a value, never printed (warnings go to keel/diag.h's
 * callback).  The code spaces:
 *   0 .. -99     keel_status below: the reader's own, and those the
 *                loader (keel/load.h) and the link-editor (keel/link.h)
 *                return too, in the same senses (an undefined reference
 *                is KEEL_E_INDEX, a multiple definition KEEL_E_FORMAT,
 *                in both; I/O and memory are KEEL_E_IO and KEEL_E_NOMEM);
 *   -100 .. -199 keel_exec_status (keel/exec.h): the executable
 *                interpreter's verdicts on an image;
 *   anything else a client callback's own value, passed back unchanged
 *                (keel/exec.h's read callbacks).
 * keel_status_name and keel_exec_status_name name them. */
enum keel_status {
    KEEL_OK = 0,
    KEEL_E_NOT_ELF = -1,     /* no ELF (or ar) magic */
    KEEL_E_TRUNCATED = -2,   /* a structure runs past the end of the data */
    KEEL_E_UNSUPPORTED = -3, /* a class, byte order or version we do not know */
    KEEL_E_RANGE = -4,       /* an offset/size/count is out of range or overflows */
    KEEL_E_INDEX = -5,       /* an index (section, symbol, string) is out of range */
    KEEL_E_FORMAT = -6,      /* a field has a value the format forbids */
    KEEL_E_LINK = -7,        /* sh_link/sh_info names the wrong kind of section */
    KEEL_E_CALLBACK = -8,    /* reserved for clients (exec, load) */
    KEEL_E_NOMEM = -9,       /* reserved for clients that allocate */
    KEEL_E_IO = -10,         /* reserved for clients that do I/O */
};

#define KEEL_ERROR_MSG_MAX 400 /* room for "lib.a(member.o):(.text.name+0x12): ..." */

/* An error as a value.  `offset` is the file offset (relative to the start
 * of the buffer given to the reader) of the structure at fault; `msg` says
 * which structure and what is wrong with it, and already contains the
 * offset. */
typedef struct keel_error {
    int code;
    uint64_t offset;
    char msg[KEEL_ERROR_MSG_MAX];
} keel_error;

/* A short, static name for a status code ("truncated", "out of range"...). */
const char *keel_status_name(int code);

/* Fill `err` (if not NULL) and return `code`.  Format directives:
 * %s (const char *), %U (uint64_t, decimal), %X (uint64_t, 0x-hex).
 * Only these three, so that the formatter stays small and freestanding;
 * pass every number as uint64_t. */
int keel_error_set(keel_error *err, int code, uint64_t offset, const char *fmt, ...);

/* ---------------------------------------------------------------- files */

/* ELF class and byte order as in e_ident (ELFCLASS32/64, ELFDATA2LSB/MSB). */
typedef struct keel_elf {
    const uint8_t *data;
    uint64_t size;

    uint8_t elfclass;  /* 1 = ELF32, 2 = ELF64 */
    uint8_t byteorder; /* 1 = little-endian, 2 = big-endian */
    uint8_t osabi;
    uint8_t abiversion;
    uint8_t ident_version;
    uint16_t type;    /* e_type */
    uint16_t machine; /* e_machine */
    uint32_t version; /* e_version */
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t shentsize;

    /* After extended numbering (e_shnum == 0, e_shstrndx == SHN_XINDEX,
     * e_phnum == PN_XNUM) has been resolved through section header 0. */
    uint32_t phnum;
    uint32_t shnum;
    uint32_t shstrndx;
    /* The raw header fields, for a faithful display. */
    uint16_t e_phnum;
    uint16_t e_shnum;
    uint16_t e_shstrndx;

    /* Section-name string table (empty if there is none). */
    const char *shstrtab;
    uint64_t shstrtab_size;
} keel_elf;

/* True if the buffer starts with the ELF magic. */
bool keel_is_elf(const void *data, size_t size);

/* Parse and validate the file header, the section and program header tables'
 * placement, extended numbering and the section-name string table. */
int keel_elf_open(keel_elf *elf, const void *data, size_t size, keel_error *err);

/* Decode only the file header (e_ident and the ELF header fields) from a
 * buffer holding at least its first bytes; the header tables are not
 * located or checked.  For readers that fetch the rest piecewise (the
 * executable interpreter). */
int keel_elf_parse_header(keel_elf *elf, const void *header, size_t size, keel_error *err);

static inline bool keel_elf_is64(const keel_elf *e) { return e->elfclass == 2; }

/* ------------------------------------------------------------- sections */

typedef struct keel_shdr {
    uint32_t name;
    uint32_t type;
    uint64_t flags;
    uint64_t addr;
    uint64_t offset;
    uint64_t size;
    uint32_t link;
    uint32_t info;
    uint64_t addralign;
    uint64_t entsize;
} keel_shdr;

/* Section header `index` (0 <= index < shnum). */
int keel_elf_shdr(const keel_elf *elf, uint32_t index, keel_shdr *out, keel_error *err);

/* The section's name from the section-name string table. */
int keel_elf_section_name(const keel_elf *elf, const keel_shdr *sh, const char **name, keel_error *err);

/* The section's bytes in the file.  SHT_NOBITS gives (NULL, 0). */
int keel_elf_section_data(const keel_elf *elf, const keel_shdr *sh, const uint8_t **data, uint64_t *size,
                          keel_error *err);

/* Find a section by name; returns its index, 0 if not found. */
uint32_t keel_elf_find_section(const keel_elf *elf, const char *name);

/* SHF_COMPRESSED: the compression header at the start of the section. */
typedef struct keel_chdr {
    uint32_t type;        /* ELFCOMPRESS_ZLIB = 1, ELFCOMPRESS_ZSTD = 2 */
    uint64_t size;        /* uncompressed size */
    uint64_t addralign;   /* uncompressed alignment */
    uint64_t header_size; /* bytes the header occupies before the payload */
} keel_chdr;

int keel_elf_chdr(const keel_elf *elf, const keel_shdr *sh, keel_chdr *out, keel_error *err);

/* SHT_GROUP: the flag word and the member section indices. */
typedef struct keel_group {
    const keel_elf *elf;
    uint32_t flags;            /* GRP_COMDAT = 1 */
    uint32_t count;            /* number of members */
    const uint8_t *words;      /* member words (in file byte order) */
    uint32_t signature_symtab; /* sh_link: the symbol table */
    uint32_t signature_sym;    /* sh_info: the signature symbol */
} keel_group;

int keel_elf_group(const keel_elf *elf, uint32_t section, keel_group *out, keel_error *err);
uint32_t keel_group_member(const keel_group *g, uint32_t i);

/* ------------------------------------------------------------- segments */

typedef struct keel_phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
} keel_phdr;

int keel_elf_phdr(const keel_elf *elf, uint32_t index, keel_phdr *out, keel_error *err);
/* Decode one program header entry from raw bytes in the file's class and
 * byte order (phentsize bytes at p, already checked by the caller). */
void keel_elf_decode_phdr(const keel_elf *elf, const uint8_t *p, keel_phdr *out);

/* The bytes of a segment's file image (filesz bytes at offset). */
int keel_elf_segment_data(const keel_elf *elf, const keel_phdr *ph, const uint8_t **data, uint64_t *size,
                          keel_error *err);

/* Whether a section belongs to a segment, by the rule binutils uses for its
 * section-to-segment mapping (file placement, and address placement for
 * SHF_ALLOC sections; empty sections at a segment's end excluded;
 * .tbss only in PT_TLS / PT_GNU_RELRO). */
bool keel_section_in_segment(const keel_shdr *sh, const keel_phdr *ph);

/* ------------------------------------------------------- string tables */

typedef struct keel_strtab {
    const char *data;
    uint64_t size;
    uint64_t offset; /* file offset, for messages */
    bool terminated; /* last byte is NUL: any index < size is a string */
} keel_strtab;

int keel_elf_strtab(const keel_elf *elf, uint32_t section, keel_strtab *out, keel_error *err);
int keel_strtab_get(const keel_strtab *st, uint64_t index, const char **out, keel_error *err);

/* -------------------------------------------------------- symbol tables */

typedef struct keel_sym {
    uint32_t name;
    uint8_t info;
    uint8_t other;
    uint16_t raw_shndx; /* st_shndx as stored */
    uint32_t shndx;     /* resolved through SHT_SYMTAB_SHNDX when SHN_XINDEX */
    uint64_t value;
    uint64_t size;
} keel_sym;

#define KEEL_ST_BIND(info) ((uint8_t)((info) >> 4))
#define KEEL_ST_TYPE(info) ((uint8_t)((info)&0xf))
#define KEEL_ST_VISIBILITY(other) ((uint8_t)((other)&0x3))

typedef struct keel_symtab {
    const keel_elf *elf;
    uint32_t section; /* the SHT_SYMTAB / SHT_DYNSYM section */
    const uint8_t *data;
    uint64_t offset;
    uint64_t count;
    uint64_t entsize;
    uint32_t first_global; /* sh_info */
    keel_strtab strings;
    const uint8_t *xindex; /* SHT_SYMTAB_SHNDX words, or NULL */
    uint64_t xindex_count;
} keel_symtab;

int keel_elf_symtab(const keel_elf *elf, uint32_t section, keel_symtab *out, keel_error *err);
int keel_symtab_get(const keel_symtab *tab, uint64_t index, keel_sym *out, keel_error *err);
int keel_symtab_name(const keel_symtab *tab, const keel_sym *sym, const char **out, keel_error *err);

/* Symbol versioning (SHT_GNU_versym / verdef / verneed) for a dynamic symbol
 * table. */
typedef struct keel_versions {
    const keel_elf *elf;
    const uint8_t *versym; /* one 16-bit entry per symbol, or NULL */
    uint64_t versym_count;
    const uint8_t *verdef; /* SHT_GNU_verdef contents, or NULL */
    uint64_t verdef_size;
    uint64_t verdef_offset;
    uint32_t verdef_num; /* sh_info: number of entries */
    const uint8_t *verneed;
    uint64_t verneed_size;
    uint64_t verneed_offset;
    uint32_t verneed_num;
    keel_strtab strings; /* the strings the version entries name */
} keel_versions;

enum keel_version_kind {
    KEEL_VER_NONE = 0, /* no version (local, global or no table) */
    KEEL_VER_DEFAULT,  /* defined here, default: name@@VER */
    KEEL_VER_HIDDEN,   /* defined here, non-default: name@VER */
    KEEL_VER_NEEDED,   /* required from another object: name@VER (index) */
};

typedef struct keel_symver {
    int kind;         /* enum keel_version_kind */
    uint16_t index;   /* the versym value without the hidden bit */
    const char *name; /* NULL for KEEL_VER_NONE */
} keel_symver;

/* Locate the version tables that belong to dynamic symbol table `symtab`.
 * A file without versioning gives an empty (all NULL) view. */
int keel_elf_versions(const keel_elf *elf, uint32_t symtab, keel_versions *out, keel_error *err);
/* The version of symbol `index` (with `sym` its entry), as binutils shows it. */
int keel_versions_get(const keel_versions *v, uint64_t index, const keel_sym *sym, keel_symver *out, keel_error *err);

/* ----------------------------------------------------------- relocations */

typedef struct keel_rel {
    uint64_t offset;
    uint64_t info;
    int64_t addend; /* 0 for REL */
    uint32_t sym;
    uint32_t type;
} keel_rel;

typedef struct keel_relocs {
    const keel_elf *elf;
    uint32_t section;
    uint32_t kind; /* SHT_REL, SHT_RELA or SHT_RELR */
    const uint8_t *data;
    uint64_t offset;
    uint64_t count; /* entries (for RELR: words) */
    uint64_t entsize;
    uint32_t symtab; /* sh_link (0 if none) */
    uint32_t target; /* sh_info: the section the relocations apply to */
} keel_relocs;

int keel_elf_relocs(const keel_elf *elf, uint32_t section, keel_relocs *out, keel_error *err);
/* REL/RELA entry `index`. */
void keel_relocs_get(const keel_relocs *r, uint64_t index, keel_rel *out);
/* RELR word `index`. */
uint64_t keel_relr_word(const keel_relocs *r, uint64_t index);

/* Decodes a RELR table into the addresses it relocates. */
typedef struct keel_relr_iter {
    const keel_relocs *r;
    uint64_t word;    /* next word to read */
    uint64_t base;    /* address following the last address entry */
    uint64_t bitmap;  /* pending bits of the current bitmap word */
    uint64_t bitbase; /* address of bit 1 of the current bitmap */
    bool started;
} keel_relr_iter;

void keel_relr_begin(keel_relr_iter *it, const keel_relocs *r);
/* Next relocated address: 1 and *addr set, or 0 at the end, or an error
 * (a bitmap word before any address word). */
int keel_relr_next(keel_relr_iter *it, uint64_t *addr, keel_error *err);

/* ------------------------------------------------------------------ notes */

typedef struct keel_note {
    const char *name; /* NUL-terminated (checked), or "" when namesz is 0 */
    uint32_t namesz;
    uint32_t type;
    const uint8_t *desc;
    uint32_t descsz;
    uint64_t offset; /* file offset of the note header */
} keel_note;

typedef struct keel_note_iter {
    const keel_elf *elf;
    const uint8_t *data;
    uint64_t size;
    uint64_t pos;
    uint64_t base_offset;
    uint64_t align; /* 4 or 8 */
} keel_note_iter;

/* Iterate the notes of a section (SHT_NOTE) or a segment (PT_NOTE). */
int keel_elf_notes_section(const keel_elf *elf, const keel_shdr *sh, keel_note_iter *it, keel_error *err);
int keel_elf_notes_segment(const keel_elf *elf, const keel_phdr *ph, keel_note_iter *it, keel_error *err);
/* 1 and *out filled, 0 at the end, or an error. */
int keel_note_next(keel_note_iter *it, keel_note *out, keel_error *err);

/* ---------------------------------------------------------------- dynamic */

typedef struct keel_dynamic {
    const keel_elf *elf;
    const uint8_t *data;
    uint64_t offset;
    uint64_t count; /* entries up to and including DT_NULL (or all) */
    uint64_t entsize;
    keel_strtab strings; /* from the section's sh_link, may be empty */
} keel_dynamic;

typedef struct keel_dyn {
    int64_t tag;
    uint64_t val;
} keel_dyn;

/* From the SHT_DYNAMIC section if there is one, else from PT_DYNAMIC.
 * Returns 0 with count 0 when the file has no dynamic section. */
int keel_elf_dynamic(const keel_elf *elf, keel_dynamic *out, keel_error *err);
void keel_dynamic_get(const keel_dynamic *d, uint64_t index, keel_dyn *out);

/* --------------------------------------------------------------- archives */

typedef struct keel_ar {
    const uint8_t *data;
    uint64_t size;
    bool thin;
    const char *long_names; /* GNU "//" member */
    uint64_t long_names_size;
    uint64_t long_names_offset;
    const uint8_t *symtab; /* GNU "/" or "/SYM64/", or BSD "__.SYMDEF" */
    uint64_t symtab_size;
    uint64_t symtab_offset;
    int symtab_kind;       /* enum keel_ar_symtab_kind */
    uint64_t first_member; /* offset of the first header after the magic */
} keel_ar;

enum keel_ar_symtab_kind {
    KEEL_AR_SYMTAB_NONE = 0,
    KEEL_AR_SYMTAB_GNU32, /* "/": big-endian 32-bit count and offsets */
    KEEL_AR_SYMTAB_GNU64, /* "/SYM64/": big-endian 64-bit */
    KEEL_AR_SYMTAB_BSD,   /* "__.SYMDEF" (also " SORTED"): ranlib structs */
    KEEL_AR_SYMTAB_BSD64, /* "__.SYMDEF_64" */
};

typedef struct keel_ar_member {
    const char *name; /* not NUL-terminated: use name_len */
    uint32_t name_len;
    uint64_t header_offset; /* offset of the 60-byte member header */
    const uint8_t *data;    /* NULL for thin archive members */
    uint64_t data_offset;
    uint64_t size; /* size field (the external file's, if thin) */
    uint32_t mode;
    uint64_t date;
    uint32_t uid;
    uint32_t gid;
    bool special; /* "/", "//", "/SYM64/", "__.SYMDEF*" */
} keel_ar_member;

bool keel_is_archive(const void *data, size_t size);
int keel_ar_open(keel_ar *ar, const void *data, size_t size, keel_error *err);

/* Member iteration: start with *pos = 0; each call returns 1 and the next
 * member (special members included, marked), 0 at the end, or an error. */
int keel_ar_next(const keel_ar *ar, uint64_t *pos, keel_ar_member *out, keel_error *err);

/* The archive symbol table: count, and entry i as (name, member header
 * offset).  Names are NUL-terminated inside the table (checked). */
typedef struct keel_ar_symbols {
    const keel_ar *ar;
    uint64_t count;
    const uint8_t *offsets; /* the offset (or ranlib) array */
    const char *names;
    uint64_t names_size;
    uint64_t next_name; /* sequential cursor into names (GNU) */
    uint64_t next_index;
} keel_ar_symbols;

int keel_ar_symbols_begin(const keel_ar *ar, keel_ar_symbols *out, keel_error *err);
/* 1 with name and member offset, 0 at the end, or an error. */
int keel_ar_symbols_next(keel_ar_symbols *s, const char **name, uint64_t *member, keel_error *err);

/* ------------------------------------------------------------------ names */

/* Names in the ELF specification's own words: section types as the seed
 * document (and the GNU/LLVM extensions) name them, in lower case without
 * the SHT_ prefix ("progbits", "nobits", "gnu_hash", "llvm_addrsig"); flag
 * names without the SHF_ prefix ("WRITE", "ALLOC", "EXECINSTR").  Unknown
 * values give NULL; the caller shows the number. */
const char *keel_section_type_name(uint32_t type, uint16_t machine);
const char *keel_section_flag_name(uint64_t bit, uint16_t machine);
/* Write the set flag names joined by '|' (unknown bits in hex); returns the
 * length written, always NUL-terminating when n > 0. */
size_t keel_section_flags_string(uint64_t flags, uint16_t machine, char *buf, size_t n);

/* Segment, symbol, dynamic-tag, file-type, machine and relocation names in
 * the forms readelf prints ("LOAD", "GNU_STACK", "FUNC", "GLOBAL", "NEEDED",
 * "R_X86_64_PC32"); NULL when unknown. */
const char *keel_segment_type_name(uint32_t type, uint16_t machine);
const char *keel_symbol_type_name(uint8_t type, uint8_t osabi, uint16_t machine);
const char *keel_symbol_bind_name(uint8_t bind, uint8_t osabi);
const char *keel_symbol_visibility_name(uint8_t vis);
const char *keel_dynamic_tag_name(int64_t tag, uint16_t machine);
const char *keel_file_type_name(uint16_t type);
const char *keel_machine_name(uint16_t machine);
const char *keel_osabi_name(uint8_t osabi);
const char *keel_reloc_type_name(uint16_t machine, uint32_t type);
const char *keel_note_type_name(const char *owner, uint32_t type, uint16_t file_type);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif /* KEEL_ELF_H */
