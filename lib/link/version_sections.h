/* The writers of .gnu.version_d and .gnu.version (version_sections.c),
 * which the dynamic outputs' writer calls with its .dynsym order and its
 * .dynstr. */
#ifndef KEEL_LINK_VERSION_SECTIONS_H
#define KEEL_LINK_VERSION_SECTIONS_H

#include "internal.h"

/* Add a string to .dynstr (or find it): its offset. */
typedef uint32_t lk_dynstr_fn(void *ctx, const char *s, size_t len);

/* DT_VERDEFNUM and .gnu.version_d's sh_info: the base and each named
 * node (0: no .gnu.version_d). */
size_t lk_verdef_count(const lk_link *l);

/* --default-symver's version (named as the base), or NULL. */
const char *lk_default_version(const lk_link *l);

/* The name of the node with version index k + 2 (ld.bfd also puts an
 * absolute symbol of that name in .dynsym, of that version); NULL: none. */
const char *lk_verdef_name(const lk_link *l, size_t k);

/* .gnu.version_d's size, and its bytes (base: the soname, else the
 * output's file name): 0, or -1 if size is not lk_verdef_size's. */
uint64_t lk_verdef_size(const lk_link *l);
int lk_write_verdef(const lk_link *l, const char *base, lk_dynstr_fn *str, void *ctx, uint8_t *out, uint64_t size);

/* .gnu.version for .dynsym's symbols after its null entry: (n + 1) * 2
 * bytes at out. */
void lk_write_versym(const lk_link *l, lk_sym *const *dynsyms, size_t n, uint8_t *out);

#endif
