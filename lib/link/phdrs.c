/* The program headers: how many the layout will need (counted before the
 * addresses, since their size is part of the first segment), then each of
 * them from the finished layout -- the PT_LOADs as lk_assign_addresses
 * placed them, the notes, TLS, RELRO, properties, the unwind table's
 * header and the stack. */
#include <string.h>

#include "image.h"
#include "dyn.h"
#include "../arch/arch.h"
#include "../elfdefs.h"

size_t lk_phdr_count(const lk_link *l)
{
    const lk_segment *data = lk_seg_role(l, LK_ROLE_DATA);
    bool has_tls = false;
    for (size_t i = 0; i < data->nsecs; i++)
        has_tls |= (data->secs[i]->flags & SHF_TLS) != 0;
    size_t nph = lk_max_loads(l) + 1 /* stack */ + has_tls + (l->eh_frame_hdr ? 1 : 0) + lk_has_relro(l) +
                 (l->property ? 1 : 0);
    if (l->dyn) /* PT_DYNAMIC; PT_PHDR and PT_INTERP with an interpreter */
        nph += 1 + (l->dyn->interp ? 2 : 0);
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            nph += l->segs[s]->secs[i]->note;        /* at most one PT_NOTE each */
    return nph + lk_reserve_count(l) + l->phdr_null; /* a mapfile's reservations and PT_NULLs */
}

size_t lk_program_headers(const lk_link *l, lk_phdr *ph)
{
    size_t n = 0;
    const lk_dyn *d = l->dyn;
    if (d && d->interp) { /* the headers themselves, then the interpreter: first, as the gABI wants */
        uint64_t size = (uint64_t)lk_phdr_count(l) * l->arch->phdr_size, at = l->arch->ehdr_size;
        uint64_t first = l->nloads ? l->loads[0].vaddr : 0;
        for (size_t i = 1; i < l->nloads; i++)
            if (l->loads[i].vaddr < first)
                first = l->loads[i].vaddr;
        ph[n++] = (lk_phdr){PT_PHDR, PF_R, at, first + at, size, size, 8};
        ph[n++] = (lk_phdr){PT_INTERP, PF_R, d->interp->offset, d->interp->addr, d->interp->size, d->interp->size, 1};
    }
    size_t first_load = n;
    for (size_t i = 0; i < l->nloads; i++) /* as lk_assign_addresses placed them */
        ph[n++] = (lk_phdr){PT_LOAD,           l->loads[i].flags,  l->loads[i].offset,
                            l->loads[i].vaddr, l->loads[i].filesz, l->loads[i].memsz,
                            l->loads[i].align};
    n += lk_reserve_phdrs(l, ph + n); /* a mapfile's reservations: PT_LOADs too */
    /* ascending by address, as the gABI requires of PT_LOADs (and ld.bfd
     * orders them) even where -Tdata, -Tbss or --section-start put a
     * segment below the text; a handful of entries: insertion sort */
    for (size_t i = first_load + 1; i < n; i++)
        for (size_t k = i; k > first_load && ph[k - 1].vaddr > ph[k].vaddr; k--) {
            lk_phdr t = ph[k];
            ph[k] = ph[k - 1];
            ph[k - 1] = t;
        }
    if (d) /* the dynamic section, for the loader or the self-relocation */
        ph[n++] = (lk_phdr){PT_DYNAMIC,       PF_R | PF_W,      d->dynamic->offset, d->dynamic->addr,
                            d->dynamic->size, d->dynamic->size, l->arch->word_size};
    /* the note segment: the loaded notes, where their segment has them */
    for (size_t s = 0; s < l->nsegs; s++) {
        const lk_segment *t = l->segs[s];
        for (size_t i = 0; i < t->nsecs; i++)
            if (t->secs[i]->note) {
                uint64_t lo = t->secs[i]->addr, off = t->secs[i]->offset, hi = lo + t->secs[i]->size,
                         al = t->secs[i]->align;
                /* notes of one alignment per PT_NOTE: readers step by it */
                while (i + 1 < t->nsecs && t->secs[i + 1]->note && t->secs[i + 1]->align == al)
                    hi = t->secs[i + 1]->addr + t->secs[i + 1]->size, i++;
                ph[n++] = (lk_phdr){PT_NOTE, PF_R, off, lo, hi - lo, hi - lo, al};
            }
    }
    if (l->tls_memsz) {
        uint64_t off = 0;
        const lk_segment *data = lk_seg_role(l, LK_ROLE_DATA);
        for (size_t i = 0; i < data->nsecs; i++)
            if (data->secs[i]->addr == l->tls_start) {
                off = data->secs[i]->offset;
                break;
            }
        ph[n++] = (lk_phdr){PT_TLS, PF_R, off, l->tls_start, l->tls_filesz, l->tls_memsz, l->tls_align};
    }
    /* RELRO: what is written only at start-up, from the data segment's
     * start to a page boundary (-z relro, the default; layout.c) */
    if (l->relro_end > l->relro_start)
        ph[n++] = (lk_phdr){PT_GNU_RELRO,
                            PF_R,
                            l->relro_offset,
                            l->relro_start,
                            l->relro_end - l->relro_start,
                            l->relro_end - l->relro_start,
                            1};
    if (l->property) /* the merged program properties (note.c) */
        ph[n++] = (lk_phdr){PT_GNU_PROPERTY,   PF_R, l->property->offset, l->property->addr, l->property->size,
                            l->property->size, 8};
    if (l->eh_frame_hdr)
        ph[n++] = (lk_phdr){
            PT_GNU_EH_FRAME,       PF_R, l->eh_frame_hdr->offset, l->eh_frame_hdr->addr, l->eh_frame_hdr->size,
            l->eh_frame_hdr->size, 4};
    ph[n++] = (lk_phdr){PT_GNU_STACK, lk_stack_flags(l), 0, 0, 0, 0, 16}; /* (a mapfile's STACK) */
    for (uint32_t i = 0; i < l->phdr_null; i++)                           /* a mapfile's PHDR_ADD_NULL: at the end */
        ph[n++] = (lk_phdr){0};
    return n;
}
