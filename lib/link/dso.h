/* Shared libraries as inputs of the link (dso.c, dso_needed.c): their
 * dynamic symbols and versions, DT_SONAME and DT_NEEDED, how they resolve
 * the link's undefined names (the state LK_SHARED, the shared rule in
 * lib/resolve), --as-needed, and the libraries they need in turn, searched
 * as ld.bfd searches them.  The output side reads which libraries the
 * output needs through lk_dso_count/lk_dso_needed. */
#ifndef KEEL_LINK_DSO_H
#define KEEL_LINK_DSO_H

#include "internal.h"

typedef struct lk_dso {
    const char *path;   /* as given or found: what -t and the messages say */
    const char *soname; /* DT_SONAME, or the name given (-lNAME's file name): what DT_NEEDED will carry */
    keel_elf elf;
    keel_symtab dynsym; /* has_dynsym: its .dynsym (through the section headers, or the dynamic segment) */
    bool has_dynsym;
    keel_versions vers;
    const char **needed; /* its DT_NEEDED names */
    size_t nneeded;
    const char *runpath; /* DT_RUNPATH, or DT_RPATH when there is none (NULL: neither) */
    bool as_needed;      /* given under --as-needed (or a script's AS_NEEDED) */
    bool is_needed;      /* the output needs it: named and not --as-needed, or as-needed and used */
    bool implicit;       /* loaded only because a library needs it (its DT_NEEDED) */
    bool added;          /* its symbols joined the link */
    uint32_t group;      /* the group it is in (0: none): an unused --as-needed one is tried again with it */
    uint32_t index;      /* its place among l->dsos */
} lk_dso;

/* A shared library joins the link (lk_add_input's ELF ET_DYN file): read
 * and checked, then, when it is needed, its dynamic symbols resolved.
 * as_needed: the library is needed only if it defines a name a strong
 * reference waits for (else it adds nothing, as in ld.bfd).  0 or the
 * link's error. */
int lk_add_dso(lk_link *l, const char *path, const uint8_t *data, size_t size, bool as_needed, uint32_t group);

/* A group searched again: its --as-needed libraries not used yet are
 * read again (ld.bfd's rescan), and join if now they are; *again set if
 * one did. */
int lk_dso_rescan(lk_link *l, uint32_t group, bool *again);

/* The parts (dso.c): a library read into a new record, its place in the
 * link's list, its dynamic symbols into the link's table (late: after the
 * inputs, when its undefined references pull nothing more). */
int lk_dso_open(lk_link *l, const char *path, const uint8_t *data, size_t size, lk_dso **out);
int lk_dso_append(lk_link *l, lk_dso *d);
int lk_dso_add_symbols(lk_link *l, lk_dso *d, bool late);
/* A library without section headers: DT_SONAME, DT_NEEDED, .dynsym and
 * its versions through the dynamic segment (dso_dynamic.c). */
int lk_dso_from_dynamic(lk_link *l, lk_dso *d);
/* A string-valued dynamic entry (DT_NEEDED, DT_SONAME, DT_RUNPATH or
 * DT_RPATH, whose value is kept in *rpath) recorded in d: one place for
 * the section-header and the dynamic-segment readers. */
void lk_dso_dyn_string(lk_dso *d, int64_t tag, const char *s, const char **rpath);

/* After the inputs: the libraries the needed ones need (DT_NEEDED) and
 * that the command line did not name, found as ld.bfd finds them and read
 * for their symbols; a regular object's reference that only one of them
 * defines is ld.bfd's "DSO missing from command line" error. */
int lk_dso_load_needed(lk_link *l);

/* After resolution and the undefined references: the shared libraries'
 * own undefined references (--no-allow-shlib-undefined), then what a
 * link that resolved names from shared libraries cannot do yet. */
int lk_dso_check(lk_link *l);

/* Whether a library's definition (sym: its .dynsym entry) wins over a
 * regular object's common of its name, in either order, as in ld.bfd:
 * a strong one of data does, the common then a reference to it (its copy
 * in an executable); a function's or a weak one's does not. */
bool lk_dso_beats_common(const keel_sym *sym);
bool lk_shared_beats_common(const lk_sym *s);

/* The libraries the output needs (DT_NEEDED), in command-line order:
 * how many, and the i-th one (its soname is the DT_NEEDED string).  For
 * the output side (dynsyn's .dynamic). */
size_t lk_dso_count(const lk_link *l);
const lk_dso *lk_dso_needed(const lk_link *l, size_t i);

#endif
