/* The link-editor's internal model: the arena, input files, the global
 * symbol table and the archive rules. */
#ifndef KEEL_LINK_INTERNAL_H
#define KEEL_LINK_INTERNAL_H

#include <keel/link.h>
#include <stddef.h>

#include "../resolve/resolve.h"

/* v rounded up to a (a power of two, as every alignment is checked to be) */
static inline uint64_t align_up(uint64_t v, uint64_t a) { return a > 1 ? (v + a - 1) & ~(a - 1) : v; }

typedef struct lk_arena {
    char *cur, *end;
    struct chunk *chunks;
    size_t chunk_size;
} lk_arena;

void *lk_alloc(lk_arena *a, size_t size);
/* from's chunks become a's, to be freed with it (from is left empty). */
void lk_arena_adopt(lk_arena *a, lk_arena *from);
void *lk_zalloc(lk_arena *a, size_t size);
char *lk_strndup(lk_arena *a, const char *s, size_t n);
void *lk_grow(lk_arena *a, void *v, size_t n, size_t *cap, size_t elem, size_t first);
void lk_arena_free(lk_arena *a);

/* A merged section's map: where each of its strings or constants went in
 * its pool (merge.c): the offset each starts at, and its pool entry. */
typedef struct lk_merged {
    struct lk_pool *pool;
    size_t n;
    uint32_t *in, *entry;
    uint64_t size;  /* the input section's */
    uint32_t piece; /* its piece in the output section */
} lk_merged;

/* A relocatable object in the link: given on the command line, or a member
 * taken from an archive. */
typedef struct lk_file {
    /* the parsed input both parts share (lib/resolve/input.c), as `in`;
     * its members are also lk_file's own (name, path, member, elf,
     * symtab, has_symtab, sections...), the same storage */
    union {
        kr_input_file in;
        struct {
            KR_INPUT_FILE_MEMBERS
        };
    };
    bool *dropped;        /* per section: in a COMDAT group already taken */
    struct lk_sym **kept; /* per section dropped: the group or linkonce record that won (kept.c) */
    struct lk_osec **out; /* per section: the output section it went to */
    uint64_t *pos;        /* per section: its offset in that output section */
    uint32_t *ifunc;      /* per symbol: 1 + its IRELATIVE entry, for IFUNCs it defines */
    bool *live;           /* per section, with --gc-sections: reachable */
    lk_merged **merged;   /* per section: its strings' places, if merged */
    struct lk_eh **eh;    /* per section: an edited .eh_frame's records (ehedit.c) */
    struct lk_sym **gsym; /* per symbol: the global it names (cached lookups) */
    uint32_t *sym_out;    /* --emit-relocs: per local symbol, its index in the output's .symtab (0: none) */
    uint32_t index;       /* load order */
} lk_file;

/* The shared precedence's kinds (lib/resolve), under the link's names. */
enum lk_sym_state {
    LK_UNDEF = KR_UNDEF,           /* referenced, not defined: pulls archive members */
    LK_UNDEF_WEAK = KR_UNDEF_WEAK, /* only weak references: pulls nothing */
    LK_SHARED = KR_SHARED,         /* defined by a shared library only (dso.c: sym->dso says which) */
    LK_COMMON = KR_COMMON,         /* a tentative definition */
    LK_WEAK = KR_WEAK,             /* a weak definition */
    LK_DEFINED = KR_DEFINED,       /* a strong definition */
};

typedef struct lk_sym {
    const char *name;
    uint32_t hash;
    uint8_t state;          /* enum lk_sym_state */
    uint8_t type;           /* STT_* of the definition */
    uint8_t mark;           /* scratch of one pass (link.c's undefined check) */
    uint8_t scope;          /* a mapfile's SYMBOL_SCOPE (enum lk_scope; mapfile_apply_symbols.c) */
    lk_file *def;           /* the defining file */
    uint32_t def_index;     /* its symbol index there */
    uint64_t size, align;   /* of a common */
    lk_file *ref;           /* the first file that referenced it (ld's map) */
    uint64_t common_offset; /* a common's place in the COMMON section */
    const char *defsym;     /* --defsym NAME=EXPR: the expression (it wins) */
    uint32_t out_index;     /* --emit-relocs: its index in the output's .symtab (0: none) */
    uint8_t pol_vis;        /* export_policy.c: the most constraining STV_* of all its symbols */
    uint8_t pol_flags;      /* export_policy.c: LK_POL_*; object.c: LK_POL_ALIAS */
    uint16_t pol_ver;       /* export_policy.c: its version node, 1 + its index (0: none) */
    bool cached, ctls;      /* lk_global_value's answer, once the addresses are final: */
    uint64_t cvalue, csize; /* every relocation against the symbol asks it */
    /* LK_SHARED (dso.c): the library defining it, its .dynsym index and
     * version index there, and its st_other; type and size are the
     * definition's, in the fields above.  While it is undefined, dso is
     * the library that referenced it before any regular object did (GNU
     * ld's first referencing file, for "DSO missing") */
    struct lk_dso *dso;
    uint32_t dso_index;
    uint16_t dso_version;
    uint8_t other;
    bool dso_ref;       /* undefined (LK_UNDEF) by a shared library's strong reference, before any regular one */
    bool ref_strong;    /* a regular object references it strongly (ld.bfd's ref_regular_nonweak): what
                      * --as-needed and "DSO missing" ask, and a weak dynamic reference otherwise */
    uint8_t undef_weak; /* LK_UNDEF_WEAK in an executable: how it is reached (LK_UW_*, dyn_undefweak.c) */
    uint32_t dynsym;    /* dynamic output: its index in .dynsym (0: none; UINT32_MAX: wanted, dyn_symbols.c) */
    uint32_t import_at; /* an import in an executable (dyn_import.c): 1 + its copy's index (LK_IMPORT_PLT:
                         * its canonical PLT entry), 0: none */
    uint32_t scan_plt;  /* scan_filter.c: 1 + the index of the first call that makes its PLT entry (atomic) */
} lk_sym;

/* lk_sym.undef_weak: through the GOT or PLT; directly from code */
enum { LK_UW_GOTPLT = 1, LK_UW_CODE = 2 };

/* lk_sym.pol_flags: NAME, defined by NAME@@VER (ld.bfd's indirect symbol:
 * not written to .symtab nor .dynsym; object.c) */
#define LK_POL_ALIAS 64

/* (PROTECTED: a mapfile's protected/symbolic scope, in a dynamic output:
 * global, its visibility STV_PROTECTED for the export policy) */
enum lk_scope { LK_SCOPE_NONE, LK_SCOPE_GLOBAL, LK_SCOPE_LOCAL, LK_SCOPE_ELIMINATE, LK_SCOPE_PROTECTED };

typedef struct lk_symtab {
    lk_sym **v; /* open addressing; capacity a power of two */
    size_t cap, n;
} lk_symtab;

uint32_t lk_hash(const char *s);
lk_sym *lk_sym_find(const lk_symtab *t, const char *name, uint32_t hash);
/* The symbol of that name, made (undefined, unreferenced) if new. */
lk_sym *lk_sym_intern(lk_symtab *t, lk_arena *a, const char *name, uint32_t hash);

/* An archive member taken, and why (ld's map: "Archive member included to
 * satisfy reference by file (symbol)"). */
typedef struct lk_taken {
    lk_file *member;
    lk_file *by;
    const char *symbol;
} lk_taken;

/* An archive on the command line: the shared walk's state
 * (lib/resolve/pull.c) and the group it is in. */
typedef struct lk_archive {
    kr_archive kr;
    uint32_t group;
} lk_archive;

/* An input section's place in its output section. */
typedef struct lk_piece {
    lk_file *file;
    uint32_t shndx;
    uint64_t size, align;
    uint64_t offset; /* in the output section */
    uint32_t seq;    /* input order, for stable sorts */
    bool reverse;    /* .ctors/.dtors folded into an init/fini array: its words run backwards */
} lk_piece;

typedef struct lk_osec {
    const char *name;
    uint32_t type;
    uint64_t flags;
    uint64_t align, size, addr, offset;
    struct lk_segment *seg; /* the segment it is in */
    uint32_t seq;           /* first seen, for the order within a class */
    bool note;              /* also described by the note segment */
    lk_piece *pieces;
    size_t npieces, cap;
    uint32_t index;       /* in the output's section headers */
    bool new_load;        /* placed by --section-start away from what precedes it: a PT_LOAD of its own */
    uint8_t *data;        /* the bytes being written */
    struct lk_pool *pool; /* merged strings and constants (merge.c): a list */
    lk_piece *unordered;  /* IS_ORDER moved pieces: the list before it (the address map's original order) */
    size_t nunordered;
} lk_osec;

/* The roles of the built-in segments: code asks for one of them by its
 * role (lk_seg_role), never by its place in the list, which a mapfile may
 * change.  A segment a mapfile makes has none. */
enum lk_role {
    LK_ROLE_NONE,
    LK_ROLE_HEADER,
    LK_ROLE_TEXT,
    LK_ROLE_RODATA,
    LK_ROLE_DATA,
    LK_ROLE_BSS,
    LK_ROLE_NOTE,
    LK_ROLE_EXTRA,
    LK_NROLES
};

/* A list of names (or fnmatch patterns), in the link's arena. */
typedef struct lk_names {
    const char **v;
    size_t n, cap;
} lk_names;

/* A segment (segments.c): its attributes, which the defaults and options
 * (later a mapfile) set before the layout, then what the layout made of it. */
typedef struct lk_segment {
    const char *name;
    uint32_t type, flags; /* PT_LOAD, PT_NOTE or PT_NULL (0); PF_* */
    uint8_t role;         /* enum lk_role */
    bool disabled;        /* receives no sections; its criteria are passed over */
    bool has_addr;        /* starts at addr (else after the segment before it) */
    uint64_t addr;
    uint64_t p_align;   /* its PT_LOADs' alignment (0: the maximum page size) */
    uint64_t max_size;  /* its size in memory may not exceed this (0: no limit) */
    uint32_t rank;      /* laid out by rank, ties in list order (all 0 by default) */
    lk_names os_order;  /* these output sections first, in this order, then by class */
    lk_names size_syms; /* symbols whose value is its size in memory */
    /* a mapfile's (mapfile_apply.c; docs/linker.md, "Mapfiles") */
    bool flags_auto; /* a new LOAD segment without FLAGS: its sections' needs (never W and X) */
    bool nohdr;      /* NOHDR: no headers in it, if it comes first */
    bool reserve;    /* RESERVE_SEGMENT: a PT_LOAD of size reserve_size, no access, no file bytes */
    bool has_paddr;  /* PADDR: its PT_LOAD's p_paddr (else p_vaddr) */
    uint64_t paddr;
    uint64_t round; /* ROUND: its first section's alignment at least this (0: none) */
    uint64_t reserve_size;
    lk_names is_order; /* IS_ORDER: criteria labels; what they place first in each output section */
    /* the layout's */
    uint32_t index; /* its place in the list (kept up to date) */
    bool headers;   /* holds the ELF header and program headers (the first loadable one) */
    struct lk_osec **secs;
    size_t nsecs, cap;
    /* the extent in memory, from its first PT_LOAD to its last section (a
     * --section-start may split it into several PT_LOADs) */
    uint64_t vaddr, offset, filesz, memsz, align;
} lk_segment;

/* An entrance criterion: an input section that matches all it names goes
 * to its segment (into the output section osname, if set).  A criterion
 * of a PT_NOTE segment marks the section as a note and the search goes on
 * for where it is loaded. */
/* A mapfile's FILE_PATH, FILE_BASENAME or FILE_OBJNAME value: each kind
 * is matched only against its own form of the file's name (segments.c's
 * file_matches). */
enum lk_file_kind { LK_FILE_PATH, LK_FILE_BASENAME, LK_FILE_OBJNAME };
typedef struct lk_filepat {
    const char *file;   /* the path, basename or object name (an fnmatch pattern if glob) */
    const char *member; /* of "archive(member)": the member's; NULL: every member, or a plain file */
    const char *src;    /* the value as written, and */
    char match;         /* its MATCH kind ('g', 't', or 0: a name), for --print-mapfile */
    uint8_t kind;       /* enum lk_file_kind */
    bool glob, icase;   /* fnmatch (else strcmp); MATCH(...i) */
} lk_filepat;

typedef struct lk_criterion {
    uint32_t type;       /* section type (0: any) */
    uint64_t set, clear; /* flags that must be set, and clear */
    lk_names names;      /* section names (empty: any); fnmatch patterns if glob */
    bool glob;
    uint32_t *name_hash; /* lk_hash of each exact name, made on first use (segments.c's lk_crit_for) */
    lk_filepat *files;   /* a mapfile's FILE_* (none: any file); any one matching will do */
    size_t nfiles;
    const struct lk_file *memo_file; /* the last file they were tried on, and */
    bool memo_match;                 /* whether they matched it (segments.c's file_matches) */
    lk_segment *seg;
    const char *osname; /* the output section it joins (NULL: by its name) */
    const char *label;  /* a mapfile's ASSIGN_SECTION name, or NULL */
    /* a mapfile's (mapfile_apply.c) */
    bool discard;              /* OUTPUT_SECTION { DISCARD; }: the sections it matches are dropped */
    bool name_icase;           /* MATCH(...i): IS_NAME matched case-insensitively */
    void *re;                  /* IS_NAME = MATCH(r/ERE/): a compiled regex_t (names unused) */
    const char *re_src;        /* its text (--print-mapfile) */
    const char *osref;         /* NAME = MATCHREF(/template/): ${n} from re's captures */
    uint32_t os_type;          /* OUTPUT_SECTION's TYPE (0: the input's) */
    uint64_t os_set, os_clear; /* OUTPUT_SECTION's FLAGS: set, cleared */
    bool os_flags;             /* FLAGS = given: os_set replaces the flags */
    const char *mf_file;       /* the mapfile and line of its ASSIGN_SECTION (NULL: built-in) */
    uint32_t mf_line;
} lk_criterion;

/* One PT_LOAD, as placed (lk_assign_addresses). */
typedef struct lk_load {
    uint32_t flags;
    uint64_t offset, vaddr, filesz, memsz, align;
    uint64_t paddr; /* a mapfile's PADDR (has_paddr), else vaddr */
    bool has_paddr;
} lk_load;

typedef struct lk_kind lk_kind;           /* kinds.c */
#define LK_MAX_PROPS 32                   /* GNU property types in one link (there are 5 today) */
typedef struct lk_got_entry lk_got_entry; /* got.c */

/* The link's one context, which every pass reads and extends (link.c's
 * pass list); the public API's keel_linker. */
typedef struct keel_linker {
    const keel_link_options *opt;
    keel_error *err;
    const struct ka_arch *arch; /* the target, from the first object's e_machine (lib/arch) */
    lk_arena arena;
    lk_symtab syms;
    lk_symtab groups;        /* COMDAT signatures taken (the lk_sym's def is the file) */
    lk_symtab linkonce;      /* .gnu.linkonce.* section names taken (def: the file) */
    lk_symtab linkonce_keys; /* the first linkonce section of each key, X in .gnu.linkonce.T.X (kept.c) */
    lk_symtab wraps;         /* --wrap: X and __real_X, each with the name its references go to in defsym */
    lk_symtab traces;        /* -y: the names traced */
    bool undef_ok;           /* an undefined reference resolves to 0 (ignored, a warning, --noinhibit-exec) */
    lk_file **files;
    size_t nfiles, capfiles;
    lk_archive *archives;
    size_t narchives, caparchives;
    uint32_t next_group; /* for the GROUPs of linker scripts */
    lk_taken *taken;
    size_t ntaken, captaken;
    struct lk_dso **dsos; /* the shared libraries read, in load order (dso.c) */
    size_t ndsos, capdsos;
    bool in_as_needed; /* the input being added is --as-needed (or in a script's AS_NEEDED) */
    bool in_static;    /* the input being added is under -Bstatic: a shared library is an error */
    bool in_searched;  /* the input being added was found by -lNAME */
    /* inputs stay mapped for the whole link */
    struct {
        void *map;
        size_t size;
    } * maps;
    size_t nmaps, capmaps;
    /* the layout */
    lk_sym **sorted; /* the defined symbols in definition order */
    size_t nsorted;
    struct {
        lk_kind **v;
        size_t cap, n;
    } kinds;           /* output section name: its flags' union (kinds.c) */
    lk_segment **segs; /* the segment list, in layout order (segments.c) */
    size_t nsegs, capsegs;
    lk_segment *roles[LK_NROLES];
    lk_criterion *crit; /* the entrance criteria, tried in order */
    size_t ncrit, capcrit;
    /* the output sections by segment, name, type and flags: open
     * addressing, a power of two (layout.c's output_section) */
    struct lk_osec **osec_index;
    size_t osec_index_cap, osec_index_n;
    uint64_t file_end, image_end;
    lk_load *loads; /* the PT_LOADs in address-assignment order */
    size_t nloads;
    uint64_t relro_start, relro_end, relro_offset; /* PT_GNU_RELRO, ending on a page boundary (or empty) */
    /* a mapfile's directives beyond the segments (mapfile_apply.c) */
    bool hdr_noalloc; /* HDR_NOALLOC (or the first segment's NOHDR): headers in no PT_LOAD */
    bool has_stack;   /* STACK: PT_GNU_STACK's flags are stack_flags */
    uint32_t stack_flags;
    uint32_t phdr_null; /* PHDR_ADD_NULL: PT_NULL entries at the end of the program headers */
    bool mf_discard;    /* a criterion discards (placed() asks the criteria) */
    bool mf_retypes;    /* a criterion's OUTPUT_SECTION sets a TYPE or FLAGS (lk_crit_retype) */
    /* the criteria that may match the last file's sections (segments.c's
     * crit_live: a mapfile's FILE_* criteria judged once per file) */
    const struct lk_file *live_file;
    uint32_t *live, nlive, live_cap, live_ncrit; /* live_ncrit: ncrit when made; nlive UINT32_MAX: no list */
    lk_names seg_order;                          /* SEGMENT_ORDER, as given (--print-mapfile) */
    const void *mf;                              /* the mapfiles' directives (mf_directive), for SYMBOL_SCOPE */
    size_t nmf;
    bool mf_symbols;        /* a SYMBOL_SCOPE to apply (mapfile_apply_symbols.c) */
    bool isa_edit, isa_set; /* a CAPABILITY: the x86-64 ISA level needed (mapfile_apply_cap.c) */
    uint32_t isa_value, isa_add, isa_sub;
    uint64_t max_page;     /* -z max-page-size: PT_LOAD alignment */
    lk_osec *got, *common; /* synthetic sections (common: .bss, holding the commons as its piece common_piece) */
    lk_osec *tcommon;      /* .tbss, holding the TLS commons as its piece tcommon_piece */
    size_t tcommon_piece;
    size_t common_piece;              /* l->common (.bss)'s piece holding the commons */
    lk_osec *iplt, *igot, *rela_iplt; /* IFUNCs: call stubs, their slots, IRELATIVE relocations */
    lk_osec *build_id;                /* .note.gnu.build-id */
    lk_osec *property;                /* .note.gnu.property, the inputs' merged (note.c) */
    struct {
        uint32_t type, size;
        uint64_t value;
    } props[LK_MAX_PROPS]; /* size: of the data, 0, 4 or 8 */
    size_t nprops;
    lk_osec *eh_frame, *eh_frame_hdr; /* --eh-frame-hdr */
    bool eh_no_table;                 /* an .eh_frame input did not parse: no search table */
    struct lk_eh_job *eh_job;         /* the inputs' parse, between place and edit (ehedit.c) */
    bool values_final;                /* the addresses assigned: lk_global_value keeps its answers */
    struct {
        lk_file *file;
        uint32_t sym;
    } * ifuncs;
    size_t nifuncs, capifuncs;
    size_t ngot;
    struct {
        lk_got_entry *v;
        size_t cap, n;
    } gotmap; /* symbol and kind: slot (got.c) */
    uint64_t tls_start, tls_filesz, tls_memsz, tls_align, tls_tp;
    struct lk_emit *emits; /* --emit-relocs: the output's .rela sections (emit_relocs.c) */
    size_t nemits;
    uint32_t *emit_of; /* per output section index: 1 + its .rela section in emits, or 0 */
    size_t *warnings;  /* warnings said so far (--fatal-warnings); lk_diag counts them */
    bool out_known;    /* the output exists: its device and inode, that no input may be */
    uint64_t out_dev, out_ino;
    uint32_t osec_seq;                     /* output sections numbered so far, in the order first seen (layout.c) */
    struct lk_image *img;                  /* the output file's parts, between the last passes (image.h) */
    size_t nwarnings;                      /* what warnings points at */
    bool ran;                              /* keel_link_run was called: it runs once */
    bool linked;                           /* it ran to the end: the layout is final */
    const struct keel_link_layout *layout; /* the finished layout, made when first asked for (layout_api.c) */
    struct lk_policy *policy;              /* version scripts, dynamic lists, -E, -Bsymbolic (export_policy.c) */
    struct lk_order *order;                /* --symbol-ordering-file (symbol_order.c) */
    struct lk_addrmap *addrmap;            /* the address map's section and tables (addrmap.c) */
    bool is_ordered;                       /* a mapfile's IS_ORDER moved input sections */
    struct lk_dyn *dyn;                    /* a dynamic output's sections and relocations (dyn.h), else NULL */
} lk_link;

/* One .rela section of --emit-relocs: its target, entries, place, name. */
typedef struct lk_emit {
    const lk_osec *target;
    uint64_t count, offset, cursor;
    uint32_t index, name;
} lk_emit;

/* The kept copy of a dropped COMDAT or linkonce section: the member of
 * the same name and size in the copy that won (ld.bfd's
 * _bfd_elf_check_kept_section), if it is linked (kept.c). */
bool lk_kept_section(const lk_file *f, uint32_t shndx, lk_file **kf, uint32_t *kshndx);
int lk_keep_dropped(lk_link *l, lk_file *f, uint32_t shndx, lk_sym *winner);
/* ld.bfd's error for a reference from section `from' of f, through
 * symbol sym, into f's discarded copy of a COMDAT group (kept.c). */
int lk_discarded_reference(lk_link *l, const lk_file *f, const keel_sym *sym, const char *from);
/* The members of f's dropped groups: their group's winner too. */
int lk_keep_members(lk_link *l, lk_file *f);
/* The key of a linkonce section name (X in .gnu.linkonce.T.X), or NULL. */
const char *lk_linkonce_key(const char *name);
/* Whether section a of fa and b of fb define the same symbols (ld.bfd's
 * bfd_elf_match_symbols_in_sections, by which a one-member COMDAT group
 * and a linkonce section of its signature are one). */
bool lk_same_symbols(const lk_file *fa, uint32_t a, const lk_file *fb, uint32_t b);
/* The sole member of group section g of f, or 0. */
uint32_t lk_sole_member(const lk_file *f, uint32_t g);
/* The output's string table v (n bytes, malloc'd) rebuilt with each name
 * of the nsyms symbol entries (24 bytes each, st_name first) written
 * once, or as the tail of a longer name; their st_name rewritten. */
int lk_strtab_share(lk_link *l, char **v, size_t *n, uint8_t *syms, size_t nsyms);
/* ld.bfd's warnings as symbol sym of f (a common, or a strong definition)
 * meets s, before s takes it in (commons.c). */
void lk_common_meets(lk_link *l, const lk_sym *s, const lk_file *f, const keel_sym *sym, const char *name);

int lk_fail(lk_link *l, int code, const char *fmt, ...);
/* On this thread, from now on (met non-NULL): lk_fail and lk_diag say
 * nothing, set *met and return (fill.c's helper, whose work the main
 * thread does again when it met one); NULL says them again. */
void lk_hold_messages(bool *met);
/* Reads the link's mapfiles (mapfile_link.c): their first error, or the
 * refusal while the layout does not apply them. */
int lk_read_mapfiles(lk_link *l);
/* keel_link, with edit called on the segment model once the defaults and
 * the options have made it, before the inputs are read (what a mapfile
 * will do; the unit tests' edits); its error stops the link. */
int lk_link_edited(const keel_link_options *opt, keel_error *err, int (*edit)(lk_link *, void *), void *ctx);
/* A message that does not stop the link, to the link's diagnostics
 * callback (keel/diag.h): level KEEL_DIAG_*; a warning's text says
 * "warning: " itself, as GNU ld's does.  Never to stdout or stderr. */
void lk_diag(const lk_link *l, int level, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The entry point's address, ld.bfd's fallbacks included (entry.c). */
int lk_entry_address(lk_link *l, uint64_t *addr);
/* The global symbol that symbol symi of f names (looked up once). */
lk_sym *lk_file_sym(lk_link *l, lk_file *f, uint64_t symi, const char *name);
/* NAME that a NAME@@VER defines (LK_POL_ALIAS): that symbol; else s */
lk_sym *lk_sym_unalias(lk_sym *s);
/* Says every undefined reference to the symbols marked, as ld.bfd does
 * (undefined.c); an error unless the link goes on without them. */
int lk_report_undefined(lk_link *l);
int lk_sorted_symbols(lk_link *l, lk_sym ***out, size_t *n);
int lk_map_file(lk_link *l, const char *path, const uint8_t **data, size_t *size);
int lk_add_object(lk_link *l, const char *path, const char *member, const uint8_t *data, size_t size, lk_file **out);
int lk_open_archive(lk_link *l, const char *path, const uint8_t *data, size_t size, uint32_t group, lk_archive **out);
/* Take the members the link needs (ld's rules); *taken_any set if one was. */
int lk_scan_archive(lk_link *l, lk_archive *a, bool *taken_any);
int lk_take_all(lk_link *l, lk_archive *a);
/* The output section named name takes input section shndx of f, of this
 * type and flags: joined into the name's kind (refused if that becomes
 * writable and executable). */
int lk_kind_add(lk_link *l, const char *name, const lk_file *f, uint32_t shndx, uint32_t type, uint64_t flags);
/* The type and flags of the name's output section, into sh. */
void lk_kind_get(const lk_link *l, const char *name, keel_shdr *sh);
/* note.c: the input .note.gnu.property sections (not placed), merged
 * into l->props, and the size of the note they make (0: none); its
 * bytes into the output. */
bool lk_is_property_note(const char *name, const keel_shdr *sh);
int lk_merge_properties(lk_link *l, size_t *note_size);
void lk_fill_properties(const lk_link *l, uint8_t *buf);
/* One input file (object, archive or GNU ld input script), in a group
 * (0 for none); depth counts the scripts it is named from. */
int lk_add_input(lk_link *l, const char *path, uint32_t group, bool whole, int depth);
/* Search a group's archives again until a pass takes nothing. */
int lk_close_group(lk_link *l, uint32_t group);
/* A GNU ld input script (script.c). */
int lk_add_script(lk_link *l, const char *path, const char *text, size_t size, uint32_t group, bool whole, int depth);
/* The segment model (segments.c).  lk_segments_default builds the
 * default list and criteria and applies the options to them; until
 * lk_place_sections, a mapfile may edit them through the rest.
 * lk_seg_new makes a segment (type, no flags, enabled, no role) and
 * inserts it at place at (past the end: appended); lk_crit_insert inserts
 * a criterion sending to seg at place at (0: first) for the caller to
 * fill; lk_names_add appends a copy of name (os_order, size_syms, a
 * criterion's names or files).  Attributes are the segment's fields. */
int lk_segments_default(lk_link *l);
lk_segment *lk_seg_new(lk_link *l, const char *name, uint32_t type, size_t at);
lk_segment *lk_seg_find(const lk_link *l, const char *name);
static inline lk_segment *lk_seg_role(const lk_link *l, enum lk_role role) { return l->roles[role]; }
lk_criterion *lk_crit_insert(lk_link *l, size_t at, lk_segment *seg);
int lk_names_add(lk_link *l, lk_names *list, const char *name);
/* The list checked and put in layout order (by rank), the headers' segment
 * chosen: the start of the layout (the defaults built if none were). */
int lk_segments_check(lk_link *l);
bool lk_crit_matches(const lk_criterion *c, const lk_file *f, const char *name, const keel_shdr *sh);
/* A mapfile's (mapfile_apply_match.c): whether c's regular expression
 * matches name (its captures into m, 10 of them, if m); the output
 * section name c gives name (NULL: its own), made from MATCHREF's
 * template; PT_GNU_STACK's flags; a segment's PT_LOAD flags (its
 * sections' needs if the mapfile gave none); IS_ORDER applied to g's
 * output sections (and a flags check); whether a criterion discards
 * section name of f. */
bool lk_crit_re_matches(const lk_criterion *c, const char *name, void *m);
const char *lk_crit_osname(lk_link *l, const lk_criterion *c, const char *name);
uint32_t lk_stack_flags(const lk_link *l);
uint32_t lk_seg_flags(const lk_segment *g);
int lk_seg_finish(lk_link *l, lk_segment *g);
/* HDR_NOALLOC, or NOHDR on the first loadable segment with sections: no
 * segment holds the headers.  Whether one does. */
bool lk_seg_headers(lk_link *l);
/* Once every section is placed: what a mapfile's edits left unusable
 * (code not executable, data not loaded or not writable, the headers
 * unmapped in a program that reads them) refused (mapfile_check.c). */
int lk_mapfile_check(lk_link *l);
/* A mapfile's DEPEND_VERSIONS (mapfile_depend.c): the libraries and
 * versions named checked, ALLOW's versions against the imports; and each
 * REQUIRE'd version given to fn (version_need.c), with its index there. */
int lk_depend_check(lk_link *l);
int lk_depend_required(lk_link *l, int (*fn)(lk_link *, void *, const struct lk_dso *, const char *, uint16_t),
                       void *ctx);
/* A mapfile's OUTPUT_SECTION TYPE and FLAGS: *as, the header input
 * section name of f joins its output section by, edited as the criterion
 * that placed it in segment seg says; 0 or the link's error. */
/* A dynamic output's mapfile SYMBOL_VERSION and SYMBOL_SCOPE directives
 * fed to the export policy (export_policy.c), as the equivalent version
 * script (mapfile_apply_symbols.c); 0 or the error, FILE: line N:. */
int lk_mapfile_policy(lk_link *l);
int lk_crit_retype(lk_link *l, const lk_file *f, const char *name, const lk_segment *seg, keel_shdr *as);
/* A segment with an address inside the one laid out before it: the
 * Solaris link-editor's warning (the sections' overlap is then refused). */
void lk_seg_overlap(lk_link *l, const lk_segment *prev, const lk_segment *g);
/* What a mapfile's criteria hold outside the arena (compiled regular
 * expressions), freed (keel_link_close). */
void lk_mapfile_free(lk_link *l);
/* A mapfile's SYMBOL_SCOPE once the symbols are resolved: each symbol's
 * scope set, the ASSERTs checked (mapfile_apply_symbols.c); then
 * .symtab's globals from first to n with those reduced to locals first,
 * the new count of locals. */
int lk_mapfile_symbols(lk_link *l);
size_t lk_scope_partition(lk_link *l, uint8_t *syms, size_t first, size_t n);
/* A mapfile's CAPABILITY applied to the merged properties (note.c). */
void lk_capability_props(lk_link *l);
bool lk_crit_discards(const lk_link *l, const lk_file *f, const char *name, const keel_shdr *sh);
/* The first criterion of an enabled segment that a section of f (NULL:
 * one the link-editor makes) matches, NULL if none (the extra segment);
 * *note if a note segment's matched before it. */
const lk_criterion *lk_crit_for(const lk_link *l, const lk_file *f, const char *name, const keel_shdr *sh, bool *note);
/* Whether name is a segment's size symbol, and its value (the segment's
 * size in memory, once laid out) into *v if v. */
bool lk_seg_size_symbol(const lk_link *l, const char *name, uint64_t *v);
/* The passes of placement: input sections into output sections
 * (lk_place_sections), the relocations scanned (scan.c), then the
 * synthetic sections sized by what the scan found. */
int lk_place_sections(lk_link *l);
int lk_scan_relocs(lk_link *l);
int lk_place_synthetic(lk_link *l);
int lk_gc_sections(lk_link *l);
/* Dynamic output (issue 13; dyn_*.c, their state in dyn.h): nothing of it
 * runs unless l->dyn is set (-pie, -static-pie).  lk_dyn_setup at setup;
 * the scan gives each relocation to lk_dyn_scan and each new address
 * slot to lk_dyn_got_slot; lk_dyn_direct says whether a GOT load of the
 * symbol may address it PC-relatively; lk_dyn_place makes the sections
 * with the synthetic ones; the write pass gives each absolute word it
 * writes to lk_dyn_word, and fill calls lk_dyn_fill. */
int lk_dyn_setup(lk_link *l);
/* (sym: r's symbol, read by the scan; NULL: its index is bad) */
int lk_dyn_scan(lk_link *l, lk_file *f, uint32_t rela, const keel_rel *r, const keel_sym *sym);
/* What lk_dyn_scan does for r (sym: its symbol, not an IFUNC), found
 * without writing anything (scan_filter.c's threads ask it): surely
 * nothing; only count one RELATIVE relocation (ndata); -shared's call to
 * a preemptible function, whose first one makes its PLT entry; or
 * anything (LK_DS_SCAN: unsure). */
enum { LK_DS_NOTHING, LK_DS_SCAN, LK_DS_RELATIVE, LK_DS_PLT };
int lk_dyn_scan_class(lk_link *l, lk_file *f, uint32_t rela, const keel_rel *r, const keel_sym *sym);
/* Per relocation of the linked sections, in the scan's order: what the
 * scan is to do for it (LK_DS_*, found by scan_filter.c on two threads;
 * the RELATIVE ones counted in ndata already); NULL when there are few
 * (or no memory): the scan asks of every one.  The caller frees it. */
uint8_t *lk_scan_filter(lk_link *l);
/* An executable's undefined weak symbols: how their relocations reach
 * them, read before the scan (dyn_undefweak.c) */
int lk_undefweak_scan(lk_link *l);
struct lk_needs;
int lk_dyn_got_slot(lk_link *l, lk_file *f, uint64_t symi, struct lk_needs *n);
bool lk_dyn_direct(lk_link *l, lk_file *f, uint64_t symi);
int lk_dyn_place(lk_link *l, uint32_t *seq);
/* (sym: symbol symi, read already; NULL: lk_dyn_word reads it; writable:
 * whether the place is in a writable section) */
void lk_dyn_word(lk_link *l, lk_file *f, uint64_t symi, const keel_sym *sym, uint32_t type, uint64_t place,
                 uint64_t value, int64_t addend, bool writable);
/* -shared: whether a reference to symbol symi of f may be bound elsewhere
 * at run time (a default-visibility global); its PLT entry's address for
 * a call (false: none). */
bool lk_dyn_preemptible(lk_link *l, lk_file *f, uint64_t symi);
/* An IFUNC that a shared object exports and may see preempted: no IPLT
 * entry of its own, its calls and pointers bound by symbol (dyn_ifunc.c) */
bool lk_dyn_ifunc_exported(lk_link *l, lk_file *f, uint64_t symi);
/* An IFUNC definition d of global s that .dynsym exports: bound by
 * symbol even where -Bsymbolic binds the rest inside (dyn_ifunc.c) */
bool lk_dyn_ifunc_by_symbol(const lk_link *l, const lk_sym *s, const keel_sym *d);
/* DT_JMPREL's range: .rela.plt and the .rela.iplt after it; an error if
 * the layout parted them */
void lk_dyn_jmprel(const lk_link *l, uint64_t *addr, uint64_t *size);
int lk_dyn_check_jmprel(lk_link *l);
bool lk_dyn_plt_address(lk_link *l, lk_file *f, uint64_t symi, uint64_t *addr);
/* -shared: thread-local storage kept as the object's code has it (no
 * relaxation): the scan's slots and dynamic relocations for a general or
 * local dynamic or initial-exec reference (dyn_tls.c); the address of the
 * slot pair a TLSGD (ld: TLSLD) reference names. */
int lk_dyn_tls_scan(lk_link *l, lk_file *f, uint64_t symi, uint16_t needs);
uint64_t lk_dyn_tls_pair(lk_link *l, lk_file *f, uint64_t symi, bool ld);
/* -shared: a TLS descriptor of symbol symi of f, and its address (dyn_tlsdesc.c) */
int lk_dyn_tlsdesc_scan(lk_link *l, lk_file *f, uint64_t symi);
uint64_t lk_dyn_tlsdesc_address(lk_link *l, lk_file *f, uint64_t symi);
void lk_dyn_fill(lk_link *l, uint8_t *buf);
/* Imports from shared libraries (dyn_import.c): a -no-pie link that
 * needs one made dynamic (after the inputs); whether the output is
 * position-independent (-pie, -shared: not a fixed dynamic executable);
 * whether a global is bound at run time by the dynamic linker in any
 * dynamic output (an import); an executable's definitions that a shared
 * library references exported (after the policy); an import's value. */
int lk_dyn_join(lk_link *l);
bool lk_dyn_pic(const lk_link *l);
bool lk_import_preemptible(lk_link *l, const lk_sym *s);
int lk_import_exports(lk_link *l);
int lk_import_value(lk_link *l, const lk_sym *s, uint64_t *value, uint64_t *size);
/* Whether a TLS reference to symbol symi of f keeps its access model in
 * an executable: a shared library's variable, in a block the dynamic
 * linker places (not relaxed to local-exec; dyn_tls.c's slots). */
bool lk_dyn_tls_kept(lk_link *l, lk_file *f, uint64_t symi);
/* The section header's link, info and entsize of a dynamic section. */
void lk_dyn_shdr(const lk_link *l, const lk_osec *o, keel_shdr *sh);
/* An output section the link-editor makes, where the criteria send it
 * (layout.c), not yet sized; NULL when out of memory. */
lk_osec *lk_synthetic_section(lk_link *l, const char *name, const keel_shdr *sh);
/* The output section named name, or NULL (dyn_sections.c). */
lk_osec *lk_osec_named(const lk_link *l, const char *name);
/* -r: the rest of the link after the inputs are read (relocatable.c). */
int lk_write_relocatable(lk_link *l);
/* -r: the options it does not do refused, at setup. */
int lk_relocatable_options(lk_link *l);
int lk_assign_addresses(lk_link *l, uint64_t header_size);
size_t lk_max_loads(const lk_link *l);
bool lk_has_relro(const lk_link *l);
/* The relocations of section i when it is a RELA section whose target
 * goes into the output, and the target's header. */
bool lk_linked_relocs(const lk_file *f, uint32_t i, keel_relocs *rs, keel_shdr *target);
/* What one symbol needs from the link (the scan's record, got.c's table;
 * docs/design.md): found by the symbol (a global's is shared by every
 * file that names it), one GOT slot per symbol and kind however many
 * relocations use it.  The write pass reads the decisions here: which
 * slot, whether a GOT load of it may address it directly, its TLS model.
 * Dynamic output (issue 13) adds its needs here: a PLT entry, a dynamic
 * relocation (GLOB_DAT, a TLS module/offset pair), preemption, a copy. */
enum lk_need_flags {
    LK_N_GOT = 1 << 0,       /* a GOT slot holding its address: got */
    LK_N_GOT_TPOFF = 1 << 1, /* a GOT slot holding its offset from the thread pointer (initial-exec): got_tpoff */
    LK_N_DIRECT = 1 << 2,    /* its address is fixed and in the output: a GOT load of it may address it itself */
    LK_N_RELAXED = 1 << 3,   /* some reference was relaxed (a GOT load made direct, TLS made local-exec) */
    LK_N_IPLT = 1 << 4,      /* an IFUNC: calls and pointers reach its IPLT entry, iplt */
    LK_N_DYNREL = 1 << 5,    /* dynamic output: its address slot has a RELATIVE relocation (dyn_scan.c) */
    LK_N_DYNSYM = 1 << 6,    /* -shared: its address slot is the dynamic linker's (GLOB_DAT) */
    LK_N_PLT = 1 << 7,       /* -shared: calls reach it through its PLT entry, plt */
    LK_N_TLS_GD = 1 << 8,    /* -shared: a module and offset slot pair for general dynamic TLS, got_gd */
    LK_N_PLTGOT = 1 << 9,    /* its calls go through a .plt.got entry, plt, jumping through its GOT slot */
    LK_N_TLSDESC = 1 << 10,  /* -shared: a TLS descriptor, desc (dyn_tlsdesc.c) */
};
/* The TLS access model after relaxation: the one the output uses */
enum lk_tls_model { LK_TLS_NONE, LK_TLS_LE, LK_TLS_IE, LK_TLS_LD, LK_TLS_GD, LK_TLS_DESC };
typedef struct lk_needs {
    uint16_t flags;          /* enum lk_need_flags */
    uint16_t refs;           /* the union of its references' needs as written (ka_reloc_need's KA_NEED_*) */
    uint8_t tls;             /* enum lk_tls_model */
    uint32_t got, got_tpoff; /* slot numbers in .got, with LK_N_GOT, LK_N_GOT_TPOFF */
    uint32_t iplt;           /* with LK_N_IPLT: its entry in .iplt (and .igot.plt, .rela.iplt) */
    uint32_t plt;            /* with LK_N_PLT: its entry in .plt (after PLT0; .got.plt, .rela.plt) */
    uint32_t got_gd;         /* with LK_N_TLS_GD: the first of its two slots in .got */
    uint32_t desc;           /* with LK_N_TLSDESC: its descriptor's number */
} lk_needs;
enum { LK_GOT_ADDRESS, LK_GOT_TPOFF };
/* The record of symbol symi of f, made empty if new (NULL: out of memory,
 * the link's error set); the record, or NULL if nothing needs it. */
lk_needs *lk_needs_add(lk_link *l, lk_file *f, uint64_t symi);
const lk_needs *lk_needs_of(lk_link *l, lk_file *f, uint64_t symi);
/* A global's record (NULL: none), for the passes that have the symbol only. */
lk_needs *lk_needs_of_sym(lk_link *l, const lk_sym *s);
/* Its GOT slot of that kind (-1: it has none). */
int lk_got_slot(lk_link *l, lk_file *f, uint64_t symi, uint32_t kind, uint64_t *slot);
/* Whether symbol symi of f has an address fixed in the output and in
 * reach of the code (not absolute, --defsym or TLS): a GOT load of it can
 * be made to address it directly. */
bool lk_symbol_direct(lk_link *l, lk_file *f, uint64_t symi);
/* The IFUNC a relocation's symbol reaches, if any: its defining file and
 * symbol (relocate.c). */
bool lk_ifunc_target(lk_link *l, lk_file *f, uint64_t symi, lk_file **df, uint32_t *di);
/* The same of symbol symi, sym, read already (asked of every relocation) */
bool lk_ifunc_target_sym(lk_link *l, lk_file *f, uint64_t symi, const keel_sym *sym, lk_file **df, uint32_t *di);
void lk_fill_ifuncs(lk_link *l, uint8_t *buf);
void lk_tls_layout(lk_link *l);
/* Where a relocation is, for messages, formatted only when one is needed:
 * "file:(section+0xoffset)". */
typedef struct lk_place {
    const char *file, *section;
    uint64_t offset;
} lk_place;
const char *lk_place_text(const lk_place *p, char *buf, size_t size);
/* Where a common symbol is (the commons' piece of .bss, or the TLS commons' of .tbss). */
uint64_t lk_common_address(const lk_link *l, const lk_sym *s);
/* The symbols the link-editor defines (__ehdr_start, _end, __start_SEC...):
 * whether name is one, and its value once the layout is done. */
bool lk_linker_value(const lk_link *l, const char *name, uint64_t *v);
int lk_symbol_value(lk_link *l, lk_file *f, uint64_t symi, uint64_t *value, uint64_t *size, bool *tls,
                    const lk_place *where);
int lk_relocate_section(lk_link *l, lk_file *f, uint32_t rela, uint8_t *out, const lk_osec *o, uint64_t base);
/* Each input section's bytes into buf, relocated, in the files' order (fill.c). */
int lk_fill_inputs(lk_link *l, uint8_t *buf);
/* The output file (outfile.c): a regular file through a temporary and a
 * rename, a special one (a device, a FIFO) written through, never
 * replaced.  lk_out_open gives buf, size bytes to fill; lk_out_close
 * writes or renames them when ok, else leaves nothing behind. */
typedef struct lk_outfile {
    const char *path;
    char *tmp;    /* the temporary's name, for a regular output */
    int fd, slot; /* slot: in the signal clean-up's list, or -1 */
    uint8_t *buf;
    uint64_t size;
    bool through; /* a special file: buf is memory, written at the end */
} lk_outfile;
int lk_out_open(lk_link *l, lk_outfile *o, const char *path, uint64_t size);
int lk_out_close(lk_link *l, lk_outfile *o, bool ok);
int lk_global_value(lk_link *l, lk_sym *s, uint64_t *value, uint64_t *size, bool *tls, const lk_place *where,
                    int depth);
void lk_digest(bool md5, const uint8_t *data, uint64_t n, uint8_t *out);
int lk_tree_digest(bool md5, const uint8_t *data, uint64_t n, uint8_t *out);
size_t lk_build_id_note_size(const keel_link_options *opt);
bool lk_mergeable(const keel_shdr *sh);
bool lk_merge_blocked(const lk_file *f, uint32_t i);
/* Its strings or constants into o's pool, the input being o's piece
 * (added already, its size set when finished).  0: merged; 1: to be kept
 * whole (an unterminated string); else an error. */
int lk_merge_input(lk_link *l, lk_osec *o, size_t piece, lk_file *f, uint32_t shndx, const keel_shdr *sh);
int lk_merge_finish(lk_link *l, lk_osec *o);
/* Where an offset in a merged input went, in its output section. */
uint64_t lk_merged_offset(const lk_osec *o, const lk_merged *m, uint64_t value);
void lk_fill_pool(const lk_osec *o, uint8_t *buf);
/* After o's pieces were reordered (--sort-section): the piece that was
 * at index i is now at to[i]; the pools' records follow it. */
void lk_merge_renumber(lk_osec *o, const uint32_t *to);
void lk_merge_free(lk_osec *o);
/* .eh_frame editing (ehedit.c): after the inputs are placed, their new
 * sizes; then each edited input's bytes, and where an offset went. */
int lk_eh_frame_edit(lk_link *l);
/* The inputs' parse, started when they are placed (on a second thread
 * for many inputs), ended by lk_eh_frame_edit; joined by the link's end
 * if no edit came (an error between). */
int lk_eh_frame_start(lk_link *l);
void lk_eh_frame_join(lk_link *l);
/* A pass failed before the edit: the parse joined, and what it found
 * said (the messages the edit would have given, before the error). */
void lk_eh_frame_abandon(lk_link *l);
void lk_eh_fill(const lk_osec *o, const struct lk_eh *eh, uint8_t *buf);
bool lk_eh_offset(const struct lk_eh *eh, uint64_t offset, uint64_t *out);
uint64_t lk_eh_size(const struct lk_eh *eh);
size_t lk_eh_fdes(const lk_osec *o); /* the FDEs kept in o */
/* Where a symbol defined in an edited .eh_frame went, in o. */
uint64_t lk_eh_symbol(const lk_osec *o, const struct lk_eh *eh, uint64_t value);
void lk_fill_eh_frame_hdr(lk_link *l, uint8_t *buf);
/* --emit-relocs (emit_relocs.c) */
int lk_emit_relocs_plan(lk_link *l, uint32_t nout, uint32_t *nsec);
void lk_emit_relocs_place(lk_link *l, uint64_t *off, uint32_t (*add)(void *tab, const char *name), void *tab,
                          char *scratch, size_t scratch_size);
void lk_emit_relocs_write(lk_link *l, uint8_t *buf, uint8_t *shdrs, uint32_t symtab_index);
int lk_sort_section(lk_link *l, lk_osec *o);
/* Which of GNU ld's default-script statements for output section osec
 * gathers input section isec (0 first); *sorted: that statement sorts its
 * inputs by name (SORT).  0 for output sections with one statement
 * (statements.c). */
unsigned lk_script_statement(const char *osec, const char *isec, bool *sorted);
/* The pieces of o in the order of those statements, input order within
 * each (a SORT statement's by name). */
int lk_order_statements(lk_link *l, lk_osec *o);
/* -s, -S, -x, -X (strip.c) */
bool lk_debug_section(const char *name);
bool lk_strip_section(const lk_link *l, const char *name);
bool lk_keep_local(const lk_link *l, const lk_file *f, const keel_sym *d, const char *name);

#endif
