/* The output's .strtab with its strings shared: a name that ends another
 * ("foo" in "_foo", "" in any) is that one's tail, and the same name
 * twice is written once, as ld.bfd's _bfd_elf_strtab_finalize shares
 * them (keel's table was 5% larger).  The names are sorted by their
 * reversed text: a suffix then sorts just before the names it ends, and
 * one walk from the end finds each its container; O(n log n). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct name {
    const char *s;
    uint32_t len;
    uint32_t sym; /* the symbol entry it is the name of */
} name;

static int by_reversed(const void *a, const void *b)
{
    const name *x = a, *y = b;
    uint32_t i = x->len, j = y->len;
    while (i && j) {
        unsigned char cx = (unsigned char)x->s[--i], cy = (unsigned char)y->s[--j];
        if (cx != cy)
            return cx < cy ? -1 : 1;
    }
    return i ? 1 : j ? -1 : 0; /* the shorter (a suffix) first */
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

int lk_strtab_share(lk_link *l, char **v, size_t *n, uint8_t *syms, size_t nsyms)
{
    name *names = lk_alloc(&l->arena, (nsyms + 1) * sizeof *names);
    char *out = malloc(*n + 1);
    if (!names || !out) {
        free(out);
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    }
    size_t m = 0;
    for (size_t i = 0; i < nsyms; i++) {
        uint32_t off = get32(syms + i * 24);
        if (off && off < *n) { /* (0 is the empty name, which stays) */
            const char *s = *v + off;
            names[m++] = (name){s, (uint32_t)strnlen(s, *n - off), (uint32_t)i};
        }
    }
    qsort(names, m, sizeof *names, by_reversed);
    size_t at = 1;
    out[0] = 0;
    const name *c = NULL; /* the name last written: the container of a suffix that sorts before it */
    uint32_t c_off = 0;
    for (size_t k = m; k-- > 0;) {
        const name *x = &names[k];
        uint32_t off;
        if (c && x->len <= c->len && memcmp(c->s + c->len - x->len, x->s, x->len) == 0) {
            off = c_off + (c->len - x->len);
        } else {
            memcpy(out + at, x->s, x->len);
            out[at + x->len] = 0;
            off = (uint32_t)at;
            at += x->len + 1;
            c = x;
            c_off = off;
        }
        uint32_t le = off; /* st_name, little-endian as every x86-64 field */
        memcpy(syms + (size_t)x->sym * 24, &le, 4);
    }
    free(*v);
    *v = out;
    *n = at;
    return 0;
}
