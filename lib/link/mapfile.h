/* The mapfile reader: Solaris mapfile version 2 (the notes: docs/linker.md,
 * "Mapfiles") read into a list of directive records, which the layout
 * step applies to the segment model (segments.c).  The reader checks
 * everything that needs no layout: the lexical grammar, conditional
 * input, the grammar of every directive, the attributes each accepts with
 * their operators and values, and the rules that span mapfiles (entrance
 * criteria names, IS_ORDER, OS_ORDER, SIZE_SYMBOL, SEGMENT_ORDER, segment
 * kinds).  Its records keep their file and line for the layout's
 * messages.  Memory: the caller's arena. */
#ifndef KEEL_LINK_MAPFILE_H
#define KEEL_LINK_MAPFILE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "internal.h"

/* Every keyword of the language (case-insensitive, never quoted). */
#define MF_KEYWORDS(X)                                                                                                 \
    X(LOAD_SEGMENT)                                                                                                    \
    X(NOTE_SEGMENT)                                                                                                    \
    X(NULL_SEGMENT)                                                                                                    \
    X(RESERVE_SEGMENT)                                                                                                 \
    X(SEGMENT_ORDER)                                                                                                   \
    X(STACK)                                                                                                           \
    X(HDR_NOALLOC)                                                                                                     \
    X(PHDR_ADD_NULL)                                                                                                   \
    X(CAPABILITY)                                                                                                      \
    X(SYMBOL_SCOPE)                                                                                                    \
    X(SYMBOL_VERSION)                                                                                                  \
    X(DEPEND_VERSIONS)                                                                                                 \
    X(STUB_OBJECT)                                                                                                     \
    X(FILTER)                                                                                                          \
    X(ANCILLARY)                                                                                                       \
    /* segment attributes */                                                                                           \
    X(ALIGN)                                                                                                           \
    X(ASSIGN_SECTION)                                                                                                  \
    X(DISABLE)                                                                                                         \
    X(FLAGS)                                                                                                           \
    X(IS_ORDER)                                                                                                        \
    X(MAX_SIZE)                                                                                                        \
    X(NOHDR)                                                                                                           \
    X(OS_ORDER)                                                                                                        \
    X(PADDR)                                                                                                           \
    X(ROUND)                                                                                                           \
    X(SIZE_SYMBOL)                                                                                                     \
    X(VADDR)                                                                                                           \
    X(SIZE)                                                                                                            \
    X(TYPE)                                                                                                            \
    /* entrance criteria and output sections */                                                                        \
    X(FILE_BASENAME)                                                                                                   \
    X(FILE_OBJNAME)                                                                                                    \
    X(FILE_PATH)                                                                                                       \
    X(IS_NAME)                                                                                                         \
    X(OUTPUT_SECTION)                                                                                                  \
    X(DISCARD)                                                                                                         \
    X(NAME)                                                                                                            \
    X(MATCH)                                                                                                           \
    X(MATCHREF)                                                                                                        \
    /* segment flags (FLAGS), section flags (criteria) */                                                              \
    X(READ)                                                                                                            \
    X(WRITE)                                                                                                           \
    X(EXECUTE)                                                                                                         \
    X(DATA)                                                                                                            \
    X(ALLOC)                                                                                                           \
    X(AMD64_LARGE)                                                                                                     \
    /* reservations */                                                                                                 \
    X(RESERVE)                                                                                                         \
    X(SYSSTAT)                                                                                                         \
    X(SYSSTAT_ZONE)                                                                                                    \
    /* symbol scopes */                                                                                                \
    X(DEFAULT)                                                                                                         \
    X(GLOBAL)                                                                                                          \
    X(LOCAL)                                                                                                           \
    X(HIDDEN)                                                                                                          \
    X(ELIMINATE)                                                                                                       \
    X(EXPORTED)                                                                                                        \
    X(PROTECTED)                                                                                                       \
    X(SYMBOLIC)                                                                                                        \
    X(SINGLETON)                                                                                                       \
    /* symbol attributes, flags, types */                                                                              \
    X(AUXILIARY)                                                                                                       \
    X(VALUE)                                                                                                           \
    X(ASSERT)                                                                                                          \
    X(RENAME)                                                                                                          \
    X(DIRECT)                                                                                                          \
    X(DYNSORT)                                                                                                         \
    X(EXTERN)                                                                                                          \
    X(INTERPOSE)                                                                                                       \
    X(NODIRECT)                                                                                                        \
    X(NODYNSORT)                                                                                                       \
    X(PARENT)                                                                                                          \
    X(COMMON)                                                                                                          \
    X(FUNCTION)                                                                                                        \
    X(TLS)                                                                                                             \
    X(ALIAS)                                                                                                           \
    X(BINDING)                                                                                                         \
    X(SH_ATTR)                                                                                                         \
    X(BITS)                                                                                                            \
    X(NOBITS)                                                                                                          \
    X(WEAK)                                                                                                            \
    /* capabilities, versions */                                                                                       \
    X(HW)                                                                                                              \
    X(HW_1)                                                                                                            \
    X(HW_2)                                                                                                            \
    X(SF)                                                                                                              \
    X(SF_1)                                                                                                            \
    X(MACHINE)                                                                                                         \
    X(PLATFORM)                                                                                                        \
    X(ALLOW)                                                                                                           \
    X(REQUIRE)

enum mf_key {
    MF_K_NONE,
#define MF_X(k) MF_K_##k,
    MF_KEYWORDS(MF_X)
#undef MF_X
        MF_K_SYMBOL, /* a symbol of a SYMBOL_SCOPE or SYMBOL_VERSION body (not a keyword) */
    MF_NKEYS
};

/* The keyword's name ("LOAD_SEGMENT"); "SYMBOL" for MF_K_SYMBOL. */
const char *mf_key_name(unsigned key);
/* The keyword s[0..n) names, whatever its case; MF_K_NONE if none. */
unsigned mf_keyword(const char *s, size_t n);

enum mf_op { MF_BARE, MF_SET, MF_ADD, MF_SUB }; /* none, =, +=, -= */

enum mf_vkind {
    MF_V_NAME,    /* str: a name (segment, section, symbol, file, version, string) */
    MF_V_INT,     /* num */
    MF_V_KEY,     /* key (a flag, type, scope...); num: its value where it has one
                   * (PF_*, SHF_*), neg: written !KEY */
    MF_V_SHT,     /* a section type: num its SHT_* value, str its name without SHT_ */
    MF_V_MATCH,   /* MATCH(m/str/[i]): match 'g' (glob), 'r' (ERE) or 't' (text) */
    MF_V_MATCHREF /* MATCHREF(/str/): a template of ${n} references */
};

typedef struct mf_value {
    uint8_t kind; /* enum mf_vkind */
    bool neg;     /* MF_V_KEY: !KEY */
    char match;   /* MF_V_MATCH: 'g', 'r' or 't' */
    bool icase;   /* MF_V_MATCH: the trailing i */
    uint16_t key; /* MF_V_KEY: enum mf_key */
    uint64_t num; /* MF_V_INT; MF_V_KEY, MF_V_SHT: its value */
    const char *str;
} mf_value;

/* An attribute: FLAGS += READ; ASSIGN_SECTION name { ... }; a symbol of a
 * symbol body (key MF_K_SYMBOL, name the symbol or "*", scope its scope). */
typedef struct mf_attr {
    uint16_t key;   /* enum mf_key */
    uint8_t op;     /* enum mf_op */
    uint16_t scope; /* MF_K_SYMBOL: the scope keyword in force (MF_K_DEFAULT before any) */
    bool braces;    /* written with a { } block */
    uint32_t line;
    const char *name; /* ASSIGN_SECTION's (NULL: none), a symbol's */
    mf_value *v;
    size_t nv;
    struct mf_attr *sub; /* ASSIGN_SECTION's, OUTPUT_SECTION's, a symbol's, ASSERT's */
    size_t nsub;
} mf_attr;

/* A top-level directive. */
typedef struct mf_directive {
    uint16_t key; /* enum mf_key: LOAD_SEGMENT, STACK... */
    uint8_t op;   /* SEGMENT_ORDER, PHDR_ADD_NULL: the operator */
    bool braces;  /* written with a { } block */
    const char *file;
    uint32_t line;
    const char *name; /* the segment, version, object or capability id; NULL */
    mf_value *v;      /* SEGMENT_ORDER's segments, PHDR_ADD_NULL's count,
                       * SYMBOL_VERSION's inherited versions */
    size_t nv;
    mf_attr *attrs;
    size_t nattrs;
} mf_directive;

/* What conditional input may ask about the output. */
typedef struct mf_target {
    int elfclass;        /* 1 (ELFCLASS32) or 2 (ELFCLASS64): integers' width, _ELF32/_ELF64 */
    const char *machine; /* the machine's names, blank-separated (ka_arch's mapfile_names); NULL: none */
    uint16_t etype;      /* ET_REL (1), ET_EXEC (2), ET_DYN (3): _ET_REL, _ET_EXEC, _ET_DYN */
} mf_target;

typedef struct mf_reader mf_reader; /* mapfile_read.c */

/* A reader for a link's mapfiles, its records and tables in arena a; its
 * errors to err ("FILE: line N: message").  NULL when out of memory. */
mf_reader *mf_reader_new(lk_arena *a, const mf_target *t, keel_error *err);
/* Reads mapfile path (a directory: every file in it not starting with
 * '.', in strcmp order of their names), its directives appended. */
int mf_read_path(mf_reader *r, const char *path);
/* Reads text[0..len) as a mapfile named name (its bytes are copied). */
int mf_read_text(mf_reader *r, const char *name, const char *text, size_t len);
/* The checks that wait for every mapfile (a RESERVE_SEGMENT's VADDR and
 * SIZE, which a later directive may give). */
int mf_finish(mf_reader *r);
/* The directives read so far, in order. */
const mf_directive *mf_directives(const mf_reader *r, size_t *n);
/* The records in a canonical text form, one line per directive and
 * attribute (tests/mapfile_read.t compares it with hand-written text). */
void mf_print(FILE *f, const mf_directive *d, size_t n);
/* The directives applied to l's segment model (mapfile_apply.c), after
 * lk_segments_default and before lk_place_sections. */
int lk_apply_mapfiles(lk_link *l, const mf_directive *d, size_t n);
/* A SYMBOL_SCOPE or SYMBOL_VERSION directive: its refusals and VALUE's
 * definitions (mapfile_apply_symbols.c). */
int lk_apply_symbol_scope(lk_link *l, const mf_directive *d);
/* A CAPABILITY directive: checked and recorded (mapfile_apply_cap.c). */
int lk_apply_capability(lk_link *l, const mf_directive *d);
/* --print-mapfile: the segment model as a mapfile, written to the file
 * path (mapfile_apply_print.c). */
int lk_print_mapfile(lk_link *l, const char *path);

#endif
