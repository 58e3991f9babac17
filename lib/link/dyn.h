/* Dynamic output's state (issue 13): the sections a position-independent
 * executable carries so that it can be loaded anywhere -- by the dynamic
 * linker named in .interp, or by itself (-static-pie: glibc's
 * _dl_relocate_static_pie, musl's rcrt1.o) -- and the dynamic
 * relocations the scan counted and the write pass records.  One per
 * link, in its arena (dyn_scan.c, dyn_sections.c). */
#ifndef KEEL_LINK_DYN_H
#define KEEL_LINK_DYN_H

#include "internal.h"
#include "../arch/arch.h"

/* A RELATIVE relocation: the word at offset gets the load base + addend;
 * an IRELATIVE one (a pointer to an IFUNC) what the resolver there returns. */
typedef struct lk_dynrel {
    uint64_t offset;
    uint64_t addend;
    bool irelative;
} lk_dynrel;

/* A relocation against a symbol (R_X86_64_64 and the like): the dynamic
 * linker's, by the symbol's .dynsym entry. */
typedef struct lk_dynsymrel {
    uint64_t offset;
    lk_sym *sym;
    int64_t addend;
    uint32_t type; /* 0: the target's dyn.abs (-z nocopyreloc: the input's own type) */
} lk_dynsymrel;

typedef struct lk_gotsym {
    uint32_t slot;
    lk_sym *sym;
} lk_gotsym;

/* A TLS slot of a shared object: the module number, the offset in the
 * module's block, or the offset from the thread pointer, of a symbol (sym
 * when preemptible, else f's symbol symi: no symbol, the offset an
 * addend), or an offset the link-editor writes itself (constant). */
enum lk_tls_kind { LK_TLS_MODULE, LK_TLS_OFFSET, LK_TLS_TPOFF };
typedef struct lk_tlsrel {
    uint32_t slot;
    uint8_t kind;  /* enum lk_tls_kind */
    bool constant; /* no relocation: the slot holds the offset in the block */
    lk_sym *sym;
    lk_file *f;
    uint64_t symi;
} lk_tlsrel;

enum { LK_DYN_MAXTAGS = 96 };

typedef struct lk_dyn {
    /* the synthetic sections (NULL: not made) */
    lk_osec *interp, *hash, *gnu_hash, *dynsym, *dynstr, *rela, *dynamic, *got_plt;
    /* the scan's count of absolute words that need a RELATIVE relocation */
    size_t ndata;
    size_t nidata; /* of them, pointers to IFUNCs: IRELATIVE, not counted in DT_RELACOUNT */
    /* the GOT slots holding an address (each a RELATIVE relocation) */
    uint32_t *gotrel;
    size_t ngotrel, capgotrel;
    /* the write pass's RELATIVE relocations of absolute words (at most ndata) */
    lk_dynrel *rel;
    size_t nrel, nirel; /* (nirel of them IRELATIVE) */
    bool textrel;       /* a dynamic relocation applies to a read-only section (-z notext) */
    /* -shared: relocations the dynamic linker binds by symbol */
    lk_dynsymrel *srel;   /* the write pass's absolute words against preemptible symbols */
    size_t nsdata, nsrel; /* counted by the scan, recorded by the write pass */
    lk_gotsym *gotsym;    /* the GOT slots of preemptible symbols (GLOB_DAT) */
    size_t ngotsym, capgotsym;
    lk_sym **plts; /* the PLT entries' symbols, in entry order (JUMP_SLOT) */
    size_t nplt, capplt;
    lk_osec *plt, *rela_plt;
    /* .dynsym: the undefined ones first (not hashed), then the exported ones
     * by GNU hash bucket (dyn_symbols.c) */
    lk_sym **dsyms;
    size_t ndsyms, nunhashed;
    uint32_t nbuckets, maskwords;
    uint32_t *name_off;   /* per dynamic symbol: its name in .dynstr */
    size_t *name_len;     /* per dynamic symbol: its name's length (no @VER) */
    uint32_t *gnu_hashes; /* per hashed symbol (from nunhashed): its GNU hash */
    uint32_t soname_off;
    uint64_t dynstr_size;
    /* -shared: thread-local storage's slots (dyn_tls.c) */
    lk_tlsrel *tls;
    size_t ntls, captls, ntlsrel; /* (ntlsrel of them dynamic relocations) */
    bool has_ld, static_tls;      /* a local dynamic pair; an initial-exec slot (DF_STATIC_TLS) */
    uint32_t got_ld;
    /* versions of definitions, run paths, packed relocations (verout.h) */
    lk_osec *verdef, *relr; /* (.gnu.version: versym, below) */
    const char **xstr;      /* .dynstr's other strings, at xoff (version_def.c) */
    uint32_t *xoff, runpath_off;
    size_t nxstr, capxstr, nrelr; /* (nrelr: the RELATIVE relocations .relr.dyn packs) */
    /* -shared: TLS descriptors (dyn_tlsdesc.c), two words each in .got.plt
     * after the PLT slots, their TLSDESC relocations in .rela.plt after
     * the JUMP_SLOT ones; lazily bound, the .got slot DT_TLSDESC_GOT names */
    lk_tlsrel *desc;
    size_t ndesc, capdesc;
    uint32_t desc_got;
    /* .dynamic's tags, in ld.bfd's order; their values are the layout's */
    uint64_t tags[LK_DYN_MAXTAGS];
    size_t ntags;
    /* imports (dyn_import.c): a -no-pie executable that needs a shared
     * library (at its link-time addresses: no RELATIVE relocations), and
     * the DT_NEEDED names' places in .dynstr */
    bool fixed;
    uint32_t *needed_off;
    size_t nneeded;
    /* copy relocations: the copied symbols, their offsets in their piece,
     * read-only ones in .data.rel.ro, the others in .bss */
    lk_sym **copies;
    uint64_t *copy_off;
    bool *copy_ro;
    size_t ncopies, capcopies;
    lk_osec *dynbss, *dynrelro;
    uint32_t dynbss_piece, dynrelro_piece;
    /* the versions the imports need (version_need.c), and the sections
     * (.gnu.version joins verout's at merge) */
    struct lk_verneed *verneed;
    lk_osec *versym, *verneed_sec;
    /* .plt.got: the functions called whose GOT slot the dynamic linker
     * binds anyway (dyn_import.c) */
    lk_sym **pltgots;
    size_t npltgot;
    lk_osec *pltgot;
    /* -no-pie: the imports' writable words counted in nsdata, one entry
     * per word, until the scan's end says which got a copy or a canonical
     * PLT entry (dyn_import_words.c) */
    lk_sym **wordsyms;
    size_t nwordsyms, capwordsyms;
} lk_dyn;
#define LK_IMPORT_PLT 0x80000000u

/* lk_dyn_word's records made on a thread of their own (fill.c's helper,
 * which relocates files ahead of the main thread): at most as many as
 * the link's (caprel = ndata, capsrel = nsdata), taken into the link's
 * in the files' order by lk_dyn_words_take. */
typedef struct lk_dyn_words {
    lk_dynrel *rel;
    size_t nrel, caprel;
    lk_dynsymrel *srel;
    size_t nsrel, capsrel;
} lk_dyn_words;
/* On this thread, lk_dyn_word records into w (NULL: into the link's). */
void lk_dyn_words_redirect(lk_dyn_words *w);
/* A relocation by a symbol recorded where this thread's records go. */
void lk_dyn_srel_push(lk_link *l, lk_dynsymrel rec);
/* w's records rel[rel0, rel1) and srel[srel0, srel1) appended to the
 * link's, as lk_dyn_word would have (no more than the scan counted). */
void lk_dyn_words_take(lk_link *l, const lk_dyn_words *w, size_t rel0, size_t rel1, size_t srel0, size_t srel1);

/* Whether a word holding symbol symi of f's address changes with the load
 * base: a definition in a section, a common, or an address the
 * link-editor defines; not an absolute value, a TLS offset or an
 * undefined weak symbol (0 in an executable that has no shared library). */
bool lk_dyn_is_address(lk_link *l, lk_file *f, uint64_t symi);
/* Whether symbol symi of f is an undefined global the link-editor does
 * not define (dyn_errors.c). */
bool lk_dyn_undefined(lk_link *l, lk_file *f, uint64_t symi);
/* The global symbol symi of f names, or NULL (a local one). */
lk_sym *lk_dyn_global(lk_link *l, lk_file *f, uint64_t symi);
/* A synthetic section of the dynamic output, placed next in the
 * placement order (*seq): out of memory is the link's error. */
int lk_dyn_section(lk_link *l, uint32_t *seq, lk_osec **out, const char *name, uint32_t type, uint64_t flags,
                   uint64_t size, uint64_t align);
/* -shared: .dynsym and .dynstr planned, hash tables sized (dyn_symbols.c);
 * their bytes written. */
int lk_dyn_symbols(lk_link *l);
void lk_dyn_fill_symbols(lk_link *l, uint8_t *buf);
/* The link-editor's symbols .dynsym has, by name (dyn_linker_syms.c), and
 * an entry's visibility and section */
int lk_dyn_linker_symbols(lk_link *l, lk_sym ***out, size_t *n);
void lk_dyn_linker_entry(const lk_link *l, const lk_sym *s, uint64_t value, uint8_t *other, uint16_t *shndx);
/* Its TLS slots' relocations at out (ntlsrel records), the constant ones
 * written into the image (dyn_tls.c). */
void lk_dyn_fill_tls(lk_link *l, uint8_t *buf, uint8_t *out);
/* The TLS descriptors' PLT entry size (0: none, -z now), the descriptors'
 * relocations and PLT entry written (dyn_tlsdesc.c) */
uint64_t lk_dyn_tlsdesc_plt(const lk_link *l);
void lk_dyn_fill_tlsdesc(lk_link *l, uint8_t *buf);

/* Whether an executable's undefined weak symbol that no library defines
 * is the dynamic linker's to bind, else 0 with no relocation
 * (dyn_undefweak.c, from lk_undefweak_scan's reading). */
bool lk_undefweak_dynamic(const lk_sym *s);

/* Imports (dyn_import.c): DT_NEEDED's names placed in .dynstr from *at
 * on, and written; an imported (or undefined weak) symbol's .dynsym
 * fields. */
int lk_import_needed(lk_link *l, uint64_t *at);
/* An executable's relocation against an import or undefined weak symbol
 * (pre: preemptible): handled (*rc its result: a copy, a PLT entry, 0
 * with no relocation) or false (the -shared rules apply). */
bool lk_import_scan(lk_link *l, lk_file *f, const keel_rel *r, const ka_howto *h, uint32_t target, int *rc);
/* Whether lk_import_scan took an executable's absolute address-sized
 * field against s (writable: in a writable section) as its own (a copy,
 * a canonical PLT entry, or 0): the write pass gives it no relocation. */
bool lk_import_static_word(const lk_link *l, const lk_sym *s, bool writable);
/* -no-pie: a writable word against import s, counted in nsdata, noted;
 * after the scan, the words whose import got a copy or a canonical PLT
 * entry uncounted: they hold that address, with no relocation, as ld.bfd
 * writes them (dyn_import_words.c) */
int lk_import_note_word(lk_link *l, lk_sym *s);
void lk_import_settle_words(lk_link *l);
/* -z nocopyreloc (dyn_nocopyreloc.c): a reference of f's that would
 * have made a copy of s, counted as a dynamic relocation of its own type
 * by symbol, or ld.bfd's error; and the write pass's record of it (true:
 * it was one) */
int lk_nocopy_scan(lk_link *l, lk_file *f, const ka_howto *h, uint32_t target, lk_sym *s);
bool lk_nocopy_word(lk_link *l, lk_file *f, uint64_t symi, const ka_howto *h, uint32_t type, uint64_t place,
                    int64_t addend, bool writable);
/* A weak import's strong alias in the same library (environ's __environ),
 * or NULL (dyn_import.c) */
lk_sym *lk_import_strong_alias(lk_link *l, const lk_sym *s);
/* Whether an executable's reference of this kind to s makes a copy
 * (dyn_import.c's rule, without -z nocopyreloc) */
bool lk_import_copies(const lk_link *l, const lk_sym *s, const ka_howto *h, bool writable);
/* The copies' places (with the synthetic sections); the COPY
 * relocations written at out (ncopies records). */
int lk_import_place(lk_link *l, uint32_t *seq);
void lk_import_fill_copies(lk_link *l, uint8_t *out);
/* .gnu.version_r (version_need.c): planned (its names in .dynstr from
 * *at on, after .dynsym's order is final), its size and entry count, an
 * import's .gnu.version index, its bytes and its names written. */
int lk_verneed_plan(lk_link *l, uint64_t *at);
uint64_t lk_verneed_size(const lk_link *l);
size_t lk_verneed_count(const lk_link *l);
uint16_t lk_verneed_index(const lk_link *l, const lk_sym *s);
void lk_write_verneed(const lk_link *l, uint8_t *out);
void lk_verneed_fill_strings(const lk_link *l, uint8_t *dynstr);
/* The PLT entries of functions that have a GLOB_DAT slot moved to
 * .plt.got (made), the others renumbered; its entries written. */
int lk_import_pltgot(lk_link *l, uint32_t *seq);
void lk_import_fill_pltgot(lk_link *l, uint8_t *buf);
/* -shared's PLT entry for a call (dyn_scan.c) */
int lk_dyn_need_plt(lk_link *l, lk_file *f, const keel_rel *r);
void lk_import_fill_needed(lk_link *l, uint8_t *dynstr);
void lk_import_symbol(lk_link *l, const lk_sym *s, uint8_t *bind, uint8_t *type, uint16_t *shndx, uint64_t *value,
                      uint64_t *size);

#endif
