/* The input and resolution rules that the loader (lib/load) and the
 * link-editor (lib/link) share, so that `keel run` and `keel link` give
 * the same inputs the same meaning: which definition of a name wins, which
 * copy of a COMDAT group or a .gnu.linkonce section is kept, which archive
 * member a name pulls (and where a thin archive's member lives), what
 * class a section is and in what order its init/fini entries run.
 *
 * Each part keeps its own tables and memory (the link's arena, the
 * batch's scratch): these functions decide, the callers record.  GNU ld
 * (ld.bfd) is the reference for every rule.  Prefix kr_ ("keel
 * resolution"); internal to libkeel. */
#ifndef KEEL_LIB_RESOLVE_H
#define KEEL_LIB_RESOLVE_H

#include <keel/elf.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ------------------------------------------------ symbol precedence */

/* What one symbol table entry says about its name, weakest first: the
 * order is the precedence (a definition is at least KR_COMMON). */
typedef enum kr_kind {
    KR_UNDEF,      /* a strong reference: pulls archive members */
    KR_UNDEF_WEAK, /* only weak references (or none yet): pulls nothing */
    KR_SHARED,     /* defined by a shared library only: a regular definition of any
                    * kind overrides it, it pulls no archive member (GNU ld) */
    KR_COMMON,     /* a tentative definition (SHN_COMMON) */
    KR_WEAK,       /* a weak definition */
    KR_DEFINED,    /* a strong definition: STB_GLOBAL, and STB_GNU_UNIQUE */
} kr_kind;

/* The entry's kind.  STB_GNU_UNIQUE is a strong definition within one
 * link (ld.bfd: two of them are a multiple definition); only the dynamic
 * loader unifies unique symbols across modules. */
kr_kind kr_sym_kind(const keel_sym *sym);

/* The state of a name so far; commons carry their size and alignment. */
typedef struct kr_def {
    kr_kind kind;
    uint64_t size, align;
} kr_def;

typedef enum kr_verdict {
    KR_KEEP,     /* the name stays with its definition (or reference) */
    KR_TAKE,     /* the new entry defines the name now */
    KR_CONFLICT, /* two strong definitions: "multiple definition of" */
} kr_verdict;

/* A new entry of `kind` (with its size and, for a common, alignment) meets
 * the name's state *have, which is updated: a strong definition beats a
 * weak one and a common; a common beats a weak definition; of two commons
 * the larger wins and the alignment is the larger; a weak definition
 * meets a definition and changes nothing; a strong reference makes an
 * undefined name KR_UNDEF.  A shared library's definition (KR_SHARED)
 * takes only an undefined name, and any regular definition (common, weak
 * or strong) takes a name a shared library defines; the first shared
 * definition stays (ld.bfd's _bfd_elf_merge_symbol). */
kr_verdict kr_resolve(kr_def *have, kr_kind kind, uint64_t size, uint64_t align);

/* "file:(section+0xoffset)", GNU ld's way of naming a place, into buf
 * (truncated to size): what both parts' messages say, e.g. for
 * "b.o:(.data+0x0): multiple definition of 'u'; a.o:(.data+0x0): first
 * defined here".  section is "*ABS*" or "COMMON" for those. */
void kr_place(char *buf, size_t size, const char *file, const char *section, uint64_t offset);

/* ------------------------------------------------ sections */

/* What a section is, by name, type and flags, the way both parts need to
 * know it: where its bytes go and whether its entries are constructors. */
typedef enum kr_class {
    KR_SEC_OTHER, /* not loaded (debugging, notes, symbol tables...) */
    KR_SEC_TEXT,
    KR_SEC_RODATA,
    KR_SEC_DATA,
    KR_SEC_BSS,
    KR_SEC_TDATA,
    KR_SEC_TBSS,
    KR_SEC_INIT_ARRAY, /* also .ctors and .ctors.N */
    KR_SEC_FINI_ARRAY, /* also .dtors and .dtors.N */
    KR_SEC_PREINIT_ARRAY,
    KR_SEC_EH_FRAME,   /* .eh_frame, or SHT_X86_64_UNWIND */
    KR_SEC_GCC_EXCEPT, /* .gcc_except_table* */
    KR_SEC_NOTE,
} kr_class;

kr_class kr_section_class(const char *name, uint32_t type, uint64_t flags);

/* .ctors and .ctors.N (1), .dtors and .dtors.N (2), else 0: the legacy
 * arrays, whose entries run in the reverse order of their bytes and which
 * GNU ld folds into .init_array and .fini_array (SEC_ELF_REVERSE_COPY). */
int kr_legacy_array(const char *name);

/* The sort key of an init/fini array section in GNU ld's default script,
 *   KEEP (*(SORT_BY_INIT_PRIORITY(.init_array.*) SORT_BY_INIT_PRIORITY(.ctors.*)))
 *   KEEP (*(.init_array ... .ctors))
 * every numbered section first, by its priority (.init_array.N: N;
 * .ctors.N: 65535 - N, ld's get_init_priority), then every unnumbered one
 * (KR_PRIORITY_NONE), in input order.  Equal keys keep input order. */
#define KR_PRIORITY_NONE UINT32_MAX
uint32_t kr_init_priority(const char *name);

/* ------------------------------------------------ COMDAT */

/* Claims a key for the caller's table: 1 if the key was taken before
 * (this copy is dropped), 0 if this copy now holds it, negative on a
 * failure the callback has recorded (out of memory).  `linkonce`: the key
 * is a .gnu.linkonce.* section name, not a group signature; the two are
 * kept apart as ld.bfd keeps them.  `shndx`: the group section, or the
 * linkonce section (the link-editor remembers which copy won). */
typedef int (*kr_claim_fn)(void *ctx, const char *key, bool linkonce, uint32_t shndx);

/* The COMDAT rules over one relocatable object: a SHT_GROUP with
 * GRP_COMDAT whose signature is taken drops all its members; a
 * .gnu.linkonce.* section (not in a group) whose whole name is taken is
 * dropped (ld.bfd's _bfd_elf_section_already_linked).  dropped[] has an
 * entry per section index.  Returns 0, the callback's negative value, or
 * a keel status with *err saying which section was bad. */
int kr_comdat(const keel_elf *elf, const keel_symtab *symtab, bool *dropped, kr_claim_fn claim, void *ctx,
              keel_error *err);

/* ------------------------------------------------ archives */

/* A member found by its header offset (the index's member positions). */
typedef struct kr_member {
    const char *name; /* not NUL-terminated, the GNU '/' dropped */
    uint32_t name_len;
    const uint8_t *data; /* its bytes; NULL for a thin archive's member */
    uint64_t size;       /* the size the archive says it has */
} kr_member;

/* 0, or a KEEL_E_FORMAT with *err when the index names a member at `pos`
 * that is not there. */
int kr_ar_member(const keel_ar *ar, uint64_t pos, kr_member *m, keel_error *err);

/* A thin archive's member is a file named relative to the archive's
 * directory (absolute names stay): the length of its path (without the
 * NUL), and the path written to buf (room for that and the NUL). */
size_t kr_thin_path_len(const char *archive_path, const kr_member *m);
void kr_thin_path(const char *archive_path, const kr_member *m, char *buf);

/* 0 if a thin member's file is there; else KEEL_E_IO with GNU ld's
 * words: "lib.a(dir/x.o): error opening thin archive member: No such
 * file or directory". */
int kr_thin_exists(const char *archive_path, const char *member_path, keel_error *err);

/* What a name in state `kind` takes from an archive whose index lists a
 * member for it (GNU ld): a strong undefined reference takes the member;
 * a name that is only common takes it if the member gives it data
 * (kr_defines_data); anything else (a weak reference, a definition)
 * takes nothing. */
typedef enum kr_pull { KR_PULL_NO, KR_PULL_YES, KR_PULL_IF_DATA } kr_pull;
static inline kr_pull kr_pull_for(kr_kind kind)
{
    return kind == KR_UNDEF ? KR_PULL_YES : kind == KR_COMMON ? KR_PULL_IF_DATA : KR_PULL_NO;
}

/* Whether the member's bytes give `name` a real definition (not a
 * common): what a common symbol needs to pull a member, in GNU ld
 * (elflink.c, is_global_data_symbol_definition): a global or unique
 * definition that is not a function, not common and not in a
 * processor-specific section. */
bool kr_defines_data(const uint8_t *data, size_t size, const char *name);

/* ------------------------------------------------ the archive walk */

/* Memory for the walk's tables: the caller's (the link's arena, the
 * batch's scratch), zeroed or not; NULL when out of memory. */
typedef void *(*kr_alloc_fn)(void *ctx, size_t size);

/* An archive opened for pulling: its index read once, each entry's name,
 * hash (the caller's function, so that its own tables can be probed with
 * it) and member, and which members are in.  One walk serves the
 * link-editor (an archive where it stands, groups searched again) and the
 * loader (every archive of a batch as one group). */
typedef struct kr_archive {
    const char *path;
    keel_ar ar;
    const uint8_t *map;
    size_t size;
    const char **names; /* the index, in index order */
    uint32_t *hashes;
    uint64_t *members; /* each entry's member header offset */
    uint32_t *member;  /* each entry's member ordinal (entries of one member share it) */
    bool *in;          /* per member ordinal: taken, or never to be taken */
    size_t count, nmembers;
} kr_archive;

/* Opens the archive and reads its index (none: nothing is ever pulled,
 * as in ld.bfd).  KEEL_E_* with *err on a bad archive or index, or
 * KEEL_E_NOMEM. */
int kr_archive_open(kr_archive *a, const char *path, const uint8_t *data, size_t size, uint32_t (*hash)(const char *),
                    kr_alloc_fn alloc, void *actx, keel_error *err);

/* What the caller's tables say a name, listed by the index, wants of it
 * (kr_pull_for of the name's state: KR_PULL_NO when nothing). */
typedef kr_pull (*kr_wants_fn)(void *ctx, const char *name, uint32_t hash);
/* Whether the member at pos gives `name` real data (the test a common
 * takes a member by; kr_defines_data on its bytes, which for a thin
 * member are in a file the caller maps). */
typedef bool (*kr_data_fn)(void *ctx, kr_archive *a, uint64_t pos, const char *name);
/* The member at pos joins; `name` is the index entry that wanted it, or
 * NULL for --whole-archive.  0, or the caller's error (which stops the
 * walk and is returned). */
typedef int (*kr_take_fn)(void *ctx, kr_archive *a, uint64_t pos, const char *name);

/* GNU ld's search of one archive: its index in index order, again and
 * again until a walk takes nothing; a member is taken when an entry's
 * name wants it (a common's only if it gives data).  *pulled is set when
 * anything was taken.  0 or the take's error. */
int kr_archive_pull(kr_archive *a, kr_wants_fn wants, kr_data_fn data, kr_take_fn take, void *ctx, bool *pulled);

/* --whole-archive: every member in archive order that is not in yet.  0,
 * the take's error, or a KEEL_E_* with *err for a bad member header. */
int kr_archive_take_all(kr_archive *a, kr_take_fn take, void *ctx, keel_error *err);

/* ------------------------------------------------ the input identity */

/* A relocatable object as both parts read it, and what an address map or
 * a live swap names: a file (or an archive's member) and its sections.
 * Parsed once (kr_input_open, then kr_input_sections) into the caller's
 * memory; the link-editor's lk_file and the loader's pending object embed
 * it (KR_INPUT_FILE_MEMBERS keeps their older names for the same fields). */
typedef struct kr_input_section {
    struct kr_input_file *file;
    const char *name;    /* NULL if the name table does not give one (kr_comdat says why) */
    const uint8_t *data; /* its bytes in the file; NULL for SHT_NOBITS and SHT_NULL */
    uint64_t flags, size, align, offset;
    uint32_t index, type, link, info;
    uint32_t relocs; /* the first SHT_RELA/SHT_REL section whose sh_info names it, or 0 */
    uint32_t group;  /* the SHT_GROUP section that lists it, or 0 */
    uint8_t cls;     /* kr_class, by kr_section_class */
    uint8_t names;   /* KR_NAME_* bits: what the name starts with, tested once */
} kr_input_section;

/* The prefixes the parts test by name after reading (.gnu.warning,
 * .gnu.linkonce., .gnu_debuglink, .gnu.lto_; .note.GNU-stack,
 * .note.gnu.property): a section without the bit needs no string test,
 * and its name (in the file, out of cache by then) is not read again. */
enum { KR_NAME_GNU = 1 /* ".gnu" */, KR_NAME_NOTE = 2 /* ".note" */ };

#define KR_INPUT_FILE_MEMBERS                                                                                          \
    const char *name;   /* for messages and maps: "path" or "archive(member)" */                                       \
    const char *path;   /* the file, or the archive holding the member */                                              \
    const char *member; /* the member's name, or NULL (a thin member is a file: NULL) */                               \
    keel_elf elf;       /* its bytes are elf.data, elf.size */                                                         \
    keel_symtab symtab; /* the first SHT_SYMTAB, if has_symtab */                                                      \
    bool has_symtab;                                                                                                   \
    struct kr_input_section *sections; /* one per section index (elf.shnum), [0] the null section */                   \
    uint32_t nsections;                                                                                                \
    uint32_t ordinal; /* its place among the link's files or the batch's objects */

typedef struct kr_input_file {
    KR_INPUT_FILE_MEMBERS
} kr_input_file;

/* The header: the caller has set name, path, member and ordinal.  0, or a
 * KEEL_E_* with *err's message naming the file ("a.o: not a relocatable
 * object (ELF type 2)"). */
int kr_input_open(kr_input_file *f, const uint8_t *data, size_t size, keel_error *err);

/* The sections (after the caller's checks of the machine): every
 * section's extent inside the file, checked overflow-safe ("a.o: section
 * .data (3): offset 0x40 and size 0x1000 extend past the end of the file
 * (0x200 bytes)"); each one's name, attributes, bytes, class, relocation
 * section and group; the symbol table (its sh_info within its count).
 * The table is one allocation.  0, or KEEL_E_* with *err naming the file. */
typedef int (*kr_section_check_fn)(void *ctx, const kr_input_section *s, keel_error *err);
/* `check` (or NULL) is the part's own test of each section, in its words,
 * before the shared ones: the loader's limits on what a namespace holds. */
int kr_input_sections(kr_input_file *f, kr_alloc_fn alloc, void *actx, kr_section_check_fn check, void *cctx,
                      keel_error *err);

/* kr_comdat over f's section table as kr_input_sections read it (f's
 * own symbol table): the same rules and messages, no header read twice. */
int kr_comdat_in(const kr_input_file *f, bool *dropped, kr_claim_fn claim, void *ctx, keel_error *err);

#endif
