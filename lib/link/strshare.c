/* The output's .strtab with its strings shared: a name that ends another
 * ("foo" in "_foo", "" in any) is that one's tail, and the same name
 * twice is written once, as ld.bfd's _bfd_elf_strtab_finalize shares
 * them (keel's table was 5% larger).  The names are sorted by their
 * reversed text: a suffix then sorts just before the names it ends, and
 * one walk from the end finds each its container; O(n log n) expected. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct name {
    const char *s;
    uint32_t len;
    uint32_t sym; /* the symbol entry it is the name of */
    uint64_t key; /* key_at(this, d) at the depth d of the part it is in */
} name;

/* The sort key at depth d: the name's characters 8d to 8d+7 counted
 * from its end, the last character in the top byte, so that comparing
 * keys compares the reversed text eight characters at a time (a byte at
 * a time was 2.6% of a C++ link: mangled names share long tails).
 * Characters past the name's start are zero, below any character, so a
 * suffix sorts before the names it ends; 0 once the name has ended. */
static inline uint64_t key_at(const name *x, size_t d)
{
    if ((uint64_t)d * 8 >= x->len)
        return 0;
    size_t r = x->len - d * 8; /* the characters left, read backwards */
    uint64_t v = 0;
    if (r >= 8)
        memcpy(&v, x->s + r - 8, 8);
    else
        memcpy((unsigned char *)&v + 8 - r, x->s, r);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v); /* (the byte read last is the key's top byte) */
#endif
    return v;
}

static void swap(name *a, size_t i, size_t j)
{
    name t = a[i];
    a[i] = a[j];
    a[j] = t;
}

/* The part's keys at depth d. */
static void keys_at(name *a, size_t n, size_t d)
{
    for (size_t i = 0; i < n; i++)
        a[i].key = key_at(&a[i], d);
}

/* Names equal in their last 8d characters, sorted by the rest: a
 * multikey quicksort (Bentley and Sedgewick) over 8-character keys,
 * which reads each key about once where qsort's comparisons start over
 * from the end each time (the link's largest .strtab cost 7% of static
 * Python's link that way).  Each name's key at depth d is in a[i].key
 * (made once a part goes a level deeper, then compared from there: the
 * partitions do not go back to the text).  Any order of equal names
 * gives the same table: they share one offset. */
static void mkqs(name *a, size_t n, size_t d)
{
    while (n > 1) {
        if (n < 12) { /* insertion sort, comparing from depth d */
            for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0; j--) {
                    size_t k = d + 1;
                    uint64_t x = a[j - 1].key, y = a[j].key;
                    while (x == y && x) {
                        x = key_at(&a[j - 1], k);
                        y = key_at(&a[j], k);
                        k++;
                    }
                    if (x <= y)
                        break;
                    swap(a, j - 1, j);
                }
            return;
        }
        uint64_t k0 = a[0].key, k1 = a[n / 2].key, k2 = a[n - 1].key;
        uint64_t pivot = k0 < k1 ? (k1 < k2 ? k1 : k0 < k2 ? k2 : k0) : (k0 < k2 ? k0 : k1 < k2 ? k2 : k1);
        size_t lt = 0, i = 0, gt = n; /* [0,lt) <, [lt,i) =, [gt,n) > */
        while (i < gt) {
            uint64_t k = a[i].key;
            if (k < pivot)
                swap(a, i++, lt++);
            else if (k > pivot)
                swap(a, i, --gt);
            else
                i++;
        }
        /* the two smaller parts by recursion, the largest by the loop:
         * the stack stays O(log n) deep plus one frame a key */
        size_t eq = gt - lt, hi = n - gt;
        if (!pivot) { /* names that ended here: all equal, done */
            mkqs(a, lt, d);
            mkqs(a + gt, hi, d);
            return;
        }
        if (eq >= lt && eq >= hi) {
            mkqs(a, lt, d);
            mkqs(a + gt, hi, d);
            a += lt;
            n = eq;
            d++;
            keys_at(a, n, d);
        } else if (lt >= hi) {
            keys_at(a + lt, eq, d + 1);
            mkqs(a + lt, eq, d + 1);
            mkqs(a + gt, hi, d);
            n = lt;
        } else {
            mkqs(a, lt, d);
            keys_at(a + lt, eq, d + 1);
            mkqs(a + lt, eq, d + 1);
            a += gt;
            n = hi;
        }
    }
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
            names[m++] = (name){s, (uint32_t)strnlen(s, *n - off), (uint32_t)i, 0};
        }
    }
    keys_at(names, m, 0);
    mkqs(names, m, 0);
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
