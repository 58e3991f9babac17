/* -z pack-relative-relocs: the RELATIVE relocations of a dynamic output
 * at even places packed into .relr.dyn (DT_RELR, DT_RELRSZ, DT_RELRENT),
 * in the encoding ld.bfd and the gABI proposal use: an even entry is an
 * address (its word relocated), then each odd entry a bitmap of the 63
 * words after the last one covered (bit i + 1: the word at base + i *
 * 8).  The places are known only once the layout is final, and the
 * section sits in the headers' segment before it; so it is made for the
 * most entries the relocations can need (one each), then trimmed to what
 * the encoding writes (the rest of its room stays zeros outside every
 * section), as .rela.dyn is to the relocations left to it.  The dynamic
 * linker of glibc 2.36 and later (and its static-pie self-relocation)
 * applies them; ld.bfd marks the need with the version GLIBC_ABI_DT_RELR
 * of libc.so.6 when it links against glibc. */
#include <stdlib.h>
#include <string.h>

#include "verout.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

bool lk_relr_packs(const lk_link *l, uint64_t offset) { return l->dyn->relr && !(offset & 1); }

/* (known from the scan's counts, before the sections are made: the
 * imports' .gnu.version_r is sized before .relr.dyn) */
bool lk_relr_needs_glibc_version(const lk_link *l)
{
    return l->opt->pack_relative_relocs && l->dyn && l->dyn->ndata + l->dyn->ngotrel > 0;
}

int lk_relr_place(lk_link *l, uint32_t *seq, size_t nrelative)
{
    lk_dyn *d = l->dyn;
    unsigned w = l->arch->word_size;
    if (!l->opt->pack_relative_relocs || !nrelative)
        return 0;
    return lk_dyn_section(l, seq, &d->relr, ".relr.dyn", SHT_RELR, SHF_ALLOC, (uint64_t)nrelative * w, w);
}

static int by_value(const void *x, const void *y)
{
    uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
    return a < b ? -1 : a > b;
}

void lk_relr_fill(lk_link *l, uint8_t *buf, const uint64_t *offsets, size_t n)
{
    lk_dyn *d = l->dyn;
    const ka_arch *a = l->arch;
    uint64_t w = a->word_size, nbits = 8 * w - 1, room = d->relr->size / w, m = 0;
    uint64_t *off = malloc((n + 1) * sizeof *off);
    if (!off) {
        d->relr->size = 0;
        return;
    }
    memcpy(off, offsets, n * sizeof *off);
    qsort(off, n, sizeof *off, by_value);
    size_t u = 0; /* the same place twice (a malformed input) is relocated once */
    for (size_t i = 0; i < n; i++)
        if (!u || off[i] != off[u - 1])
            off[u++] = off[i];
    n = u;
    uint8_t *out = buf + d->relr->offset;
    for (size_t i = 0; i < n && m < room;) {
        uint64_t base = off[i++];
        ka_put_word(a, out + m++ * w, base); /* an address: the word there */
        base += w;
        while (m < room) { /* then bitmaps while the next words are near */
            uint64_t bits = 0;
            for (; i < n; i++) {
                uint64_t delta = off[i] - base; /* (below base: wraps, too far) */
                if (delta >= nbits * w || delta % w)
                    break;
                bits |= (uint64_t)1 << (delta / w);
            }
            if (!bits)
                break;
            ka_put_word(a, out + m++ * w, bits << 1 | 1);
            base += nbits * w;
        }
    }
    free(off);
    d->relr->size = m * w;
}
