/* Versions of definitions (.gnu.version_d, .gnu.version), run paths
 * (DT_RUNPATH/DT_RPATH) and packed relative relocations (.relr.dyn) of a
 * dynamic output: version_def.c, dyn_runpath.c, relr.c.  The dynamic
 * output's writer (dyn_sections.c, dyn_symbols.c) calls them. */
#ifndef KEEL_LINK_VEROUT_H
#define KEEL_LINK_VEROUT_H

#include "dyn.h"

/* lk_sym.pol_flags: the absolute symbol ld.bfd puts in .dynsym for each
 * version it defines (its name the version's, its version itself) */
#define LK_POL_VERNAME 128

/* Append the versions' absolute symbols to .dynsym's list (at most
 * lk_verdef_count of them), after the exported definitions. */
int lk_verdef_symbols(lk_link *l, lk_sym **dsyms, size_t *n);

/* .dynstr's strings beyond the symbols' names (the versions' names, the
 * base version's, the run path), from *at on: called once the names are
 * placed; *at becomes .dynstr's size. */
int lk_dyn_strings(lk_link *l, uint64_t *at);
/* One more such string (found if it is there already): its offset. */
uint32_t lk_dynstr_add(lk_link *l, const char *s, size_t len, uint64_t *at);

/* Make .gnu.version and .gnu.version_d (when the link has versions) and
 * .relr.dyn (-z pack-relative-relocs); fill them and the strings. */
int lk_dyn_verout_place(lk_link *l, uint32_t *seq);
void lk_dyn_verout_fill(lk_link *l, uint8_t *buf);
/* The value of one of these files' tags; their sections' links. */
uint64_t lk_verout_tag_value(const lk_link *l, uint64_t tag);
void lk_verout_shdr(const lk_link *l, const lk_osec *o, keel_shdr *sh);

/* The run path (-rpath, -R DIR): the joined string, or NULL. */
const char *lk_runpath(lk_link *l);

/* .relr.dyn: whether a RELATIVE relocation at this place is packed (an
 * even place, as ld.bfd packs them); make the section, sized for the most
 * entries it can need; write it and trim it to what was written. */
bool lk_relr_packs(const lk_link *l, uint64_t offset);
int lk_relr_place(lk_link *l, uint32_t *seq, size_t nrelative);
void lk_relr_fill(lk_link *l, uint8_t *buf, const uint64_t *offsets, size_t n);
/* Whether the output needs glibc's GLIBC_ABI_DT_RELR version (ld.bfd adds
 * it to the libc.so.6 entry of .gnu.version_r when it writes DT_RELR and
 * links against glibc): asked once the scan has counted the relocations. */
bool lk_relr_needs_glibc_version(const lk_link *l); /* for join's version_need.c */

#endif
