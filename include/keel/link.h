/*
 * keel/link.h - the link-editor (the Solaris link-editor's model).
 *
 * Static x86-64 executables from relocatable objects and archives, laid out
 * by segments with entrance criteria (mapfile version 2 configures them;
 * see docs/linker.md).  The command line (GNU ld's, as gcc's collect2 and
 * clang pass it) is the front end's business: it turns -l into files and
 * hands over an ordered list of inputs and the options below.
 *
 * docs/linker.md describes what is built and what is not yet.
 */
#ifndef KEEL_LINK_H
#define KEEL_LINK_H

#include <keel/diag.h>
#include <keel/elf.h>

#ifdef __cplusplus
extern "C" {
#endif
/* The public API: libkeel.so is built -fvisibility=hidden and exports
 * what is declared here, nothing else (tests/api_exports.t). */
#pragma GCC visibility push(default)

/* One input, in command-line order. */
typedef struct keel_link_input {
    const char *path;
    bool whole_archive; /* --whole-archive: every member, wanted or not */
    bool as_needed;     /* --as-needed: a shared library is needed only if it defines a name referenced */
    bool bstatic;       /* -Bstatic/-static in force: a shared library here is an error (ld.bfd's) */
    bool searched;      /* found by -lNAME: a shared library without DT_SONAME is needed by its file name */
    uint32_t group;     /* 0, or the --start-group/--end-group it is in (1, 2, ...) */
} keel_link_input;

typedef struct keel_link_defsym {
    const char *name;
    const char *expr; /* --defsym NAME=EXPR: a number or a symbol (+/- a number) */
} keel_link_defsym;

/* --section-start NAME=ADDR (-Ttext, -Tdata, -Tbss name .text, .data,
 * .bss): the output section NAME starts at ADDR, and what follows it in
 * its segment follows it there. */
typedef struct keel_link_section_start {
    const char *name;
    uint64_t addr;
} keel_link_section_start;

enum keel_build_id { KEEL_BUILD_ID_NONE, KEEL_BUILD_ID_SHA1, KEEL_BUILD_ID_MD5, KEEL_BUILD_ID_UUID, KEEL_BUILD_ID_HEX };

/* Which local symbols go to the output's .symtab (GNU ld's -X, -x,
 * --discard-none); the default, as GNU ld's, drops only the temporary ones
 * (.L...) in merged string sections. */
enum keel_discard { KEEL_DISCARD_SEC_MERGE, KEEL_DISCARD_LOCALS, KEEL_DISCARD_ALL, KEEL_DISCARD_NONE };

/* --sort-section: the order of the input sections a wildcard gathers */
enum keel_sort_section { KEEL_SORT_NONE, KEEL_SORT_NAME, KEEL_SORT_ALIGNMENT };

typedef struct keel_link_options {
    const char *output; /* -o (default a.out) */
    const char *entry;  /* -e (default _start) */
    const keel_link_input *inputs;
    size_t ninputs;
    const char *const *undefined; /* -u NAME: as if referenced */
    size_t nundefined;
    const keel_link_defsym *defsyms;
    size_t ndefsyms;
    const char *map_file;        /* -Map FILE */
    const char *const *mapfiles; /* --mapfile FILE (Solaris mapfile v2), in order */
    size_t nmapfiles;
    const char *print_mapfile; /* the segment model as a mapfile, written to this file (--print-mapfile:
                                * keel link's /dev/stdout) */
    enum keel_build_id build_id;
    const uint8_t *build_id_hex; /* --build-id=0xHEX */
    size_t build_id_hex_len;
    bool gc_sections;
    bool eh_frame_hdr;
    bool exec_stack;           /* -z execstack (default noexecstack) */
    bool relro;                /* -z relro (default) / norelro */
    bool now;                  /* -z now */
    bool no_separate_code;     /* -z noseparate-code: headers and read-only data share the text segment */
    uint64_t max_page_size;    /* -z max-page-size (0: 0x1000) */
    uint64_t common_page_size; /* -z common-page-size (0: 0x1000) */
    bool has_text_segment;     /* -Ttext-segment, --image-base given: */
    uint64_t text_segment;     /*   the first segment's address (else 0x400000) */
    const keel_link_section_start *section_starts; /* in command-line order (the last for a name wins) */
    size_t nsection_starts;
    bool trace;   /* -t: print each input as it is loaded (ld's form) */
    bool verbose; /* -v, --verbose */
    /* symbol resolution and inputs (GNU ld's options of the same names) */
    const char *const *search_dirs; /* -L, then the default directories: a script's INPUT/GROUP names */
    size_t nsearch_dirs;
    const char *const *wrap; /* --wrap SYMBOL */
    size_t nwrap;
    const char *const *trace_symbols; /* -y SYMBOL, --trace-symbol SYMBOL */
    size_t ntrace_symbols;
    bool allow_multiple_definition; /* --allow-multiple-definition, -z muldefs: the first wins */
    bool ignore_unresolved;         /* --unresolved-symbols=ignore-all|ignore-in-object-files */
    bool warn_unresolved;           /* --warn-unresolved-symbols: a warning, not an error */
    bool noinhibit_exec;            /* --noinhibit-exec: undefined and multiple definitions do not stop the output */
    bool strip_all;                 /* -s: no .symtab, .strtab, nor debugging sections */
    bool strip_debug;               /* -S: no debugging sections, nor the symbols in them */
    enum keel_discard discard;      /* -X, -x, --discard-none */
    bool emit_relocs;               /* -q: the relocation sections kept, for the output */
    bool print_gc_sections;         /* --gc-sections tells (diag, KEEL_DIAG_NOTE) each section it drops */
    enum keel_sort_section sort_section;
    const char *sysroot; /* --sysroot: where a script's =/ and absolute names are */
    keel_diag_fn *diag;  /* warnings, -t and -y lines (keel/diag.h); NULL: keel_diag_set's */
    void *diag_ctx;
    bool fatal_warnings; /* --fatal-warnings: a warning fails the link, with no output (GNU ld's) */
    bool warn_common;    /* --warn-common: ld.bfd's warnings when a common meets a common or a definition */
    bool relocatable;    /* -r: a relocatable object (ET_REL), not an executable (docs/linker.md) */
    bool define_common;  /* -d, -dc, -dp: -r allocates the commons (an executable always does) */
    /* symbol policy of dynamic outputs (docs/linker.md, "Symbol policy"):
     * read and checked in every link, as ld.bfd does; a static executable
     * and -r have no dynamic symbols for them to change */
    const char *const *version_scripts; /* --version-script FILE, in order */
    size_t nversion_scripts;
    const char *const *dynamic_lists; /* --dynamic-list FILE, in order */
    size_t ndynamic_lists;
    const char *const *export_dynamic_symbols; /* --export-dynamic-symbol GLOB */
    size_t nexport_dynamic_symbols;
    bool dynamic_list_data;         /* --dynamic-list-data */
    bool dynamic_list_cpp_new;      /* --dynamic-list-cpp-new */
    bool dynamic_list_cpp_typeinfo; /* --dynamic-list-cpp-typeinfo */
    bool export_dynamic;            /* -E, --export-dynamic (--no-export-dynamic: false) */
    enum keel_symbolic { KEEL_SYMBOLIC_UNSET, KEEL_SYMBOLIC, KEEL_SYMBOLIC_FUNCTIONS } symbolic; /* -Bsymbolic... */
    /* shared libraries as inputs: where the libraries they need are
     * searched (ld.bfd's order: -rpath-link, -rpath, LD_LIBRARY_PATH, the
     * library's DT_RUNPATH, /etc/ld.so.conf, the default directories),
     * and whether their own undefined references are errors */
    const char *const *rpath_link; /* -rpath-link DIR, in order (each may be a colon list) */
    size_t nrpath_link;
    const char *const *rpath; /* -rpath DIR, in order */
    size_t nrpath;
    int allow_shlib_undefined; /* 0: ld.bfd's default (an error in an executable), 1: allowed, 2: an error */
    size_t nsearch_dirs_given; /* how many of search_dirs, the first, are -L's: DT_NEEDED libraries skip them */
    /* address maps (docs/address-map-section.md) */
    const char *symbol_ordering_file; /* --symbol-ordering-file FILE (lld's): those symbols' sections first */
    bool no_warn_symbol_ordering;     /* --no-warn-symbol-ordering */
    bool address_map;                 /* --address-map: .keel.addrmap even if nothing moved */
    bool no_address_map;              /* --no-address-map: none, even when sections moved or were dropped */
    /* dynamic output (issue 13; lib/link/dyn_*.c) */
    bool pie;                   /* -pie, -static-pie: a position-independent executable (ET_DYN at 0) */
    bool no_dynamic_linker;     /* --no-dynamic-linker (-static-pie): no PT_INTERP, the program relocates itself */
    const char *dynamic_linker; /* -dynamic-linker (NULL: /lib64/ld-linux-x86-64.so.2 for a PIE) */
    uint8_t hash_style;         /* --hash-style: 0 as ld.bfd (both), 1 sysv, 2 gnu, 3 both */
    bool z_text;                /* -z text: a dynamic relocation in a read-only section is an error */
    bool z_nocopyreloc;         /* -z nocopyreloc: an executable's reference to a library's data is bound
                                 * at run time where a copy would take it (lib/link/dyn_nocopyreloc.c) */
    bool shared;                /* -shared: a shared object (ET_DYN, its globals exported and preemptible) */
    const char *soname;         /* -soname, -h: DT_SONAME */
    bool no_undefined;          /* -z defs, --no-undefined: a shared object's undefined symbols are errors */
    bool z_nodelete, z_origin;  /* -z nodelete (DF_1_NODELETE), -z origin (DF_ORIGIN, DF_1_ORIGIN) */
    bool z_nodlopen, z_global;  /* -z nodlopen (DF_1_NOOPEN), -z global (DF_1_GLOBAL) */
    /* versions of definitions, run paths, packed relocations (version_def.c, dyn_runpath.c, relr.c) */
    uint8_t new_dtags; /* 0: Debian's ld.bfd default (DT_RUNPATH), 1: --enable-new-dtags, 2: --disable-new-dtags */
    bool pack_relative_relocs; /* -z pack-relative-relocs: RELATIVE relocations in .relr.dyn (DT_RELR) */
    bool no_undefined_version; /* --no-undefined-version: a version script's global name not defined is an error */
    bool default_symver;       /* --default-symver: unversioned exports get a version named as the output */
} keel_link_options;

/* Link; err names the file, section and offset of what failed, in GNU
 * ld's form (main.o:(.text+0x12): undefined reference to 'foo'); where
 * the link says several errors through opt->diag (each undefined
 * reference, with ld.bfd's "in function" lines), err is the first.  The
 * output is written to a temporary name and renamed only on success.
 * Links share no state: several may run at once in different threads,
 * each saying its warnings through its own opt->diag. */
int keel_link(const keel_link_options *opt, keel_error *err);

/* The same link in steps, so that a caller can read the finished layout
 * (keel_link = open, run, close).  keel_link_open checks the options and
 * makes the link's context (NULL on error, err filled); opt and err must
 * stay valid until keel_link_close.  keel_link_run runs the passes
 * (docs/design.md) once and writes the output, as keel_link does: 0 or
 * the error.  keel_link_close frees the context and all that it gave
 * out.  One thread at a time per keel_linker. */
typedef struct keel_linker keel_linker;
keel_linker *keel_link_open(const keel_link_options *opt, keel_error *err);
int keel_link_run(keel_linker *link);
void keel_link_close(keel_linker *link);

/* The finished layout of a link that ran (docs/linker.md, "The layout"). */

/* A program header as written. */
typedef struct keel_link_segment {
    uint32_t type, flags; /* PT_*, PF_* */
    uint64_t vaddr, paddr, offset, filesz, memsz, align;
} keel_link_segment;

/* A section header as written, in section-header order (the null one
 * left out: sections[k] has index k + 1). */
typedef struct keel_link_section {
    const char *name;
    uint32_t type;
    uint64_t flags, addr, offset, size, align;
    uint32_t index;  /* in the output's section headers */
    int32_t segment; /* the PT_LOAD (index in segments) its address is in (.tbss: the PT_TLS,
                      * it has no memory of the PT_LOAD's); -1: none (not allocated) */
} keel_link_section;

/* An input section (every one with contents: not the symbol, string,
 * relocation and group tables, which the link consumes) and its place. */
typedef struct keel_link_input_section {
    const char *path;   /* the object, or the archive holding it */
    const char *member; /* the archive member's name, or NULL */
    const char *name;   /* the section's name */
    uint32_t index;     /* its index in the object's section headers */
    int32_t output;     /* its output section (index in sections), or -1: discarded */
    uint64_t offset;    /* where it starts in its output section (merged: see pieces) */
    uint64_t size;      /* its size there (an edited .eh_frame's after editing; merged: the input's) */
    bool discarded;     /* not in the output: --gc-sections, a COMDAT copy dropped, a section consumed */
    bool merged;        /* its strings or constants were merged: pieces say where each went */
} keel_link_input_section;

/* One string or constant of a merged input section: the bytes at
 * input_offset in the input went to output_offset in its output section
 * (shared with every equal one). */
typedef struct keel_link_merged_piece {
    uint32_t input; /* index in inputs */
    uint64_t input_offset, output_offset, length;
} keel_link_merged_piece;

typedef struct keel_link_layout {
    const keel_link_segment *segments;
    size_t nsegments;
    const keel_link_section *sections;
    size_t nsections;
    const keel_link_input_section *inputs;
    size_t ninputs;
    const keel_link_merged_piece *pieces;
    size_t npieces;
} keel_link_layout;

/* The layout of a link whose keel_link_run returned 0, made on the first
 * call (NULL before, after a failed run, for a relocatable link (-r), or
 * out of memory); it and its strings stay valid until keel_link_close. */
const keel_link_layout *keel_link_get_layout(keel_linker *link);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
