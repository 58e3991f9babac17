/* .eh_frame_hdr (--eh-frame-hdr): the unwinder's binary search table over
 * the output's .eh_frame, found through PT_GNU_EH_FRAME.  Its size is set
 * before addresses from the FDEs the edit kept (ehedit.c); its contents
 * are made from the relocated .eh_frame: each FDE's start address decoded
 * with its CIE's pointer encoding, sorted.  When an input did not parse,
 * the header says there is no table (GNU ld's choice). */
#include <stdlib.h>
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"

enum {
    PE_ABSPTR = 0x00,
    PE_UDATA2 = 0x02,
    PE_UDATA4 = 0x03,
    PE_UDATA8 = 0x04,
    PE_SDATA2 = 0x0a,
    PE_SDATA4 = 0x0b,
    PE_SDATA8 = 0x0c,
    PE_PCREL = 0x10,
    PE_DATAREL = 0x30,
    PE_OMIT = 0xff
};

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static uint64_t uleb(const uint8_t *p, const uint8_t *end, const uint8_t **next)
{
    uint64_t v = 0;
    for (int shift = 0; p < end && shift < 64; shift += 7) {
        uint8_t b = *p++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            break;
    }
    *next = p;
    return v;
}

static size_t enc_size(uint8_t enc)
{
    switch (enc & 0x0f) {
    case PE_UDATA2:
    case PE_SDATA2: return 2;
    case PE_UDATA4:
    case PE_SDATA4: return 4;
    case PE_ABSPTR:
    case PE_UDATA8:
    case PE_SDATA8: return 8;
    default: return 0;
    }
}

/* The FDE pointer encoding a CIE declares ('R' in its augmentation); the
 * caller has checked that the record [cie, cie + 4 + len) is inside. */
static uint8_t cie_encoding(const uint8_t *cie, uint32_t len)
{
    if (len < 6)
        return PE_ABSPTR;
    const uint8_t *p = cie + 9, *end = cie + 4 + len; /* after length, id, version */
    const char *aug = (const char *)p;
    size_t alen = strnlen(aug, (size_t)(end - p));
    if (p + alen >= end || aug[0] != 'z')
        return PE_ABSPTR;
    p += alen + 1;
    uleb(p, end, &p); /* code alignment */
    uleb(p, end, &p); /* data alignment (sleb: the same bytes) */
    p++;              /* return address register (version 1: a byte) */
    uleb(p, end, &p); /* augmentation length */
    for (size_t i = 1; i < alen && p < end; i++) {
        if (aug[i] == 'R')
            return *p;
        if (aug[i] == 'L')
            p++;
        else if (aug[i] == 'P') {
            uint8_t enc = *p++;
            p += enc_size(enc);
        } else if (aug[i] != 'S' && aug[i] != 'B')
            break;
    }
    return PE_ABSPTR;
}

typedef struct entry {
    int64_t pc, fde;
} entry;

static int by_pc(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    return x->pc < y->pc ? -1 : x->pc > y->pc;
}

/* The table, into buf (the output file): the header's own contents. */
void lk_fill_eh_frame_hdr(lk_link *l, uint8_t *buf)
{
    const lk_osec *eh = l->eh_frame, *hdr = l->eh_frame_hdr;
    uint8_t *p = buf + eh->offset, *out = buf + hdr->offset;
    if (l->eh_no_table) { /* the .eh_frame pointer alone, the rest omitted */
        int32_t to_eh = (int32_t)((int64_t)eh->addr - (int64_t)(hdr->addr + 4));
        out[0] = 1;
        out[1] = PE_PCREL | PE_SDATA4;
        out[2] = out[3] = PE_OMIT;
        memcpy(out + 4, &to_eh, 4);
        return;
    }
    size_t max = (hdr->size - 12) / 8, n = 0;
    uint64_t code_lo = UINT64_MAX, code_hi = 0; /* the executable sections' extent */
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            const lk_osec *o = l->segs[s]->secs[i];
            if (!(o->flags & SHF_EXECINSTR))
                continue;
            if (o->addr < code_lo)
                code_lo = o->addr;
            if (o->addr + o->size > code_hi)
                code_hi = o->addr + o->size;
        }
    entry *v = malloc((max ? max : 1) * sizeof *v);
    const uint8_t *cie = NULL;
    uint32_t cie_len = 0;
    for (uint64_t at = 0; v && eh->size - at >= 8 && n < max;) {
        uint32_t len = get32(p + at);
        if (len == 0xffffffffu || len > eh->size - at - 4)
            break;
        if (len == 0) { /* an input's terminator: the next input's records follow */
            at += 4;
            continue;
        }
        uint32_t id = get32(p + at + 4);
        if (id == 0) {
            cie = p + at;
            cie_len = len;
        } else if (len >= 12) {
            const uint8_t *own = p + at + 4 - id; /* the CIE pointer is relative to itself */
            uint32_t own_len = own >= p && own + 4 <= p + at ? get32(own) : 0;
            uint8_t enc = own_len && own + 4 + (uint64_t)own_len <= p + at ? cie_encoding(own, own_len)
                          : cie                                            ? cie_encoding(cie, cie_len)
                                                                           : 0;
            uint64_t field = eh->addr + at + 8;
            int64_t pc;
            if ((enc & 0x0f) == PE_SDATA4) {
                int32_t d;
                memcpy(&d, p + at + 8, 4);
                pc = (int64_t)((enc & 0x70) == PE_PCREL ? field : 0) + d;
            } else if (len >= 16 &&
                       ((enc & 0x0f) == PE_ABSPTR || (enc & 0x0f) == PE_UDATA8 || (enc & 0x0f) == PE_SDATA8)) {
                int64_t d;
                memcpy(&d, p + at + 8, 8);
                pc = (int64_t)((enc & 0x70) == PE_PCREL ? field : 0) + d;
            } else {
                pc = 0;
            }
            /* the FDEs of linked code; a dead one (its function dropped or
             * collected) still points at itself, outside the code */
            if ((uint64_t)pc >= code_lo && (uint64_t)pc < code_hi)
                v[n++] = (entry){pc - (int64_t)hdr->addr, (int64_t)(eh->addr + at) - (int64_t)hdr->addr};
        }
        at += 4 + (uint64_t)len;
    }
    if (v)
        qsort(v, n, sizeof *v, by_pc);
    out[0] = 1;                      /* version */
    out[1] = PE_PCREL | PE_SDATA4;   /* eh_frame_ptr */
    out[2] = PE_UDATA4;              /* fde_count */
    out[3] = PE_DATAREL | PE_SDATA4; /* the table */
    int32_t to_eh = (int32_t)((int64_t)eh->addr - (int64_t)(hdr->addr + 4));
    uint32_t count = (uint32_t)n;
    memcpy(out + 4, &to_eh, 4);
    memcpy(out + 8, &count, 4);
    for (size_t i = 0; i < n; i++) {
        int32_t a = (int32_t)v[i].pc, b = (int32_t)v[i].fde;
        memcpy(out + 12 + 8 * i, &a, 4);
        memcpy(out + 16 + 8 * i, &b, 4);
    }
    free(v);
}
