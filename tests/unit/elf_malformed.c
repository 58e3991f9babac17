/*
 * Malformed ELF files and ar archives: the reader must report every defect
 * as its specific error, with a message that names the file offset, and
 * must never crash.
 *
 * The corpus is generated here, in memory, so that no binary files live in
 * the repository: a small ELF writer builds valid images (ELF64 little-
 * endian and ELF32 big-endian) holding every structure the reader knows,
 * and each case mutates a copy.  Expected offsets come from the writer's
 * layout, so every case runs against both images.  Each image is handed to
 * the reader as a heap copy of exactly its size, so that ASan (make SAN=1)
 * sees any read past the end.
 *
 * "Walk everything" is fuzz/walk.h, shared with the fuzzer: a case passes
 * when the walk's first error has the expected code, its message contains
 * the expected offset in 0x-hex, err.offset is that offset, and no API
 * promise was broken.  Cases marked TODO document reader defects that are
 * known and reported; they do not fail the run.
 *
 * Output: TAP.  With KEEL_SEED_DIR set, the valid images and archives are
 * also written there, as seeds for the fuzzer (fuzz/run.sh).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <keel/elf.h>

#include "../../fuzz/walk.h"

/* ================================================================== TAP */

/* Test points are buffered so that the plan line can come first. */
static struct {
    char *buf;
    size_t len, cap;
    int n, failed;
} tap;

static void tap_vadd(const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    int need = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (need < 0)
        abort();
    if (tap.len + (size_t)need + 1 > tap.cap) {
        size_t cap = tap.cap ? tap.cap : 1 << 16;
        while (cap < tap.len + (size_t)need + 1)
            cap *= 2;
        char *p = realloc(tap.buf, cap);
        if (!p)
            abort();
        tap.buf = p;
        tap.cap = cap;
    }
    vsnprintf(tap.buf + tap.len, tap.cap - tap.len, fmt, ap);
    tap.len += (size_t)need;
}

static void tap_add(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tap_vadd(fmt, ap);
    va_end(ap);
}

/* One test point.  A TODO point documents a known reader defect and does
 * not fail the run (prove reports it if it starts passing). */
static bool tap_point(bool ok, const char *todo, const char *fmt, ...)
{
    va_list ap;
    tap.n++;
    tap_add("%s %d - ", ok ? "ok" : "not ok", tap.n);
    va_start(ap, fmt);
    tap_vadd(fmt, ap);
    va_end(ap);
    if (todo)
        tap_add(" # TODO %s", todo);
    tap_add("\n");
    if (!ok && !todo)
        tap.failed++;
    return ok;
}

static void tap_diag(const char *fmt, ...)
{
    va_list ap;
    tap_add("#   ");
    va_start(ap, fmt);
    tap_vadd(fmt, ap);
    va_end(ap);
    tap_add("\n");
}

static int tap_finish(void)
{
    printf("1..%d\n", tap.n);
    fwrite(tap.buf, 1, tap.len, stdout);
    free(tap.buf);
    return tap.failed ? 1 : 0;
}

/* ========================================================= ELF writer */

/* Constants, spelled out so the test does not depend on the host's <elf.h>
 * knowing the newer ones (SHT_RELR). */
enum {
    SHT_PROGBITS_ = 1,
    SHT_SYMTAB_ = 2,
    SHT_STRTAB_ = 3,
    SHT_RELA_ = 4,
    SHT_DYNAMIC_ = 6,
    SHT_NOTE_ = 7,
    SHT_NOBITS_ = 8,
    SHT_DYNSYM_ = 11,
    SHT_GROUP_ = 17,
    SHT_SYMTAB_SHNDX_ = 18,
    SHT_RELR_ = 19,
    SHT_GNU_VERDEF_ = 0x6ffffffd,
    SHT_GNU_VERNEED_ = 0x6ffffffe,
    SHT_GNU_VERSYM_ = 0x6fffffff,
    SHF_WRITE_ = 1,
    SHF_ALLOC_ = 2,
    SHF_EXECINSTR_ = 4,
    SHF_INFO_LINK_ = 0x40,
    SHF_GROUP_ = 0x200,
    SHF_COMPRESSED_ = 0x800,
    PT_LOAD_ = 1,
    PT_DYNAMIC_ = 2,
    PT_NOTE_ = 4,
    STB_LOCAL_ = 0,
    STB_GLOBAL_ = 1,
    STT_OBJECT_ = 1,
    STT_FUNC_ = 2,
    STT_SECTION_ = 3,
    DT_NULL_ = 0,
    DT_NEEDED_ = 1,
    DT_STRTAB_ = 5,
    DT_STRSZ_ = 10,
    GRP_COMDAT_ = 1,
    ELFCOMPRESS_ZLIB_ = 1,
    VER_FLG_BASE_ = 1,
    SHN_XINDEX_ = 0xffff,
    PN_XNUM_ = 0xffff,
    EM_X86_64_ = 62,
    EM_PPC_ = 20,
};

/* The sections of the generated image, in section-header order. */
enum {
    S_NULL,
    S_TEXT,
    S_DATA,
    S_NOTE,
    S_DYNAMIC,
    S_DYNSTR,
    S_SYMTAB,
    S_STRTAB,
    S_RELA,
    S_RELR,
    S_GROUP,
    S_TEXTGRP,
    S_DEBUGZ,
    S_DYNSYM,
    S_VERSYM,
    S_VERDEF,
    S_VERNEED,
    S_SHNDX,
    S_SHSTRTAB,
    NSEC
};
enum { P_LOAD, P_NOTE, P_DYNAMIC, NPH };
enum { SYM_NULL, SYM_SECTION, SYM_LOC, SYM_MAIN, SYM_SIG, NSYM };

static const struct {
    const char *name;
    uint32_t type;
    uint64_t flags;
    uint32_t link, info;
} SECS[NSEC] = {
    [S_NULL] = {"", 0, 0, 0, 0},
    [S_TEXT] = {".text", SHT_PROGBITS_, SHF_ALLOC_ | SHF_EXECINSTR_, 0, 0},
    [S_DATA] = {".data", SHT_PROGBITS_, SHF_ALLOC_ | SHF_WRITE_, 0, 0},
    [S_NOTE] = {".note.test", SHT_NOTE_, SHF_ALLOC_, 0, 0},
    [S_DYNAMIC] = {".dynamic", SHT_DYNAMIC_, SHF_ALLOC_ | SHF_WRITE_, S_DYNSTR, 0},
    [S_DYNSTR] = {".dynstr", SHT_STRTAB_, SHF_ALLOC_, 0, 0},
    [S_SYMTAB] = {".symtab", SHT_SYMTAB_, 0, S_STRTAB, SYM_MAIN},
    [S_STRTAB] = {".strtab", SHT_STRTAB_, 0, 0, 0},
    [S_RELA] = {".rela.text", SHT_RELA_, SHF_INFO_LINK_, S_SYMTAB, S_TEXT},
    [S_RELR] = {".relr.dyn", SHT_RELR_, SHF_ALLOC_, 0, 0},
    [S_GROUP] = {".group", SHT_GROUP_, 0, S_SYMTAB, SYM_SIG},
    [S_TEXTGRP] = {".text.grp", SHT_PROGBITS_, SHF_ALLOC_ | SHF_EXECINSTR_ | SHF_GROUP_, 0, 0},
    [S_DEBUGZ] = {".debug_z", SHT_PROGBITS_, SHF_COMPRESSED_, 0, 0},
    [S_DYNSYM] = {".dynsym", SHT_DYNSYM_, SHF_ALLOC_, S_DYNSTR, 1},
    [S_VERSYM] = {".gnu.version", SHT_GNU_VERSYM_, SHF_ALLOC_, S_DYNSYM, 0},
    [S_VERDEF] = {".gnu.version_d", SHT_GNU_VERDEF_, SHF_ALLOC_, S_DYNSTR, 2},
    [S_VERNEED] = {".gnu.version_r", SHT_GNU_VERNEED_, SHF_ALLOC_, S_DYNSTR, 1},
    [S_SHNDX] = {".symtab_shndx", SHT_SYMTAB_SHNDX_, 0, S_SYMTAB, 0},
    [S_SHSTRTAB] = {".shstrtab", SHT_STRTAB_, 0, 0, 0},
};

/* String tables; sizeof counts the final NUL. */
static const char strtab_s[] = "\0loc\0main\0grp_sig";
static const char dynstr_s[] = "\0libc.so.6\0puts\0GLIBC_2.2.5\0libt.so\0V1\0foo";

enum {
    IMG_MAX = 8192,
    VBASE = 0x10000,     /* address of file offset 0 in PT_LOAD */
    RELR_ADDR = 0x20000, /* the first address the RELR section relocates */
    CHDR_SIZE = 100,     /* the uncompressed size .debug_z claims */
    NOTE1_SIZE = 24,     /* the first note: 12 + "GNU\0" + 8-byte build id */
    VERDEF_SIZE = 28,    /* one Verdef with its Verdaux */
};

/* Offset of string `s` in a NUL-separated table. */
static uint32_t str_at(const char *tab, size_t size, const char *s)
{
    for (size_t i = 1; i < size; i++)
        if (tab[i - 1] == 0 && strcmp(tab + i, s) == 0)
            return (uint32_t)i;
    fprintf(stderr, "test bug: no string %s\n", s);
    abort();
}
#define STR(tab, s) str_at(tab, sizeof tab, s)

typedef struct image {
    uint8_t b[IMG_MAX];
    size_t size;
    bool is64, be;
} image;

/* Store v as `width` bytes in the image's byte order. */
static void put(image *im, uint64_t off, unsigned width, uint64_t v)
{
    if (off > IMG_MAX || width > IMG_MAX - off) {
        fprintf(stderr, "test bug: write at 0x%llx past the image buffer\n", (unsigned long long)off);
        abort();
    }
    for (unsigned i = 0; i < width; i++)
        im->b[off + i] = (uint8_t)(v >> (8 * (im->be ? width - 1 - i : i)));
}

/* A header field: offset and width in ELF64 and in ELF32. */
typedef struct field {
    uint8_t off64, len64, off32, len32;
} field;

enum ehdr_field {
    EH_ENTRY,
    EH_PHOFF,
    EH_SHOFF,
    EH_FLAGS,
    EH_EHSIZE,
    EH_PHENTSIZE,
    EH_PHNUM,
    EH_SHENTSIZE,
    EH_SHNUM,
    EH_SHSTRNDX
};
static const field ehdr_fields[] = {
    [EH_ENTRY] = {24, 8, 24, 4},    [EH_PHOFF] = {32, 8, 28, 4},     [EH_SHOFF] = {40, 8, 32, 4},
    [EH_FLAGS] = {48, 4, 36, 4},    [EH_EHSIZE] = {52, 2, 40, 2},    [EH_PHENTSIZE] = {54, 2, 42, 2},
    [EH_PHNUM] = {56, 2, 44, 2},    [EH_SHENTSIZE] = {58, 2, 46, 2}, [EH_SHNUM] = {60, 2, 48, 2},
    [EH_SHSTRNDX] = {62, 2, 50, 2},
};
enum shdr_field { SH_NAME, SH_TYPE, SH_FLAGS, SH_ADDR, SH_OFFSET, SH_SIZE, SH_LINK, SH_INFO, SH_ALIGN, SH_ENTSIZE };
static const field shdr_fields[] = {
    [SH_NAME] = {0, 4, 0, 4},     [SH_TYPE] = {4, 4, 4, 4},      [SH_FLAGS] = {8, 8, 8, 4},  [SH_ADDR] = {16, 8, 12, 4},
    [SH_OFFSET] = {24, 8, 16, 4}, [SH_SIZE] = {32, 8, 20, 4},    [SH_LINK] = {40, 4, 24, 4}, [SH_INFO] = {44, 4, 28, 4},
    [SH_ALIGN] = {48, 8, 32, 4},  [SH_ENTSIZE] = {56, 8, 36, 4},
};
enum phdr_field { PH_TYPE, PH_FLAGS, PH_OFFSET, PH_VADDR, PH_PADDR, PH_FILESZ, PH_MEMSZ, PH_ALIGN };
static const field phdr_fields[] = {
    [PH_TYPE] = {0, 4, 0, 4},    [PH_FLAGS] = {4, 4, 24, 4},   [PH_OFFSET] = {8, 8, 4, 4},  [PH_VADDR] = {16, 8, 8, 4},
    [PH_PADDR] = {24, 8, 12, 4}, [PH_FILESZ] = {32, 8, 16, 4}, [PH_MEMSZ] = {40, 8, 20, 4}, [PH_ALIGN] = {48, 8, 28, 4},
};
enum sym_field { ST_NAME, ST_INFO, ST_SHNDX, ST_VALUE };
static const field sym_fields[] = {
    [ST_NAME] = {0, 4, 0, 4},
    [ST_INFO] = {4, 1, 12, 1},
    [ST_SHNDX] = {6, 2, 14, 2},
    [ST_VALUE] = {8, 8, 4, 4},
};

static void set_field(image *im, uint64_t base, field f, uint64_t v)
{
    put(im, base + (im->is64 ? f.off64 : f.off32), im->is64 ? f.len64 : f.len32, v);
}

/* A generated image and where the writer put everything. */
typedef struct elfimg {
    image im;
    char tag[40];
    uint64_t ehsize, phentsize, shentsize, symentsize, word;
    uint64_t phoff, shoff, data_end;
    uint64_t off[NSEC], size[NSEC], addr[NSEC];
    uint32_t name[NSEC];
} elfimg;

/* The largest value a word field of the class holds. */
static uint64_t word_max(const elfimg *g) { return g->im.is64 ? UINT64_MAX : UINT32_MAX; }

static void set_eh(elfimg *g, enum ehdr_field f, uint64_t v) { set_field(&g->im, 0, ehdr_fields[f], v); }

/* Where a bad sh_link is reported: the sh_link field of the linking
 * section's header. */
static uint64_t link_at(const elfimg *g, uint32_t sec);

static uint64_t shdr_at(const elfimg *g, uint32_t sec) { return g->shoff + sec * g->shentsize; }

static void set_sh(elfimg *g, uint32_t sec, enum shdr_field f, uint64_t v)
{
    set_field(&g->im, shdr_at(g, sec), shdr_fields[f], v);
}

static void set_ph(elfimg *g, uint32_t ph, enum phdr_field f, uint64_t v)
{
    set_field(&g->im, g->phoff + ph * g->phentsize, phdr_fields[f], v);
}

static uint64_t sym_at(const elfimg *g, uint32_t sec, uint32_t sym) { return g->off[sec] + sym * g->symentsize; }

static void set_sym(elfimg *g, uint32_t sec, uint32_t sym, enum sym_field f, uint64_t v)
{
    set_field(&g->im, sym_at(g, sec, sym), sym_fields[f], v);
}

/* Store into a section's contents, `rel` bytes from its start. */
static void set_in(elfimg *g, uint32_t sec, uint64_t rel, unsigned width, uint64_t v)
{
    put(&g->im, g->off[sec] + rel, width, v);
}

/* ------------------------------------------------- section contents */

typedef struct chunk {
    uint8_t b[512];
    size_t n;
    bool is64, be;
} chunk;

static void c_put(chunk *c, unsigned width, uint64_t v)
{
    if (c->n + width > sizeof c->b)
        abort();
    for (unsigned i = 0; i < width; i++)
        c->b[c->n + i] = (uint8_t)(v >> (8 * (c->be ? width - 1 - i : i)));
    c->n += width;
}

static void c_word(chunk *c, uint64_t v) { c_put(c, c->is64 ? 8 : 4, v); }

static void c_bytes(chunk *c, const void *p, size_t n)
{
    if (c->n + n > sizeof c->b)
        abort();
    memcpy(c->b + c->n, p, n);
    c->n += n;
}

static void c_fill(chunk *c, uint8_t byte, size_t n)
{
    while (n--)
        c_put(c, 1, byte);
}

static void c_align4(chunk *c)
{
    while (c->n % 4)
        c_put(c, 1, 0);
}

static void c_sym(chunk *c, uint32_t name, uint8_t info, uint16_t shndx, uint64_t value, uint64_t size)
{
    c_put(c, 4, name);
    if (c->is64) {
        c_put(c, 1, info);
        c_put(c, 1, 0);
        c_put(c, 2, shndx);
        c_put(c, 8, value);
        c_put(c, 8, size);
    } else {
        c_put(c, 4, value);
        c_put(c, 4, size);
        c_put(c, 1, info);
        c_put(c, 1, 0);
        c_put(c, 2, shndx);
    }
}

static void c_rela(chunk *c, uint64_t offset, uint32_t sym, uint32_t type, int64_t addend)
{
    c_word(c, offset);
    c_word(c, c->is64 ? (uint64_t)sym << 32 | type : (uint64_t)sym << 8 | type);
    c_word(c, (uint64_t)addend);
}

static void c_note(chunk *c, const char *name, uint32_t type, const uint8_t *desc, uint32_t descsz)
{
    c_put(c, 4, strlen(name) + 1);
    c_put(c, 4, descsz);
    c_put(c, 4, type);
    c_bytes(c, name, strlen(name) + 1);
    c_align4(c);
    c_bytes(c, desc, descsz);
    c_align4(c);
}

/* Verdef (version 1, one Verdaux) followed by its Verdaux. */
static void c_verdef(chunk *c, uint16_t ndx, uint16_t flags, uint32_t name, uint32_t next)
{
    c_put(c, 2, 1);
    c_put(c, 2, flags);
    c_put(c, 2, ndx);
    c_put(c, 2, 1);
    c_put(c, 4, 0);
    c_put(c, 4, 20);
    c_put(c, 4, next);
    c_put(c, 4, name);
    c_put(c, 4, 0);
}

/* The section-name table; records each section's sh_name. */
static void c_shstrtab(chunk *c, uint32_t name[NSEC])
{
    c_put(c, 1, 0);
    for (int s = 1; s < NSEC; s++) {
        if (name)
            name[s] = (uint32_t)c->n;
        c_bytes(c, SECS[s].name, strlen(SECS[s].name) + 1);
    }
}

/* Relocation types: x86-64 for ELF64, PowerPC for ELF32 (any will do; the
 * reader does not interpret them). */
static uint32_t rel_pc(bool is64) { return is64 ? 2 : 26; }
static uint32_t rel_relative(bool is64) { return is64 ? 8 : 22; }

static void c_symtab(chunk *c, const elfimg *g)
{
    c_sym(c, 0, 0, 0, 0, 0);
    c_sym(c, 0, STB_LOCAL_ << 4 | STT_SECTION_, S_TEXT, g->addr[S_TEXT], 0);
    c_sym(c, STR(strtab_s, "loc"), STB_LOCAL_ << 4 | STT_OBJECT_, S_DATA, g->addr[S_DATA], 8);
    c_sym(c, STR(strtab_s, "main"), STB_GLOBAL_ << 4 | STT_FUNC_, S_TEXT, g->addr[S_TEXT], 16);
    c_sym(c, STR(strtab_s, "grp_sig"), STB_GLOBAL_ << 4 | STT_FUNC_, S_TEXTGRP, g->addr[S_TEXTGRP], 4);
}

/* .dynsym: puts@GLIBC_2.2.5 (needed, version index 3) and foo@@V1
 * (defined, version index 2). */
static void c_dynsym(chunk *c, const elfimg *g)
{
    c_sym(c, 0, 0, 0, 0, 0);
    c_sym(c, STR(dynstr_s, "puts"), STB_GLOBAL_ << 4 | STT_FUNC_, 0, 0, 0);
    c_sym(c, STR(dynstr_s, "foo"), STB_GLOBAL_ << 4 | STT_FUNC_, S_TEXT, g->addr[S_TEXT] + 8, 8);
}

static void c_dynamic(chunk *c, const elfimg *g)
{
    c_word(c, DT_NEEDED_);
    c_word(c, STR(dynstr_s, "libc.so.6"));
    c_word(c, DT_STRTAB_);
    c_word(c, g->addr[S_DYNSTR]);
    c_word(c, DT_STRSZ_);
    c_word(c, sizeof dynstr_s);
    c_word(c, DT_NULL_);
    c_word(c, 0);
}

static void c_verneed(chunk *c)
{
    c_put(c, 2, 1);                            /* vn_version */
    c_put(c, 2, 1);                            /* vn_cnt */
    c_put(c, 4, STR(dynstr_s, "libc.so.6"));   /* vn_file */
    c_put(c, 4, 16);                           /* vn_aux */
    c_put(c, 4, 0);                            /* vn_next */
    c_put(c, 4, 0x09691a75);                   /* vna_hash */
    c_put(c, 2, 0);                            /* vna_flags */
    c_put(c, 2, 3);                            /* vna_other */
    c_put(c, 4, STR(dynstr_s, "GLIBC_2.2.5")); /* vna_name */
    c_put(c, 4, 0);                            /* vna_next */
}

static void c_chdr(chunk *c)
{
    c_put(c, 4, ELFCOMPRESS_ZLIB_);
    if (c->is64) {
        c_put(c, 4, 0);
        c_put(c, 8, CHDR_SIZE);
        c_put(c, 8, 1);
    } else {
        c_put(c, 4, CHDR_SIZE);
        c_put(c, 4, 1);
    }
    c_bytes(c, "\x78\x9c\x03\x00", 4);
}

static void contents(const elfimg *g, int s, chunk *c)
{
    static const uint8_t build_id[8] = {1, 2, 3, 4, 5, 6, 7, 8}, four[4] = {9, 9, 9, 9};
    *c = (chunk){.is64 = g->im.is64, .be = g->im.be};
    switch (s) {
    case S_TEXT: c_fill(c, 0x90, 16); break;
    case S_DATA: c_fill(c, 0xda, 8); break;
    case S_TEXTGRP: c_fill(c, 0xc3, 4); break;
    case S_NOTE:
        c_note(c, "GNU", 3, build_id, sizeof build_id);
        c_note(c, "keel", 1, four, sizeof four);
        break;
    case S_DYNAMIC: c_dynamic(c, g); break;
    case S_DYNSTR: c_bytes(c, dynstr_s, sizeof dynstr_s); break;
    case S_SYMTAB: c_symtab(c, g); break;
    case S_STRTAB: c_bytes(c, strtab_s, sizeof strtab_s); break;
    case S_RELA:
        c_rela(c, g->addr[S_TEXT] + 4, SYM_MAIN, rel_pc(c->is64), -4);
        c_rela(c, g->addr[S_DATA], 0, rel_relative(c->is64), 0x1234);
        break;
    case S_RELR: /* one address, then a bitmap relocating the word after the next */
        c_word(c, RELR_ADDR);
        c_word(c, 5);
        break;
    case S_GROUP:
        c_put(c, 4, GRP_COMDAT_);
        c_put(c, 4, S_TEXTGRP);
        break;
    case S_DEBUGZ: c_chdr(c); break;
    case S_DYNSYM: c_dynsym(c, g); break;
    case S_VERSYM:
        c_put(c, 2, 0);
        c_put(c, 2, 3);
        c_put(c, 2, 2);
        break;
    case S_VERDEF:
        c_verdef(c, 1, VER_FLG_BASE_, STR(dynstr_s, "libt.so"), VERDEF_SIZE);
        c_verdef(c, 2, 0, STR(dynstr_s, "V1"), 0);
        break;
    case S_VERNEED: c_verneed(c); break;
    case S_SHNDX: /* only consulted for symbols whose st_shndx is SHN_XINDEX */
        for (int i = 0; i < NSYM; i++)
            c_put(c, 4, i == SYM_MAIN ? S_TEXT : 0);
        break;
    case S_SHSTRTAB: c_shstrtab(c, NULL); break;
    }
}

static uint64_t sec_align(const elfimg *g, int s)
{
    switch (SECS[s].type) {
    case SHT_STRTAB_: return 1;
    case SHT_GNU_VERSYM_: return 2;
    case SHT_NOTE_:
    case SHT_GROUP_:
    case SHT_SYMTAB_SHNDX_:
    case SHT_GNU_VERDEF_:
    case SHT_GNU_VERNEED_: return 4;
    default: return s == S_NULL ? 0 : g->word;
    }
}

static uint64_t sec_entsize(const elfimg *g, int s)
{
    switch (SECS[s].type) {
    case SHT_SYMTAB_:
    case SHT_DYNSYM_: return g->symentsize;
    case SHT_RELA_: return 3 * g->word;
    case SHT_RELR_: return g->word;
    case SHT_DYNAMIC_: return 2 * g->word;
    case SHT_GNU_VERSYM_: return 2;
    case SHT_GROUP_:
    case SHT_SYMTAB_SHNDX_: return 4;
    default: return 0;
    }
}

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* Place the headers and the section data.  Section data goes in section
 * order, except that .shstrtab comes first: a cut through any other
 * section then still leaves a file keel_elf_open accepts, and the walk
 * reports the section that was cut.  The section header table goes at the
 * end (as ld puts it) or, with headers_first, right after the program
 * headers. */
static void layout(elfimg *g, bool headers_first)
{
    chunk c;
    uint64_t pos = g->ehsize;
    g->phoff = pos;
    pos += NPH * g->phentsize;
    if (headers_first) {
        g->shoff = align_up(pos, 8);
        pos = g->shoff + NSEC * g->shentsize;
    }
    c = (chunk){0};
    c_shstrtab(&c, g->name);
    for (int k = 0; k < NSEC - 1; k++) {
        int s = k == 0 ? S_SHSTRTAB : k;
        contents(g, s, &c);
        pos = align_up(pos, 8);
        g->off[s] = pos;
        g->size[s] = c.n;
        if (SECS[s].flags & SHF_ALLOC_)
            g->addr[s] = VBASE + pos;
        pos += c.n;
    }
    g->data_end = pos;
    if (!headers_first) {
        g->shoff = align_up(pos, 8);
        pos = g->shoff + NSEC * g->shentsize;
    }
    g->im.size = pos;
}

static void write_ehdr(elfimg *g)
{
    image *im = &g->im;
    memcpy(im->b, "\177ELF", 4);
    im->b[4] = im->is64 ? 2 : 1;
    im->b[5] = im->be ? 2 : 1;
    im->b[6] = 1;
    put(im, 16, 2, 3); /* ET_DYN */
    put(im, 18, 2, im->is64 ? EM_X86_64_ : EM_PPC_);
    put(im, 20, 4, 1);
    set_eh(g, EH_ENTRY, g->addr[S_TEXT]);
    set_eh(g, EH_PHOFF, g->phoff);
    set_eh(g, EH_SHOFF, g->shoff);
    set_eh(g, EH_EHSIZE, g->ehsize);
    set_eh(g, EH_PHENTSIZE, g->phentsize);
    set_eh(g, EH_PHNUM, NPH);
    set_eh(g, EH_SHENTSIZE, g->shentsize);
    set_eh(g, EH_SHNUM, NSEC);
    set_eh(g, EH_SHSTRNDX, S_SHSTRTAB);
}

static void write_phdr(elfimg *g, uint32_t i, uint32_t type, uint32_t flags, uint64_t off, uint64_t vaddr,
                       uint64_t size, uint64_t align)
{
    set_ph(g, i, PH_TYPE, type);
    set_ph(g, i, PH_FLAGS, flags);
    set_ph(g, i, PH_OFFSET, off);
    set_ph(g, i, PH_VADDR, vaddr);
    set_ph(g, i, PH_PADDR, vaddr);
    set_ph(g, i, PH_FILESZ, size);
    set_ph(g, i, PH_MEMSZ, size);
    set_ph(g, i, PH_ALIGN, align);
}

static void write_section(elfimg *g, int s)
{
    chunk c;
    set_sh(g, s, SH_NAME, g->name[s]);
    set_sh(g, s, SH_TYPE, SECS[s].type);
    set_sh(g, s, SH_FLAGS, SECS[s].flags);
    set_sh(g, s, SH_ADDR, g->addr[s]);
    set_sh(g, s, SH_OFFSET, g->off[s]);
    set_sh(g, s, SH_SIZE, g->size[s]);
    set_sh(g, s, SH_LINK, SECS[s].link);
    set_sh(g, s, SH_INFO, SECS[s].info);
    set_sh(g, s, SH_ALIGN, sec_align(g, s));
    set_sh(g, s, SH_ENTSIZE, sec_entsize(g, s));
    contents(g, s, &c);
    memcpy(g->im.b + g->off[s], c.b, c.n);
}

/* A valid image: ELF64 little-endian or ELF32 big-endian, a shared object
 * with every structure the reader decodes. */
static void build_elf(elfimg *g, bool is64, bool headers_first)
{
    memset(g, 0, sizeof *g);
    g->im.is64 = is64;
    g->im.be = !is64;
    snprintf(g->tag, sizeof g->tag, "%s%s", is64 ? "ELF64LE" : "ELF32BE", headers_first ? " headers-first" : "");
    g->ehsize = is64 ? 64 : 52;
    g->phentsize = is64 ? 56 : 32;
    g->shentsize = is64 ? 64 : 40;
    g->symentsize = is64 ? 24 : 16;
    g->word = is64 ? 8 : 4;
    /* Contents refer to addresses and addresses come from the layout, but
     * sizes do not depend on addresses: lay out first, then write. */
    layout(g, headers_first);
    write_ehdr(g);
    write_phdr(g, P_LOAD, PT_LOAD_, 7, 0, VBASE, g->data_end, 0x1000);
    write_phdr(g, P_NOTE, PT_NOTE_, 4, g->off[S_NOTE], g->addr[S_NOTE], g->size[S_NOTE], 4);
    write_phdr(g, P_DYNAMIC, PT_DYNAMIC_, 6, g->off[S_DYNAMIC], g->addr[S_DYNAMIC], g->size[S_DYNAMIC], g->word);
    for (int s = 1; s < NSEC; s++)
        write_section(g, s);
}

/* ================================================== running the walk */

/* A heap copy of exactly `size` bytes, so ASan sees any read past its end. */
static uint8_t *exact_copy(const void *data, size_t size)
{
    uint8_t *p = malloc(size ? size : 1);
    if (!p)
        abort();
    if (size)
        memcpy(p, data, size);
    return p;
}

static walk walk_copy(const void *data, size_t size, bool archive)
{
    uint8_t *p = exact_copy(data, size);
    walk w;
    walk_init(&w, p, size);
    if (archive)
        walk_archive(&w);
    else
        walk_elf(&w);
    free(p);
    w.base = NULL;
    return w;
}

typedef struct want {
    int code;         /* KEEL_E_*, or 0 for a clean walk */
    uint64_t off;     /* err.offset, and the 0x number the message must contain */
    const char *todo; /* a known reader defect this expectation runs into */
} want;

static const char *code_name(int code)
{
    switch (code) {
    case KEEL_OK: return "ok";
    case KEEL_E_NOT_ELF: return "KEEL_E_NOT_ELF";
    case KEEL_E_TRUNCATED: return "KEEL_E_TRUNCATED";
    case KEEL_E_UNSUPPORTED: return "KEEL_E_UNSUPPORTED";
    case KEEL_E_RANGE: return "KEEL_E_RANGE";
    case KEEL_E_INDEX: return "KEEL_E_INDEX";
    case KEEL_E_FORMAT: return "KEEL_E_FORMAT";
    case KEEL_E_LINK: return "KEEL_E_LINK";
    }
    return "an unexpected code";
}

/* Whether msg contains "0x<off>" as a whole number (0x10 is not in 0x100). */
static bool msg_has_offset(const char *msg, uint64_t off)
{
    char hex[24];
    size_t n = (size_t)snprintf(hex, sizeof hex, "0x%llx", (unsigned long long)off);
    for (const char *p = msg; (p = strstr(p, hex)) != NULL; p++)
        if (!isxdigit((unsigned char)p[n]))
            return true;
    return false;
}

/* Why the walk does not match the expectation; NULL if it does. */
static const char *mismatch(const walk *w, want x, char *why, size_t n)
{
    if (w->violation)
        snprintf(why, n, "API promise broken: %s", w->violation);
    else if (w->rc != x.code)
        snprintf(why, n, "got %s (%d), expected %s", code_name(w->rc), w->rc, code_name(x.code));
    else if (x.code == 0)
        return NULL;
    else if (!w->first.msg[0])
        snprintf(why, n, "empty message");
    else if (!msg_has_offset(w->first.msg, x.off))
        snprintf(why, n, "the message lacks 0x%llx", (unsigned long long)x.off);
    else if (w->first.offset != x.off)
        snprintf(why, n, "err.offset is 0x%llx, expected 0x%llx", (unsigned long long)w->first.offset,
                 (unsigned long long)x.off);
    else
        return NULL;
    return why;
}

static void report_walk(const walk *w, const char *why)
{
    tap_diag("%s", why);
    if (w->rc)
        tap_diag("got %s, err.offset 0x%llx: %s", code_name(w->rc), (unsigned long long)w->first.offset, w->first.msg);
}

/* One test point: walk the bytes and compare with the expectation. */
static void expect_walk(const void *data, size_t size, bool archive, want x, const char *fmt, ...)
{
    char desc[300], why[300];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(desc, sizeof desc, fmt, ap);
    va_end(ap);
    walk w = walk_copy(data, size, archive);
    const char *bad = mismatch(&w, x, why, sizeof why);
    if (x.code)
        tap_point(!bad, x.todo, "%s -> %s at 0x%llx", desc, code_name(x.code), (unsigned long long)x.off);
    else
        tap_point(!bad, x.todo, "%s -> walks clean", desc);
    if (bad)
        report_walk(&w, bad);
}

static void expect_elf(const elfimg *g, const char *what, want x)
{
    expect_walk(g->im.b, g->im.size, false, x, "%s: %s", g->tag, what);
}

static want want_ok(void) { return (want){0, 0, NULL}; }
static want want_err(int code, uint64_t off) { return (want){code, off, NULL}; }

/* An exact heap copy of an image, opened. */
typedef struct opened {
    uint8_t *buf;
    keel_elf e;
    keel_error err;
    int rc;
} opened;

static void open_copy(opened *o, const elfimg *g)
{
    o->buf = exact_copy(g->im.b, g->im.size);
    o->rc = keel_elf_open(&o->e, o->buf, g->im.size, &o->err);
}

static void close_copy(opened *o) { free(o->buf); }

/* ============================================== valid images decode */

static void sane_open(const elfimg *g)
{
    opened o;
    open_copy(&o, g);
    tap_point(o.rc == 0 && o.e.shnum == NSEC && o.e.phnum == NPH && o.e.shstrndx == S_SHSTRTAB &&
                  o.e.elfclass == (g->im.is64 ? 2 : 1) && o.e.byteorder == (g->im.be ? 2 : 1) &&
                  o.e.shoff == g->shoff && o.e.phoff == g->phoff,
              NULL, "%s: valid image opens: %d sections, %d segments, class, byte order, table offsets", g->tag, NSEC,
              NPH);
    if (o.rc)
        tap_diag("keel_elf_open: %s", o.err.msg);
    close_copy(&o);
}

static void sane_names(const elfimg *g)
{
    opened o;
    int bad = 0;
    open_copy(&o, g);
    for (uint32_t i = 0; o.rc == 0 && i < NSEC; i++) {
        keel_shdr sh;
        const char *name = NULL;
        if (keel_elf_shdr(&o.e, i, &sh, NULL) || keel_elf_section_name(&o.e, &sh, &name, NULL) ||
            strcmp(name, SECS[i].name) != 0 || sh.type != SECS[i].type || sh.offset != g->off[i] ||
            sh.size != g->size[i]) {
            if (!bad++)
                tap_diag("section %u: name %s", i, name ? name : "(none)");
        }
    }
    tap_point(o.rc == 0 && !bad, NULL, "%s: every section's name, type, offset and size", g->tag);
    tap_point(o.rc == 0 && keel_elf_find_section(&o.e, ".rela.text") == S_RELA &&
                  keel_elf_find_section(&o.e, ".shstrtab") == S_SHSTRTAB && keel_elf_find_section(&o.e, ".nosuch") == 0,
              NULL, "%s: keel_elf_find_section", g->tag);
    close_copy(&o);
}

static void sane_symbols(const elfimg *g)
{
    opened o;
    keel_symtab t = {0};
    keel_sym s = {0};
    const char *name = "";
    open_copy(&o, g);
    bool good = o.rc == 0 && keel_elf_symtab(&o.e, S_SYMTAB, &t, NULL) == 0 && t.count == NSYM &&
                t.first_global == SYM_MAIN && t.xindex && t.xindex_count == NSYM &&
                keel_symtab_get(&t, SYM_MAIN, &s, NULL) == 0 && keel_symtab_name(&t, &s, &name, NULL) == 0;
    tap_point(good && strcmp(name, "main") == 0 && s.value == g->addr[S_TEXT] && s.size == 16 &&
                  KEEL_ST_BIND(s.info) == STB_GLOBAL_ && KEEL_ST_TYPE(s.info) == STT_FUNC_ && s.shndx == S_TEXT,
              NULL, "%s: .symtab has %d symbols; 'main' is a global function of 16 bytes at 0x%llx in .text", g->tag,
              NSYM, (unsigned long long)g->addr[S_TEXT]);
    close_copy(&o);
}

/* st_shndx == SHN_XINDEX resolved through .symtab_shndx. */
static void sane_xindex(const elfimg *base)
{
    elfimg g = *base;
    opened o;
    keel_symtab t;
    keel_sym s = {0};
    set_sym(&g, S_SYMTAB, SYM_MAIN, ST_SHNDX, SHN_XINDEX_);
    open_copy(&o, &g);
    bool good = o.rc == 0 && keel_elf_symtab(&o.e, S_SYMTAB, &t, NULL) == 0 &&
                keel_symtab_get(&t, SYM_MAIN, &s, NULL) == 0;
    tap_point(good && s.raw_shndx == SHN_XINDEX_ && s.shndx == S_TEXT, NULL,
              "%s: a SHN_XINDEX symbol takes its section from SHT_SYMTAB_SHNDX", g.tag);
    close_copy(&o);
    expect_elf(&g, "SHN_XINDEX symbol with SHT_SYMTAB_SHNDX", want_ok());
}

static bool version_is(const keel_versions *v, const keel_symtab *t, uint64_t i, int kind, uint16_t index,
                       const char *name)
{
    keel_sym s;
    keel_symver ver;
    return keel_symtab_get(t, i, &s, NULL) == 0 && keel_versions_get(v, i, &s, &ver, NULL) == 0 && ver.kind == kind &&
           ver.index == index && ver.name && strcmp(ver.name, name) == 0;
}

static void sane_versions(const elfimg *g)
{
    opened o;
    keel_symtab t;
    keel_versions v;
    open_copy(&o, g);
    bool good = o.rc == 0 && keel_elf_symtab(&o.e, S_DYNSYM, &t, NULL) == 0 &&
                keel_elf_versions(&o.e, S_DYNSYM, &v, NULL) == 0 && v.versym_count == 3;
    tap_point(good && version_is(&v, &t, 1, KEEL_VER_NEEDED, 3, "GLIBC_2.2.5") &&
                  version_is(&v, &t, 2, KEEL_VER_DEFAULT, 2, "V1"),
              NULL, "%s: .dynsym versions: puts@GLIBC_2.2.5 (3), foo@@V1", g->tag);
    close_copy(&o);
}

static void sane_relocs(const elfimg *g)
{
    opened o;
    keel_relocs r = {0};
    keel_rel a = {0}, b = {0};
    open_copy(&o, g);
    bool good = o.rc == 0 && keel_elf_relocs(&o.e, S_RELA, &r, NULL) == 0 && r.count == 2 && r.kind == SHT_RELA_ &&
                r.symtab == S_SYMTAB && r.target == S_TEXT;
    if (good) {
        keel_relocs_get(&r, 0, &a);
        keel_relocs_get(&r, 1, &b);
    }
    tap_point(good && a.offset == g->addr[S_TEXT] + 4 && a.sym == SYM_MAIN && a.type == rel_pc(g->im.is64) &&
                  a.addend == -4 && b.sym == 0 && b.type == rel_relative(g->im.is64) && b.addend == 0x1234,
              NULL, "%s: .rela.text: 2 entries with their symbols, types and addends", g->tag);
    close_copy(&o);
}

static void sane_relr(const elfimg *g)
{
    opened o;
    keel_relocs r;
    keel_relr_iter it;
    uint64_t addr[4] = {0};
    int n = 0, rc = -1;
    open_copy(&o, g);
    if (o.rc == 0 && keel_elf_relocs(&o.e, S_RELR, &r, NULL) == 0) {
        keel_relr_begin(&it, &r);
        while (n < 4 && (rc = keel_relr_next(&it, &addr[n], NULL)) == 1)
            n++;
    }
    tap_point(rc == 0 && n == 2 && addr[0] == RELR_ADDR && addr[1] == RELR_ADDR + 2 * g->word, NULL,
              "%s: RELR decodes to 0x%x and 0x%llx", g->tag, RELR_ADDR, (unsigned long long)(RELR_ADDR + 2 * g->word));
    close_copy(&o);
}

/* The two notes, from an iterator; true if they are as written. */
static bool notes_are_ours(keel_note_iter *it)
{
    keel_note a, b, c;
    return keel_note_next(it, &a, NULL) == 1 && keel_note_next(it, &b, NULL) == 1 &&
           keel_note_next(it, &c, NULL) == 0 && strcmp(a.name, "GNU") == 0 && a.type == 3 && a.descsz == 8 &&
           a.desc[0] == 1 && a.desc[7] == 8 && strcmp(b.name, "keel") == 0 && b.type == 1 && b.descsz == 4;
}

static void sane_notes(const elfimg *g)
{
    opened o;
    keel_shdr sh;
    keel_phdr ph;
    keel_note_iter it;
    open_copy(&o, g);
    bool sec = o.rc == 0 && keel_elf_shdr(&o.e, S_NOTE, &sh, NULL) == 0 &&
               keel_elf_notes_section(&o.e, &sh, &it, NULL) == 0 && notes_are_ours(&it);
    bool seg = o.rc == 0 && keel_elf_phdr(&o.e, P_NOTE, &ph, NULL) == 0 &&
               keel_elf_notes_segment(&o.e, &ph, &it, NULL) == 0 && notes_are_ours(&it);
    tap_point(sec && seg, NULL, "%s: the GNU build-id and keel notes, from the section and from PT_NOTE", g->tag);
    close_copy(&o);
}

static void sane_dynamic(const elfimg *g)
{
    opened o;
    keel_dynamic d = {0};
    keel_dyn first = {0}, last = {1, 1};
    const char *needed = "";
    open_copy(&o, g);
    bool good = o.rc == 0 && keel_elf_dynamic(&o.e, &d, NULL) == 0 && d.count == 4 && d.offset == g->off[S_DYNAMIC];
    if (good) {
        keel_dynamic_get(&d, 0, &first);
        keel_dynamic_get(&d, 3, &last);
        good = keel_strtab_get(&d.strings, first.val, &needed, NULL) == 0;
    }
    tap_point(good && first.tag == DT_NEEDED_ && strcmp(needed, "libc.so.6") == 0 && last.tag == DT_NULL_, NULL,
              "%s: .dynamic: 4 entries, NEEDED libc.so.6, DT_NULL last", g->tag);
    close_copy(&o);
}

static void sane_group(const elfimg *g)
{
    opened o;
    keel_group grp = {0};
    keel_symtab t;
    keel_sym s;
    const char *sig = "";
    open_copy(&o, g);
    bool good = o.rc == 0 && keel_elf_group(&o.e, S_GROUP, &grp, NULL) == 0 && grp.count == 1 &&
                keel_elf_symtab(&o.e, grp.signature_symtab, &t, NULL) == 0 &&
                keel_symtab_get(&t, grp.signature_sym, &s, NULL) == 0 && keel_symtab_name(&t, &s, &sig, NULL) == 0;
    tap_point(good && grp.flags == GRP_COMDAT_ && keel_group_member(&grp, 0) == S_TEXTGRP &&
                  strcmp(sig, "grp_sig") == 0,
              NULL, "%s: COMDAT group [grp_sig] holds .text.grp", g->tag);
    close_copy(&o);
}

static void sane_chdr(const elfimg *g)
{
    opened o;
    keel_shdr sh;
    keel_chdr ch = {0};
    open_copy(&o, g);
    bool good = o.rc == 0 && keel_elf_shdr(&o.e, S_DEBUGZ, &sh, NULL) == 0 && keel_elf_chdr(&o.e, &sh, &ch, NULL) == 0;
    tap_point(good && ch.type == ELFCOMPRESS_ZLIB_ && ch.size == CHDR_SIZE && ch.addralign == 1 &&
                  ch.header_size == (g->im.is64 ? 24u : 12u),
              NULL, "%s: .debug_z compression header: zlib, %d bytes", g->tag, CHDR_SIZE);
    close_copy(&o);
}

static bool in_segment(const keel_elf *e, uint32_t sec, uint32_t seg)
{
    keel_shdr sh;
    keel_phdr ph;
    return keel_elf_shdr(e, sec, &sh, NULL) == 0 && keel_elf_phdr(e, seg, &ph, NULL) == 0 &&
           keel_section_in_segment(&sh, &ph);
}

static void sane_mapping(const elfimg *g)
{
    opened o;
    open_copy(&o, g);
    const keel_elf *e = &o.e;
    tap_point(o.rc == 0 && in_segment(e, S_TEXT, P_LOAD) && in_segment(e, S_DYNSYM, P_LOAD) &&
                  in_segment(e, S_NOTE, P_NOTE) && in_segment(e, S_DYNAMIC, P_DYNAMIC) &&
                  !in_segment(e, S_SYMTAB, P_LOAD) && !in_segment(e, S_TEXT, P_NOTE) &&
                  !in_segment(e, S_DYNSTR, P_DYNAMIC),
              NULL, "%s: section to segment mapping", g->tag);
    close_copy(&o);
}

/* e_shnum == 0, e_shstrndx == SHN_XINDEX, e_phnum == PN_XNUM: the counts
 * and the index live in section header 0. */
static void extended_numbering(elfimg *g)
{
    set_eh(g, EH_SHNUM, 0);
    set_eh(g, EH_SHSTRNDX, SHN_XINDEX_);
    set_eh(g, EH_PHNUM, PN_XNUM_);
    set_sh(g, 0, SH_SIZE, NSEC);
    set_sh(g, 0, SH_LINK, S_SHSTRTAB);
    set_sh(g, 0, SH_INFO, NPH);
}

static void sane_extended(const elfimg *base)
{
    elfimg g = *base;
    opened o;
    extended_numbering(&g);
    open_copy(&o, &g);
    tap_point(o.rc == 0 && o.e.shnum == NSEC && o.e.shstrndx == S_SHSTRTAB && o.e.phnum == NPH && o.e.e_shnum == 0 &&
                  o.e.e_shstrndx == SHN_XINDEX_ && o.e.e_phnum == PN_XNUM_,
              NULL, "%s: extended numbering (e_shnum 0, SHN_XINDEX, PN_XNUM) resolves through section 0", g.tag);
    close_copy(&o);
    expect_elf(&g, "valid extended numbering", want_ok());
}

/* Valid oddities the reader must accept. */
static void sane_oddities(const elfimg *base)
{
    elfimg g = *base;
    set_sh(&g, S_DATA, SH_TYPE, SHT_NOBITS_);
    set_sh(&g, S_DATA, SH_OFFSET, word_max(&g));
    expect_elf(&g, "SHT_NOBITS section with sh_offset past the end", want_ok());

    g = *base;
    set_sh(&g, S_TEXT, SH_NAME, g.size[S_SHSTRTAB] - 1);
    expect_elf(&g, "sh_name naming the last byte (an empty name)", want_ok());

    g = *base;
    set_sym(&g, S_SYMTAB, SYM_MAIN, ST_NAME, sizeof strtab_s - 1);
    expect_elf(&g, "st_name naming the last byte (an empty name)", want_ok());

    g = *base;
    set_sh(&g, S_DYNSYM, SH_SIZE, g.size[S_DYNSYM] - 1);
    expect_elf(&g, "symbol table size not a multiple of its entry size (the partial entry is ignored)", want_ok());
}

static void sane(const elfimg *g)
{
    sane_open(g);
    sane_names(g);
    expect_elf(g, "valid image", want_ok());
    sane_symbols(g);
    sane_xindex(g);
    sane_versions(g);
    sane_relocs(g);
    sane_relr(g);
    sane_notes(g);
    sane_dynamic(g);
    sane_group(g);
    sane_chdr(g);
    sane_mapping(g);
    sane_extended(g);
    sane_oddities(g);
}

static uint64_t link_at(const elfimg *g, uint32_t sec) { return shdr_at(g, sec) + (g->im.is64 ? 40 : 24); }

/* File offsets of e_phnum, e_shnum and e_shstrndx. */
static uint64_t eh_phnum_at(const elfimg *g) { return g->im.is64 ? 56 : 44; }
static uint64_t eh_shnum_at(const elfimg *g) { return g->im.is64 ? 60 : 48; }
static uint64_t eh_shstrndx_at(const elfimg *g) { return g->im.is64 ? 62 : 50; }

/* ========================================================= truncation */

/* What the walk must report for the image cut to `size` bytes: the first
 * structure, in the walk's order, that no longer fits. */
static want cut_want(const elfimg *g, bool has_shdrs, uint64_t size)
{
    if (size < 4)
        return want_err(KEEL_E_NOT_ELF, 0);
    if (size < 16)
        return want_err(KEEL_E_TRUNCATED, 0);
    if (size < g->ehsize)
        return want_err(KEEL_E_TRUNCATED, 0);
    if (has_shdrs && size < g->shoff + NSEC * g->shentsize)
        return want_err(KEEL_E_TRUNCATED, g->shoff);
    if (size < g->phoff + NPH * g->phentsize)
        return want_err(KEEL_E_TRUNCATED, g->phoff);
    if (has_shdrs && size < g->off[S_SHSTRTAB] + g->size[S_SHSTRTAB])
        return want_err(KEEL_E_RANGE, g->off[S_SHSTRTAB]);
    for (int s = 1; has_shdrs && s < NSEC; s++)
        if (size < g->off[s] + g->size[s])
            return want_err(KEEL_E_RANGE, g->off[s]);
    if (size < g->data_end) /* PT_LOAD, the first segment, covers [0, data_end) */
        return want_err(KEEL_E_RANGE, 0);
    return want_ok();
}

/* Up to three mismatches of a sweep, shown after its test point. */
typedef struct misses {
    int n;
    char text[3][700];
} misses;

static void miss(misses *ms, uint64_t size, want x, const walk *w, const char *why)
{
    if (ms->n < 3)
        snprintf(ms->text[ms->n], sizeof ms->text[0],
                 "cut to %llu bytes, expected %s at 0x%llx: %s; got %s at 0x%llx: %s", (unsigned long long)size,
                 code_name(x.code), (unsigned long long)x.off, why, code_name(w->rc),
                 (unsigned long long)w->first.offset, w->rc ? w->first.msg : "");
    ms->n++;
}

static void misses_show(const misses *ms)
{
    for (int i = 0; i < ms->n && i < 3; i++)
        tap_diag("%s", ms->text[i]);
    if (ms->n > 3)
        tap_diag("... %d sizes in all", ms->n);
}

/* One test point: the image cut at every size in [from, to). */
static void sweep(const elfimg *g, bool has_shdrs, uint64_t from, uint64_t to, const char *what)
{
    char why[300];
    misses ms = {0};
    want first = cut_want(g, has_shdrs, from);
    for (uint64_t n = from; n < to; n++) {
        want x = cut_want(g, has_shdrs, n);
        walk w = walk_copy(g->im.b, n, false);
        const char *m = mismatch(&w, x, why, sizeof why);
        if (m)
            miss(&ms, n, x, &w, m);
    }
    tap_point(!ms.n, first.todo, "%s: cut to every size in [%llu, %llu) (%s): the first structure cut is reported",
              g->tag, (unsigned long long)from, (unsigned long long)to, what);
    misses_show(&ms);
}

/* The section header table at the end (as ld writes it). */
static void cuts_tail(const elfimg *g)
{
    uint64_t shend = g->shoff + NSEC * g->shentsize;
    sweep(g, true, 0, 4, "inside the magic");
    sweep(g, true, 4, 16, "inside e_ident");
    sweep(g, true, 16, g->ehsize, "inside the ELF header");
    sweep(g, true, g->ehsize, g->phoff + NPH * g->phentsize, "inside the program header table");
    sweep(g, true, g->phoff + NPH * g->phentsize, g->shoff, "inside section data, before the section headers");
    sweep(g, true, g->shoff, shend, "every byte of the section header table");
    sweep(g, true, shend, shend + 1, "not cut");
}

/* The section header table right after the program headers: a cut in the
 * data then reaches the sections one by one. */
static void cuts_head(const elfimg *g)
{
    uint64_t shend = g->shoff + NSEC * g->shentsize;
    sweep(g, true, g->ehsize, g->shoff, "inside the program header table");
    sweep(g, true, g->shoff, shend, "every byte of the section header table");
    sweep(g, true, shend, g->off[S_SHSTRTAB] + g->size[S_SHSTRTAB], "inside .shstrtab");
    sweep(g, true, g->off[S_SHSTRTAB] + g->size[S_SHSTRTAB], g->im.size + 1,
          "every byte of section data: the section cut is reported");
}

/* No section headers at all: the program headers and segments alone. */
static void cuts_no_sections(const elfimg *base)
{
    elfimg g = *base;
    set_eh(&g, EH_SHOFF, 0);
    set_eh(&g, EH_SHNUM, 0);
    set_eh(&g, EH_SHSTRNDX, 0);
    snprintf(g.tag, sizeof g.tag, "%.20s no-sections", base->tag);
    expect_elf(&g, "valid image without section headers", want_ok());
    sweep(&g, false, g.ehsize, g.phoff + NPH * g.phentsize, "inside the program header table");
    sweep(&g, false, g.phoff + NPH * g.phentsize, g.data_end, "inside PT_LOAD");
}

/* ========================================================== mutations */

/* Each mutation breaks one thing in a copy of a valid image and says what
 * the walk must report. */
typedef want (*mutation)(elfimg *g);

/* ---------------------------------------------------------- ELF header */

static want m_bad_magic(elfimg *g)
{
    g->im.b[1] = 'X';
    return want_err(KEEL_E_NOT_ELF, 0);
}

static want m_class_none(elfimg *g)
{
    g->im.b[4] = 0;
    return want_err(KEEL_E_UNSUPPORTED, 4);
}

static want m_class_3(elfimg *g)
{
    g->im.b[4] = 3;
    return want_err(KEEL_E_UNSUPPORTED, 4);
}

static want m_byteorder_3(elfimg *g)
{
    g->im.b[5] = 3;
    return want_err(KEEL_E_UNSUPPORTED, 5);
}

/* ------------------------------------------------------- header tables */

static want m_shoff_past_end(elfimg *g)
{
    set_eh(g, EH_SHOFF, g->im.size + 0x100);
    return want_err(KEEL_E_TRUNCATED, g->im.size + 0x100);
}

static want m_shoff_max(elfimg *g)
{
    set_eh(g, EH_SHOFF, word_max(g) - 0xff);
    return want_err(KEEL_E_TRUNCATED, word_max(g) - 0xff);
}

static want m_phoff_past_end(elfimg *g)
{
    set_eh(g, EH_PHOFF, g->im.size + 0x40);
    return want_err(KEEL_E_TRUNCATED, g->im.size + 0x40);
}

static want m_shentsize_small(elfimg *g)
{
    set_eh(g, EH_SHENTSIZE, 16);
    return want_err(KEEL_E_FORMAT, g->shoff);
}

static want m_phentsize_small(elfimg *g)
{
    set_eh(g, EH_PHENTSIZE, 16);
    return want_err(KEEL_E_FORMAT, g->phoff);
}

/* e_shnum * e_shentsize far past the end of the file. */
static want m_shentsize_max(elfimg *g)
{
    set_eh(g, EH_SHENTSIZE, 0xffff);
    return want_err(KEEL_E_TRUNCATED, g->shoff);
}

static want m_shnum_large(elfimg *g)
{
    set_eh(g, EH_SHNUM, 0xfeff);
    return want_err(KEEL_E_TRUNCATED, g->shoff);
}

static want m_shdrs_over_ehdr(elfimg *g)
{
    set_eh(g, EH_SHOFF, 0x10);
    return want_err(KEEL_E_RANGE, 0x10);
}

static want m_phdrs_over_ehdr(elfimg *g)
{
    set_eh(g, EH_PHOFF, 8);
    return want_err(KEEL_E_RANGE, 8);
}

static want m_phdrs_over_shdrs(elfimg *g)
{
    set_eh(g, EH_PHOFF, g->shoff + g->shentsize);
    return want_err(KEEL_E_RANGE, g->shoff);
}

static want m_shnum_without_shoff(elfimg *g)
{
    set_eh(g, EH_SHOFF, 0);
    return want_err(KEEL_E_FORMAT, eh_shnum_at(g));
}

static want m_phnum_without_phoff(elfimg *g)
{
    set_eh(g, EH_PHOFF, 0);
    return want_err(KEEL_E_FORMAT, eh_phnum_at(g));
}

static want m_shstrndx_range(elfimg *g)
{
    set_eh(g, EH_SHSTRNDX, NSEC);
    return want_err(KEEL_E_INDEX, eh_shstrndx_at(g));
}

static want m_shstrtab_past_end(elfimg *g)
{
    set_sh(g, S_SHSTRTAB, SH_OFFSET, g->im.size + 0x10);
    return want_err(KEEL_E_RANGE, g->im.size + 0x10);
}

/* sh_offset + sh_size wraps around (in 64 bits for ELF64). */
static want m_shstrtab_size_wraps(elfimg *g)
{
    set_sh(g, S_SHSTRTAB, SH_SIZE, word_max(g) - 0x7f);
    return want_err(KEEL_E_RANGE, g->off[S_SHSTRTAB]);
}

/* ------------------------------------------------ extended numbering */

static want m_xnum_count_past_end(elfimg *g)
{
    extended_numbering(g);
    set_sh(g, 0, SH_SIZE, 1000);
    return want_err(KEEL_E_TRUNCATED, g->shoff);
}

/* The largest count section 0 can hold: beyond 32 bits for ELF64 (which
 * the reader refuses outright), 2^32 - 1 for ELF32 (which cannot fit). */
static want m_xnum_count_huge(elfimg *g)
{
    extended_numbering(g);
    set_sh(g, 0, SH_SIZE, word_max(g));
    return want_err(g->im.is64 ? KEEL_E_RANGE : KEEL_E_TRUNCATED, g->shoff);
}

static want m_xnum_shstrndx_range(elfimg *g)
{
    extended_numbering(g);
    set_sh(g, 0, SH_LINK, 500);
    return want_err(KEEL_E_INDEX, link_at(g, 0));
}

/* PN_XNUM with 2^32 - 1 program headers in section 0's sh_info. */
static want m_xnum_phnum_huge(elfimg *g)
{
    extended_numbering(g);
    set_sh(g, 0, SH_INFO, UINT32_MAX);
    return want_err(KEEL_E_TRUNCATED, g->phoff);
}

/* ------------------------------------------------------------ sections */

static want m_section_past_end(elfimg *g)
{
    set_sh(g, S_SYMTAB, SH_OFFSET, g->im.size + 8);
    return want_err(KEEL_E_RANGE, g->im.size + 8);
}

static want m_section_size_wraps(elfimg *g)
{
    set_sh(g, S_SYMTAB, SH_SIZE, word_max(g) - 0xf);
    return want_err(KEEL_E_RANGE, g->off[S_SYMTAB]);
}

static want m_section_offset_wraps(elfimg *g)
{
    set_sh(g, S_TEXT, SH_OFFSET, word_max(g) - 0xf);
    set_sh(g, S_TEXT, SH_SIZE, 0x20);
    return want_err(KEEL_E_RANGE, word_max(g) - 0xf);
}

static want m_sh_name_range(elfimg *g)
{
    set_sh(g, S_TEXT, SH_NAME, g->size[S_SHSTRTAB] + 100);
    return want_err(KEEL_E_INDEX, g->off[S_SHSTRTAB]);
}

static want m_sh_name_at_end(elfimg *g)
{
    set_sh(g, S_TEXT, SH_NAME, g->size[S_SHSTRTAB]);
    return want_err(KEEL_E_INDEX, g->off[S_SHSTRTAB]);
}

/* The last name, ".shstrtab", then runs off the end of its table. */
static want m_shstrtab_unterminated(elfimg *g)
{
    set_in(g, S_SHSTRTAB, g->size[S_SHSTRTAB] - 1, 1, 'x');
    return want_err(KEEL_E_FORMAT, g->off[S_SHSTRTAB] + g->name[S_SHSTRTAB]);
}

static want m_chdr_short(elfimg *g)
{
    set_sh(g, S_DEBUGZ, SH_SIZE, (g->im.is64 ? 24 : 12) - 1);
    return want_err(KEEL_E_TRUNCATED, g->off[S_DEBUGZ]);
}

/* ------------------------------------------------------- symbol tables */

static want m_strtab_unterminated(elfimg *g)
{
    set_in(g, S_STRTAB, sizeof strtab_s - 1, 1, 'x');
    return want_err(KEEL_E_FORMAT, g->off[S_STRTAB] + STR(strtab_s, "grp_sig"));
}

static want m_st_name_range(elfimg *g)
{
    set_sym(g, S_SYMTAB, SYM_MAIN, ST_NAME, sizeof strtab_s + 5);
    return want_err(KEEL_E_INDEX, g->off[S_STRTAB]);
}

static want m_symtab_self_link(elfimg *g)
{
    set_sh(g, S_SYMTAB, SH_LINK, S_SYMTAB);
    return want_err(KEEL_E_LINK, link_at(g, S_SYMTAB));
}

static want m_dynsym_self_link(elfimg *g)
{
    set_sh(g, S_DYNSYM, SH_LINK, S_DYNSYM);
    return want_err(KEEL_E_LINK, link_at(g, S_DYNSYM));
}

static want m_symtab_link_range(elfimg *g)
{
    set_sh(g, S_SYMTAB, SH_LINK, 1000);
    return want_err(KEEL_E_INDEX, link_at(g, S_SYMTAB));
}

/* Reported at the link, which names a section that is not a string table. */
static want m_symtab_link_not_strtab(elfimg *g)
{
    set_sh(g, S_SYMTAB, SH_LINK, S_RELA);
    return want_err(KEEL_E_LINK, link_at(g, S_SYMTAB));
}

static want m_symtab_entsize_zero(elfimg *g)
{
    set_sh(g, S_SYMTAB, SH_ENTSIZE, 0);
    return want_err(KEEL_E_FORMAT, g->off[S_SYMTAB]);
}

static want m_symtab_entsize_small(elfimg *g)
{
    set_sh(g, S_SYMTAB, SH_ENTSIZE, 8);
    return want_err(KEEL_E_FORMAT, g->off[S_SYMTAB]);
}

static want m_symtab_size_huge(elfimg *g)
{
    set_sh(g, S_SYMTAB, SH_SIZE, word_max(g));
    return want_err(KEEL_E_RANGE, g->off[S_SYMTAB]);
}

static want m_xindex_without_shndx(elfimg *g)
{
    set_sym(g, S_SYMTAB, SYM_MAIN, ST_SHNDX, SHN_XINDEX_);
    set_sh(g, S_SHNDX, SH_TYPE, SHT_PROGBITS_);
    return want_err(KEEL_E_INDEX, sym_at(g, S_SYMTAB, SYM_MAIN));
}

static want m_xindex_shndx_short(elfimg *g)
{
    set_sym(g, S_SYMTAB, SYM_MAIN, ST_SHNDX, SHN_XINDEX_);
    set_sh(g, S_SHNDX, SH_SIZE, 8);
    return want_err(KEEL_E_INDEX, sym_at(g, S_SYMTAB, SYM_MAIN));
}

/* ---------------------------------------------------------- versions */

static want m_verdef_next_past(elfimg *g)
{
    set_in(g, S_VERDEF, 16, 4, 0x1000);
    return want_err(KEEL_E_RANGE, g->off[S_VERDEF] + 0x1000);
}

static want m_verdef_aux_past(elfimg *g)
{
    set_in(g, S_VERDEF, VERDEF_SIZE + 12, 4, 0x1000);
    return want_err(KEEL_E_RANGE, g->off[S_VERDEF] + VERDEF_SIZE);
}

static want m_verneed_aux_past(elfimg *g)
{
    set_in(g, S_VERNEED, 8, 4, 0x1000);
    return want_err(KEEL_E_RANGE, g->off[S_VERNEED]);
}

static want m_vernaux_name_range(elfimg *g)
{
    set_in(g, S_VERNEED, 16 + 8, 4, 0x1000);
    return want_err(KEEL_E_INDEX, g->off[S_DYNSTR]);
}

/* --------------------------------------------------------- relocations */

static want m_rela_self_link(elfimg *g)
{
    set_sh(g, S_RELA, SH_LINK, S_RELA);
    return want_err(KEEL_E_LINK, link_at(g, S_RELA));
}

static want m_rela_links_relr(elfimg *g)
{
    set_sh(g, S_RELA, SH_LINK, S_RELR);
    return want_err(KEEL_E_LINK, link_at(g, S_RELA));
}

static want m_rela_link_range(elfimg *g)
{
    set_sh(g, S_RELA, SH_LINK, 1000);
    return want_err(KEEL_E_INDEX, link_at(g, S_RELA));
}

static want m_rela_entsize_small(elfimg *g)
{
    set_sh(g, S_RELA, SH_ENTSIZE, 8);
    return want_err(KEEL_E_FORMAT, g->off[S_RELA]);
}

static want m_rela_size_wraps(elfimg *g)
{
    set_sh(g, S_RELA, SH_SIZE, word_max(g) - 7);
    return want_err(KEEL_E_RANGE, g->off[S_RELA]);
}

/* The first relocation names symbol 99 of a 5-symbol table. */
static want m_rela_symbol_range(elfimg *g)
{
    uint32_t type = rel_pc(g->im.is64);
    set_in(g, S_RELA, g->word, (unsigned)g->word, g->im.is64 ? (uint64_t)99 << 32 | type : 99u << 8 | type);
    return want_err(KEEL_E_INDEX, g->off[S_SYMTAB]);
}

static want m_relr_bitmap_first(elfimg *g)
{
    set_in(g, S_RELR, 0, (unsigned)g->word, 5);
    set_in(g, S_RELR, g->word, (unsigned)g->word, RELR_ADDR);
    return want_err(KEEL_E_FORMAT, g->off[S_RELR]);
}

static want m_relr_entsize_small(elfimg *g)
{
    set_sh(g, S_RELR, SH_ENTSIZE, 2);
    return want_err(KEEL_E_FORMAT, g->off[S_RELR]);
}

/* --------------------------------------------------------------- notes */

static want m_note_cut_in_header(elfimg *g)
{
    set_sh(g, S_NOTE, SH_SIZE, NOTE1_SIZE + 6);
    return want_err(KEEL_E_TRUNCATED, g->off[S_NOTE] + NOTE1_SIZE);
}

static want m_note_cut_in_name(elfimg *g)
{
    set_sh(g, S_NOTE, SH_SIZE, NOTE1_SIZE + 14);
    return want_err(KEEL_E_TRUNCATED, g->off[S_NOTE] + NOTE1_SIZE);
}

static want m_note_namesz_huge(elfimg *g)
{
    set_in(g, S_NOTE, NOTE1_SIZE, 4, UINT32_MAX);
    return want_err(KEEL_E_TRUNCATED, g->off[S_NOTE] + NOTE1_SIZE);
}

static want m_note_descsz_huge(elfimg *g)
{
    set_in(g, S_NOTE, 4, 4, UINT32_MAX - 15);
    return want_err(KEEL_E_TRUNCATED, g->off[S_NOTE]);
}

static want m_note_descsz_past(elfimg *g)
{
    set_in(g, S_NOTE, 4, 4, 1000);
    return want_err(KEEL_E_TRUNCATED, g->off[S_NOTE]);
}

static want m_note_name_unterminated(elfimg *g)
{
    set_in(g, S_NOTE, 12 + 3, 1, 'X');
    return want_err(KEEL_E_FORMAT, g->off[S_NOTE]);
}

static want m_note_segment_cut(elfimg *g)
{
    set_ph(g, P_NOTE, PH_FILESZ, NOTE1_SIZE + 6);
    return want_err(KEEL_E_TRUNCATED, g->off[S_NOTE] + NOTE1_SIZE);
}

static want m_note_segment_past_end(elfimg *g)
{
    set_ph(g, P_NOTE, PH_OFFSET, g->im.size + 4);
    return want_err(KEEL_E_RANGE, g->im.size + 4);
}

/* ------------------------------------------------------------- dynamic */

static want m_dynamic_link_not_strtab(elfimg *g)
{
    set_sh(g, S_DYNAMIC, SH_LINK, S_SYMTAB);
    return want_err(KEEL_E_LINK, link_at(g, S_DYNAMIC));
}

static want m_dynamic_link_range(elfimg *g)
{
    set_sh(g, S_DYNAMIC, SH_LINK, 1000);
    return want_err(KEEL_E_INDEX, link_at(g, S_DYNAMIC));
}

static want m_dynamic_size_wraps(elfimg *g)
{
    set_sh(g, S_DYNAMIC, SH_SIZE, word_max(g) - 3);
    return want_err(KEEL_E_RANGE, g->off[S_DYNAMIC]);
}

/* -------------------------------------------------------------- groups */

static want m_group_member_zero(elfimg *g)
{
    set_in(g, S_GROUP, 4, 4, 0);
    return want_err(KEEL_E_INDEX, g->off[S_GROUP] + 4);
}

static want m_group_member_range(elfimg *g)
{
    set_in(g, S_GROUP, 4, 4, NSEC);
    return want_err(KEEL_E_INDEX, g->off[S_GROUP] + 4);
}

static want m_group_size_odd(elfimg *g)
{
    set_sh(g, S_GROUP, SH_SIZE, 6);
    return want_err(KEEL_E_FORMAT, g->off[S_GROUP]);
}

static want m_group_size_small(elfimg *g)
{
    set_sh(g, S_GROUP, SH_SIZE, 2);
    return want_err(KEEL_E_FORMAT, g->off[S_GROUP]);
}

static want m_group_signature_range(elfimg *g)
{
    set_sh(g, S_GROUP, SH_INFO, 99);
    return want_err(KEEL_E_INDEX, g->off[S_SYMTAB]);
}

static want m_group_symtab_range(elfimg *g)
{
    set_sh(g, S_GROUP, SH_LINK, 1000);
    return want_err(KEEL_E_INDEX, link_at(g, S_GROUP));
}

static const struct {
    const char *what;
    mutation m;
} elf_cases[] = {
    {"bad magic", m_bad_magic},
    {"EI_CLASS 0", m_class_none},
    {"EI_CLASS 3", m_class_3},
    {"EI_DATA 3", m_byteorder_3},
    {"e_shoff past the end", m_shoff_past_end},
    {"e_shoff near the top of the address space", m_shoff_max},
    {"e_phoff past the end", m_phoff_past_end},
    {"e_shentsize smaller than a section header", m_shentsize_small},
    {"e_phentsize smaller than a program header", m_phentsize_small},
    {"e_shentsize 0xffff (e_shnum * e_shentsize far past the end)", m_shentsize_max},
    {"e_shnum 0xfeff", m_shnum_large},
    {"section header table over the ELF header", m_shdrs_over_ehdr},
    {"program header table over the ELF header", m_phdrs_over_ehdr},
    {"program header table overlapping the section header table", m_phdrs_over_shdrs},
    {"e_shnum set but e_shoff 0", m_shnum_without_shoff},
    {"e_phnum set but e_phoff 0", m_phnum_without_phoff},
    {"e_shstrndx not below e_shnum", m_shstrndx_range},
    {".shstrtab sh_offset past the end", m_shstrtab_past_end},
    {".shstrtab sh_offset + sh_size wraps", m_shstrtab_size_wraps},
    {"extended numbering: section count in sh_size past the end", m_xnum_count_past_end},
    {"extended numbering: section count in sh_size at its maximum", m_xnum_count_huge},
    {"extended numbering: SHN_XINDEX with sh_link out of range", m_xnum_shstrndx_range},
    {"extended numbering: PN_XNUM with 2^32-1 program headers", m_xnum_phnum_huge},
    {"section sh_offset past the end", m_section_past_end},
    {"section sh_offset + sh_size wraps", m_section_size_wraps},
    {"section sh_offset near the top, + sh_size wraps", m_section_offset_wraps},
    {"sh_name past the end of .shstrtab", m_sh_name_range},
    {"sh_name exactly at the end of .shstrtab", m_sh_name_at_end},
    {".shstrtab not NUL-terminated", m_shstrtab_unterminated},
    {"compressed section too short for its Chdr", m_chdr_short},
    {".strtab not NUL-terminated", m_strtab_unterminated},
    {"st_name past the end of .strtab", m_st_name_range},
    {".symtab sh_link names itself", m_symtab_self_link},
    {".dynsym sh_link names itself", m_dynsym_self_link},
    {".symtab sh_link out of range", m_symtab_link_range},
    {".symtab sh_link names a relocation section", m_symtab_link_not_strtab},
    {".symtab sh_entsize 0", m_symtab_entsize_zero},
    {".symtab sh_entsize 8", m_symtab_entsize_small},
    {".symtab sh_size at its maximum", m_symtab_size_huge},
    {"SHN_XINDEX symbol without SHT_SYMTAB_SHNDX", m_xindex_without_shndx},
    {"SHN_XINDEX symbol past the end of SHT_SYMTAB_SHNDX", m_xindex_shndx_short},
    {"Verdef vd_next past its section", m_verdef_next_past},
    {"Verdef vd_aux past its section", m_verdef_aux_past},
    {"Verneed vn_aux past its section", m_verneed_aux_past},
    {"Vernaux vna_name past .dynstr", m_vernaux_name_range},
    {".rela.text sh_link names itself", m_rela_self_link},
    {".rela.text sh_link names another relocation section", m_rela_links_relr},
    {".rela.text sh_link out of range", m_rela_link_range},
    {".rela.text sh_entsize 8", m_rela_entsize_small},
    {".rela.text sh_offset + sh_size wraps", m_rela_size_wraps},
    {"relocation naming symbol 99", m_rela_symbol_range},
    {"RELR with a bitmap word first", m_relr_bitmap_first},
    {"RELR sh_entsize 2", m_relr_entsize_small},
    {"note section cut inside the second note's header", m_note_cut_in_header},
    {"note section cut inside the second note's name", m_note_cut_in_name},
    {"note namesz 0xffffffff", m_note_namesz_huge},
    {"note descsz 0xfffffff0", m_note_descsz_huge},
    {"note descsz past the section", m_note_descsz_past},
    {"note name not NUL-terminated", m_note_name_unterminated},
    {"PT_NOTE cut inside the second note's header", m_note_segment_cut},
    {"PT_NOTE p_offset past the end", m_note_segment_past_end},
    {".dynamic sh_link names a symbol table", m_dynamic_link_not_strtab},
    {".dynamic sh_link out of range", m_dynamic_link_range},
    {".dynamic sh_offset + sh_size wraps", m_dynamic_size_wraps},
    {"group member index 0", m_group_member_zero},
    {"group member index e_shnum", m_group_member_range},
    {"group sh_size 6", m_group_size_odd},
    {"group sh_size 2", m_group_size_small},
    {"group signature symbol out of range", m_group_signature_range},
    {"group sh_link out of range", m_group_symtab_range},
};

static void mutations(const elfimg *base)
{
    for (size_t i = 0; i < sizeof elf_cases / sizeof elf_cases[0]; i++) {
        elfimg g = *base;
        want x = elf_cases[i].m(&g);
        expect_elf(&g, elf_cases[i].what, x);
    }
}

/* =========================================================== archives */

enum { AR_MAX = 16384, AR_HDR = 60 };

/* An archive and where its members' headers are. */
typedef struct arch {
    uint8_t b[AR_MAX];
    size_t n;
    const char *tag;
    uint64_t symtab_hdr, symtab_data, symtab_len, names_hdr;
    uint64_t hdr[2];  /* the two regular members */
    uint64_t size[2]; /* their sizes as stored */
} arch;

static void ar_raw(arch *a, const void *p, size_t n)
{
    if (n > AR_MAX - a->n)
        abort();
    memcpy(a->b + a->n, p, n);
    a->n += n;
}

/* A 60-byte member header; returns its offset. */
static uint64_t ar_header(arch *a, const char *name, uint64_t size)
{
    char h[AR_HDR + 1];
    uint64_t at = a->n;
    snprintf(h, sizeof h, "%-16.16s%-12s%-6s%-6s%-8s%-10.10llu`\n", name, "0", "0", "0", "100644",
             (unsigned long long)size);
    ar_raw(a, h, AR_HDR);
    return at;
}

/* Member data, padded to an even offset. */
static void ar_body(arch *a, const void *p, size_t n)
{
    ar_raw(a, p, n);
    if (n & 1)
        ar_raw(a, "\n", 1);
}

static void ar_put(arch *a, uint64_t at, unsigned width, uint64_t v, bool be)
{
    for (unsigned i = 0; i < width; i++)
        a->b[at + i] = (uint8_t)(v >> (8 * (be ? width - 1 - i : i)));
}

/* Overwrite text in a member header (a field, a name). */
static void ar_text(arch *a, uint64_t at, const char *s) { memcpy(a->b + at, s, strlen(s)); }

static const char gnu_names[] = "main\0hello_sym";
static const char gnu_long[] = "a_very_long_member_name.o/\n";

/* GNU: "/" (or "/SYM64/") symbol table, "//" long names, an ELF member
 * "a.o" and a member with a long name. */
static void build_gnu(arch *a, const elfimg *elf, bool sym64)
{
    uint8_t table[3 * 8 + sizeof gnu_names] = {0};
    unsigned w = sym64 ? 8 : 4;
    memset(a, 0, sizeof *a);
    a->tag = sym64 ? "GNU /SYM64/ archive" : "GNU archive";
    ar_raw(a, "!<arch>\n", 8);
    memcpy(table + 3 * w, gnu_names, sizeof gnu_names);
    a->symtab_hdr = ar_header(a, sym64 ? "/SYM64/" : "/", 3 * w + sizeof gnu_names);
    a->symtab_data = a->n;
    a->symtab_len = 3 * w + sizeof gnu_names;
    ar_body(a, table, a->symtab_len);
    a->names_hdr = ar_header(a, "//", sizeof gnu_long - 1);
    ar_body(a, gnu_long, sizeof gnu_long - 1);
    a->hdr[0] = ar_header(a, "a.o/", elf->im.size);
    a->size[0] = elf->im.size;
    ar_body(a, elf->im.b, elf->im.size);
    a->hdr[1] = ar_header(a, "/0", 5);
    a->size[1] = 5;
    ar_body(a, "hello", 5);
    ar_put(a, a->symtab_data, w, 2, true);
    ar_put(a, a->symtab_data + w, w, a->hdr[0], true);
    ar_put(a, a->symtab_data + 2 * w, w, a->hdr[1], true);
}

static const char bsd_strings[] = "fn_one\0fn_two";

/* BSD: "__.SYMDEF SORTED" under a "#1/20" name, a member with a "#1/12"
 * name stored before its data, and a short space-padded name. */
static void build_bsd(arch *a)
{
    static const char symdef[20] = "__.SYMDEF SORTED";
    uint8_t table[20 + 4 + 16 + 4 + sizeof bsd_strings] = {0};
    memset(a, 0, sizeof *a);
    a->tag = "BSD archive";
    ar_raw(a, "!<arch>\n", 8);
    memcpy(table, symdef, 20);
    memcpy(table + 20 + 4 + 16 + 4, bsd_strings, sizeof bsd_strings);
    a->symtab_hdr = ar_header(a, "#1/20", sizeof table);
    a->symtab_data = a->symtab_hdr + AR_HDR + 20;
    ar_body(a, table, sizeof table);
    a->hdr[0] = ar_header(a, "#1/12", 12 + 3);
    a->size[0] = 3;
    ar_body(a, "bsd_member.oxyz", 15);
    a->hdr[1] = ar_header(a, "b.o", 4);
    a->size[1] = 4;
    ar_body(a, "abcd", 4);
    /* ranlib: array size in bytes, {name offset, member} pairs, string size */
    uint64_t t = a->symtab_data;
    ar_put(a, t, 4, 16, false);
    ar_put(a, t + 4, 4, 0, false);
    ar_put(a, t + 8, 4, a->hdr[0], false);
    ar_put(a, t + 12, 4, 7, false);
    ar_put(a, t + 16, 4, a->hdr[1], false);
    ar_put(a, t + 20, 4, sizeof bsd_strings, false);
}

static const char thin_long[] = "dir/thin_member_long.o/\n";

/* Thin: the members' data live in other files; only headers here. */
static void build_thin(arch *a)
{
    uint8_t table[8 + 9] = {0};
    memset(a, 0, sizeof *a);
    a->tag = "thin archive";
    ar_raw(a, "!<thin>\n", 8);
    memcpy(table + 8, "thin_sym", 9);
    a->symtab_hdr = ar_header(a, "/", sizeof table);
    a->symtab_data = a->n;
    ar_body(a, table, sizeof table);
    a->names_hdr = ar_header(a, "//", sizeof thin_long - 1);
    ar_body(a, thin_long, sizeof thin_long - 1);
    a->hdr[0] = ar_header(a, "/0", 1234);
    a->size[0] = 1234;
    a->hdr[1] = ar_header(a, "t.o/", 77);
    a->size[1] = 77;
    ar_put(a, a->symtab_data, 4, 1, true);
    ar_put(a, a->symtab_data + 4, 4, a->hdr[0], true);
}

/* ------------------------------------------------ valid archives decode */

typedef struct member_want {
    const char *name;
    uint64_t header, size;
    bool special, has_data;
} member_want;

static bool member_is(const keel_ar_member *m, const member_want *x)
{
    return m->name_len == strlen(x->name) && memcmp(m->name, x->name, m->name_len) == 0 &&
           m->header_offset == x->header && m->size == x->size && m->special == x->special &&
           (m->data != NULL) == x->has_data;
}

static void check_members(const arch *a, const member_want *x, int n)
{
    uint8_t *buf = exact_copy(a->b, a->n);
    keel_ar ar;
    keel_ar_member m;
    uint64_t pos = 0;
    int i = 0, rc = keel_ar_open(&ar, buf, a->n, NULL);
    bool good = rc == 0;
    while (good && (rc = keel_ar_next(&ar, &pos, &m, NULL)) == 1) {
        good = i < n && member_is(&m, &x[i]);
        if (!good)
            tap_diag("member %d: '%.*s', header 0x%llx, size %llu", i, (int)m.name_len, m.name,
                     (unsigned long long)m.header_offset, (unsigned long long)m.size);
        i++;
    }
    tap_point(good && rc == 0 && i == n, NULL, "%s: members, names, sizes and header offsets", a->tag);
    free(buf);
}

static void check_symbols(const arch *a, int kind, const char *const *names, const uint64_t *members, int n)
{
    uint8_t *buf = exact_copy(a->b, a->n);
    keel_ar ar;
    keel_ar_symbols s;
    const char *name;
    uint64_t member;
    int i = 0, rc = -1;
    bool good = keel_ar_open(&ar, buf, a->n, NULL) == 0 && ar.symtab_kind == kind &&
                keel_ar_symbols_begin(&ar, &s, NULL) == 0 && s.count == (uint64_t)n;
    while (good && (rc = keel_ar_symbols_next(&s, &name, &member, NULL)) == 1) {
        good = i < n && strcmp(name, names[i]) == 0 && member == members[i];
        i++;
    }
    tap_point(good && rc == 0 && i == n, NULL, "%s: symbol table kind %d, each symbol's member", a->tag, kind);
    free(buf);
}

static void sane_gnu(const elfimg *elf, bool sym64)
{
    arch a;
    build_gnu(&a, elf, sym64);
    const member_want x[] = {
        {sym64 ? "/SYM64/" : "/", a.symtab_hdr, 3 * (sym64 ? 8 : 4) + sizeof gnu_names, true, true},
        {"//", a.names_hdr, sizeof gnu_long - 1, true, true},
        {"a.o", a.hdr[0], a.size[0], false, true},
        {"a_very_long_member_name.o", a.hdr[1], 5, false, true},
    };
    const char *const names[] = {"main", "hello_sym"};
    const uint64_t members[] = {a.hdr[0], a.hdr[1]};
    check_members(&a, x, 4);
    check_symbols(&a, sym64 ? KEEL_AR_SYMTAB_GNU64 : KEEL_AR_SYMTAB_GNU32, names, members, 2);
    expect_walk(a.b, a.n, true, want_ok(), "%s with an ELF member", a.tag);
}

static void sane_bsd(void)
{
    arch a;
    build_bsd(&a);
    const member_want x[] = {
        {"__.SYMDEF SORTED", a.symtab_hdr, 20 + 4 + 16 + 4 + sizeof bsd_strings - 20, true, true},
        {"bsd_member.o", a.hdr[0], 3, false, true},
        {"b.o", a.hdr[1], 4, false, true},
    };
    const char *const names[] = {"fn_one", "fn_two"};
    const uint64_t members[] = {a.hdr[0], a.hdr[1]};
    check_members(&a, x, 3);
    check_symbols(&a, KEEL_AR_SYMTAB_BSD, names, members, 2);
    expect_walk(a.b, a.n, true, want_ok(), "%s", a.tag);
}

static void sane_thin(void)
{
    arch a;
    build_thin(&a);
    const member_want x[] = {
        {"/", a.symtab_hdr, 17, true, true},
        {"//", a.names_hdr, sizeof thin_long - 1, true, true},
        {"dir/thin_member_long.o", a.hdr[0], 1234, false, false},
        {"t.o", a.hdr[1], 77, false, false},
    };
    const char *const names[] = {"thin_sym"};
    const uint64_t members[] = {a.hdr[0]};
    check_members(&a, x, 4);
    check_symbols(&a, KEEL_AR_SYMTAB_GNU32, names, members, 1);
    expect_walk(a.b, a.n, true, want_ok(), "%s", a.tag);
}

static void sane_empty_archive(void) { expect_walk("!<arch>\n", 8, true, want_ok(), "archive with no members"); }

/* ------------------------------------------------- broken archives */

typedef want (*ar_mutation)(arch *a);

static want a_bad_size(arch *a)
{
    ar_text(a, a->hdr[0] + 48, "12a4      ");
    return want_err(KEEL_E_FORMAT, a->hdr[0] + 48);
}

static want a_member_past_end(arch *a)
{
    ar_text(a, a->hdr[1] + 48, "99999     ");
    return want_err(KEEL_E_TRUNCATED, a->hdr[1]);
}

static want a_symtab_past_end(arch *a)
{
    ar_text(a, a->symtab_hdr + 48, "99999     ");
    return want_err(KEEL_E_TRUNCATED, a->symtab_hdr);
}

static want a_bad_terminator(arch *a)
{
    ar_text(a, a->hdr[1] + 58, "x");
    return want_err(KEEL_E_FORMAT, a->hdr[1]);
}

static want a_long_name_range(arch *a)
{
    ar_text(a, a->hdr[1], "/9999");
    return want_err(KEEL_E_INDEX, a->hdr[1]);
}

static want a_long_name_junk(arch *a)
{
    ar_text(a, a->hdr[1], "/12x");
    return want_err(KEEL_E_FORMAT, a->hdr[1]);
}

/* Rename "//": the long-name reference then has no table. */
static want a_long_name_no_table(arch *a)
{
    ar_text(a, a->names_hdr, "xx.o/");
    return want_err(KEEL_E_INDEX, a->hdr[1]);
}

/* 2^32 - 1 entries cannot fit in the table. */
static want a_symtab_count(arch *a)
{
    ar_put(a, a->symtab_data, 4, UINT32_MAX, true);
    return want_err(KEEL_E_RANGE, a->symtab_data);
}

/* 2^61 entries of 8 bytes: count * 8 overflows 64 bits. */
static want a_sym64_count(arch *a)
{
    ar_put(a, a->symtab_data, 8, (uint64_t)1 << 61, true);
    return want_err(KEEL_E_RANGE, a->symtab_data);
}

static want a_symtab_name_unterminated(arch *a)
{
    a->b[a->symtab_data + 12 + sizeof gnu_names - 1] = 'x';
    return want_err(KEEL_E_FORMAT, a->symtab_data);
}

static want a_symtab_member_past_end(arch *a)
{
    ar_put(a, a->symtab_data + 8, 4, 0x7fffffff, true);
    return want_err(KEEL_E_RANGE, a->symtab_data);
}

static want a_cut_in_first_header(arch *a)
{
    a->n = 8 + 30;
    return want_err(KEEL_E_TRUNCATED, 8);
}

static const struct {
    const char *what;
    ar_mutation m;
} gnu_cases[] = {
    {"size field '12a4'", a_bad_size},
    {"member size past the end", a_member_past_end},
    {"symbol table size past the end", a_symtab_past_end},
    {"header terminator not a backquote-newline", a_bad_terminator},
    {"long name offset past the name table", a_long_name_range},
    {"long name reference not a number", a_long_name_junk},
    {"long name without a name table", a_long_name_no_table},
    {"symbol count 2^32-1", a_symtab_count},
    {"symbol name not NUL-terminated", a_symtab_name_unterminated},
    {"symbol naming a member past the end", a_symtab_member_past_end},
    {"cut inside the first member header", a_cut_in_first_header},
};

static want b_ranlib_size(arch *a)
{
    ar_put(a, a->symtab_data, 4, 12, false);
    return want_err(KEEL_E_RANGE, a->symtab_data);
}

static want b_strsize(arch *a)
{
    ar_put(a, a->symtab_data + 20, 4, 1000, false);
    return want_err(KEEL_E_RANGE, a->symtab_data);
}

static want b_strx_range(arch *a)
{
    ar_put(a, a->symtab_data + 4, 4, 1000, false);
    return want_err(KEEL_E_INDEX, a->symtab_data);
}

static want b_bad_name(arch *a)
{
    ar_text(a, a->hdr[0], "#1/1z");
    return want_err(KEEL_E_FORMAT, a->hdr[0]);
}

static want b_name_longer_than_member(arch *a)
{
    ar_text(a, a->hdr[0], "#1/99");
    return want_err(KEEL_E_FORMAT, a->hdr[0]);
}

static const struct {
    const char *what;
    ar_mutation m;
} bsd_cases[] = {
    {"ranlib array size not a multiple of 8", b_ranlib_size},
    {"ranlib string table size past the member", b_strsize},
    {"ranlib name offset past the strings", b_strx_range},
    {"BSD long name length not a number", b_bad_name},
    {"BSD long name longer than the member", b_name_longer_than_member},
};

static want t_long_name_range(arch *a)
{
    ar_text(a, a->hdr[0], "/999");
    return want_err(KEEL_E_INDEX, a->hdr[0]);
}

static want t_symtab_member_past_end(arch *a)
{
    ar_put(a, a->symtab_data + 4, 4, 0x7fffffff, true);
    return want_err(KEEL_E_RANGE, a->symtab_data);
}

static const struct {
    const char *what;
    ar_mutation m;
} thin_cases[] = {
    {"long name offset past the name table", t_long_name_range},
    {"symbol naming a member past the end", t_symtab_member_past_end},
};

static void expect_ar(const arch *base, const char *what, ar_mutation m)
{
    arch *a = malloc(sizeof *a);
    if (!a)
        abort();
    *a = *base;
    want x = m(a);
    expect_walk(a->b, a->n, true, x, "%s: %s", a->tag, what);
    free(a);
}

/* Member "a.o" claims 100 bytes: the ELF image inside is cut, and its error
 * is reported with offsets relative to the member. */
static void ar_elf_member_cut(const arch *base, const elfimg *elf)
{
    arch *a = malloc(sizeof *a);
    if (!a)
        abort();
    *a = *base;
    ar_text(a, a->hdr[0] + 48, "100       ");
    expect_walk(a->b, a->n, true, want_err(KEEL_E_TRUNCATED, elf->shoff),
                "%s: ELF member cut to 100 bytes (offsets relative to the member)", a->tag);
    free(a);
}

/* What a walk of the GNU archive cut to `size` bytes must report: the
 * member the cut falls in; a cut between members ends the archive early,
 * and then the symbol table names members past the end. */
static want ar_cut_want(const arch *a, uint64_t size)
{
    const uint64_t hdr[] = {a->symtab_hdr, a->names_hdr, a->hdr[0], a->hdr[1]};
    const uint64_t len[] = {a->symtab_len, sizeof gnu_long - 1, a->size[0], a->size[1]};
    if (size < 8)
        return want_err(KEEL_E_NOT_ELF, 0);
    for (int i = 0; i < 4; i++) {
        if (size <= hdr[i]) /* every symbol names a later member */
            return i == 0 ? want_ok() : want_err(KEEL_E_RANGE, a->symtab_data);
        if (size < hdr[i] + AR_HDR + len[i])
            return want_err(KEEL_E_TRUNCATED, hdr[i]);
    }
    return want_ok();
}

static void ar_cuts(const arch *a)
{
    char why[300];
    misses ms = {0};
    for (uint64_t n = 0; n <= a->n; n++) {
        want x = ar_cut_want(a, n);
        walk w = walk_copy(a->b, n, true);
        const char *m = mismatch(&w, x, why, sizeof why);
        if (m)
            miss(&ms, n, x, &w, m);
    }
    tap_point(!ms.n, NULL, "%s: cut to every size in [0, %zu]: the member cut (or the symbol table) is reported",
              a->tag, a->n);
    misses_show(&ms);
}

static void archives(const elfimg *elf)
{
    arch *a = malloc(sizeof *a);
    if (!a)
        abort();
    sane_gnu(elf, false);
    sane_gnu(elf, true);
    sane_bsd();
    sane_thin();
    sane_empty_archive();
    build_gnu(a, elf, false);
    for (size_t i = 0; i < sizeof gnu_cases / sizeof gnu_cases[0]; i++)
        expect_ar(a, gnu_cases[i].what, gnu_cases[i].m);
    ar_elf_member_cut(a, elf);
    ar_cuts(a);
    build_gnu(a, elf, true);
    expect_ar(a, "symbol count 2^61 (count * 8 overflows)", a_sym64_count);
    build_bsd(a);
    for (size_t i = 0; i < sizeof bsd_cases / sizeof bsd_cases[0]; i++)
        expect_ar(a, bsd_cases[i].what, bsd_cases[i].m);
    build_thin(a);
    for (size_t i = 0; i < sizeof thin_cases / sizeof thin_cases[0]; i++)
        expect_ar(a, thin_cases[i].what, thin_cases[i].m);
    free(a);
}

/* ========================================================= names API */

/* Run keel_section_flags_string(ALLOC|EXECINSTR) into `n` bytes in a child
 * with an alarm, so that a call that never returns cannot stall the test.
 * True if it returned with the expected (cut, terminated) string. */
static bool flags_call_returns(size_t n, const char *expect, int *signal)
{
    pid_t pid = fork();
    int status = 0;
    if (pid == 0) {
        char buf[8] = "xxxxxxx";
        alarm(2);
        keel_section_flags_string(SHF_ALLOC_ | SHF_EXECINSTR_, EM_X86_64_, n ? buf : NULL, n);
        _exit(!n || strcmp(buf, expect) == 0 ? 0 : 1);
    }
    if (pid < 0 || waitpid(pid, &status, 0) != pid)
        return false;
    *signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void flags_short_buffer(void)
{
    int sig = 0;
    tap_point(flags_call_returns(6, "ALLOC", &sig), NULL,
              "keel_section_flags_string(ALLOC|EXECINSTR) into 6 bytes returns \"ALLOC\", cut and terminated");
    if (sig)
        tap_diag("killed by signal %d (the alarm: the call did not return within 2 s)", sig);
    sig = 0;
    tap_point(flags_call_returns(0, "", &sig), NULL,
              "keel_section_flags_string(ALLOC|EXECINSTR) into 0 bytes (a length query) returns");
    if (sig)
        tap_diag("killed by signal %d (the alarm: the call did not return within 2 s)", sig);
}

/* ============================================================== seeds */

static void write_seed(const char *dir, const char *name, const void *data, size_t size)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        fprintf(stderr, "elf_malformed: cannot write seed %s\n", path);
}

/* The valid images and archives, for the fuzzer to start from. */
static void write_seeds(const char *dir, const elfimg *img, int n)
{
    arch *a = malloc(sizeof *a);
    char name[64];
    if (!a)
        abort();
    for (int i = 0; i < n; i++) {
        elfimg g = img[i];
        snprintf(name, sizeof name, "seed-elf-%d", i);
        write_seed(dir, name, g.im.b, g.im.size);
        extended_numbering(&g);
        snprintf(name, sizeof name, "seed-elf-%d-xnum", i);
        write_seed(dir, name, g.im.b, g.im.size);
    }
    build_gnu(a, &img[0], false);
    write_seed(dir, "seed-ar-gnu", a->b, a->n);
    build_gnu(a, &img[1], true);
    write_seed(dir, "seed-ar-sym64", a->b, a->n);
    build_bsd(a);
    write_seed(dir, "seed-ar-bsd", a->b, a->n);
    build_thin(a);
    write_seed(dir, "seed-ar-thin", a->b, a->n);
    free(a);
}

/* =============================================================== main */

int main(void)
{
    static elfimg img[4];
    build_elf(&img[0], true, false);
    build_elf(&img[1], false, false);
    build_elf(&img[2], true, true);
    build_elf(&img[3], false, true);
    for (int i = 0; i < 2; i++) {
        sane(&img[i]);
        mutations(&img[i]);
        cuts_tail(&img[i]);
        cuts_no_sections(&img[i]);
    }
    for (int i = 2; i < 4; i++) {
        expect_elf(&img[i], "valid image", want_ok());
        cuts_head(&img[i]);
    }
    archives(&img[0]);
    flags_short_buffer();
    const char *dir = getenv("KEEL_SEED_DIR");
    if (dir && *dir)
        write_seeds(dir, img, 4);
    return tap_finish();
}
