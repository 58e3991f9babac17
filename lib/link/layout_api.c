/* keel_link_get_layout: the finished layout as public data, made from the
 * link's context when first asked for (a link nobody asks pays nothing),
 * in the link's arena: the program headers as written, the section
 * headers, every input section's place, the merged strings' pieces. */
#include <string.h>

#include "image.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

/* The tables the link consumes rather than places. */
static bool consumed(uint32_t type)
{
    return type == SHT_SYMTAB || type == SHT_STRTAB || type == SHT_RELA || type == SHT_REL || type == SHT_GROUP ||
           type == SHT_SYMTAB_SHNDX;
}

/* The PT_LOAD an allocated section's address is in; for .tbss, which
 * takes no memory of the PT_LOAD (each thread has its copy), the PT_TLS. */
static int32_t segment_of(const keel_link_layout *lay, const keel_link_section *s)
{
    if (!(s->flags & SHF_ALLOC))
        return -1;
    uint32_t want = (s->flags & SHF_TLS) && s->type == SHT_NOBITS ? PT_TLS : PT_LOAD;
    for (size_t i = 0; i < lay->nsegments; i++) {
        const keel_link_segment *g = &lay->segments[i];
        if (g->type == want && s->addr >= g->vaddr &&
            (s->addr < g->vaddr + g->memsz || (s->size == 0 && s->addr == g->vaddr + g->memsz)))
            return (int32_t)i;
    }
    return -1;
}

/* A merged record's bytes: a string up to its terminator (entsize wide),
 * a constant whole. */
static uint64_t record_length(const keel_shdr *sh, const uint8_t *data, uint64_t at, uint64_t end)
{
    uint64_t es = sh->entsize ? sh->entsize : 1;
    if (!(sh->flags & SHF_STRINGS) || !data)
        return end - at;
    for (uint64_t p = at; p + es <= end; p += es) {
        uint64_t z = 0;
        while (z < es && data[p + z] == 0)
            z++;
        if (z == es)
            return p + es - at;
    }
    return end - at;
}

static const keel_link_layout *make_layout(lk_link *l)
{
    const lk_image *img = l->img;
    keel_link_layout *lay = lk_zalloc(&l->arena, sizeof *lay);
    if (!lay)
        return NULL;
    /* the segments: the program headers as written */
    keel_link_segment *segs = lk_zalloc(&l->arena, (img->nph + 1) * sizeof *segs);
    if (!segs)
        return NULL;
    for (size_t i = 0; i < img->nph; i++) {
        const lk_phdr *p = &img->ph[i];
        segs[i] = (keel_link_segment){p->type, p->flags, p->vaddr, p->vaddr, p->offset, p->filesz, p->memsz, p->align};
    }
    lay->segments = segs;
    lay->nsegments = img->nph;
    /* the sections, by their index in the section headers */
    keel_link_section *secs = lk_zalloc(&l->arena, (img->nsec + 1) * sizeof *secs);
    if (!secs)
        return NULL;
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            const lk_osec *o = l->segs[s]->secs[i];
            /* .rela.iplt is linked to the IFUNCs' slots, as written (output.c) */
            uint64_t flags = o->flags | (o == l->rela_iplt && l->igot ? SHF_INFO_LINK : 0);
            secs[o->index - 1] = (keel_link_section){o->name, o->type,  flags,    o->addr, o->offset,
                                                     o->size, o->align, o->index, -1};
        }
    for (size_t k = 0; k < l->nemits; k++) { /* --emit-relocs' .rela sections */
        const lk_emit *e = &l->emits[k];
        secs[e->index - 1] = (keel_link_section){img->shstr.v + e->name, SHT_RELA, SHF_INFO_LINK, 0, e->offset,
                                                 e->count * 24,          8,        e->index,      -1};
    }
    if (img->keep_syms) {
        secs[img->symtab_index - 1] = (keel_link_section){
            ".symtab",          SHT_SYMTAB,        0, 0, img->symoff, img->nsyms * l->arch->sym_size,
            l->arch->word_size, img->symtab_index, -1};
        secs[img->strtab_index - 1] = (keel_link_section){".strtab", SHT_STRTAB,        0, 0, img->stroff, img->str.n,
                                                          1,         img->strtab_index, -1};
    }
    secs[img->shstrtab_index - 1] = (keel_link_section){".shstrtab", SHT_STRTAB,          0,
                                                        0,           img->shstroff,       img->shstr.n,
                                                        1,           img->shstrtab_index, -1};
    lay->sections = secs;
    lay->nsections = img->nsec - 1;
    for (size_t i = 0; i < lay->nsections; i++)
        secs[i].segment = segment_of(lay, &secs[i]);
    /* the input sections and merged pieces: counted, then filled */
    size_t nin = 0, npieces = 0;
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        const lk_file *f = l->files[fi];
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh;
            if (keel_elf_shdr(&f->elf, i, &sh, NULL) || consumed(sh.type))
                continue;
            nin++;
            if (f->out && f->out[i] && f->merged && f->merged[i])
                npieces += f->merged[i]->n;
        }
    }
    keel_link_input_section *ins = lk_zalloc(&l->arena, (nin + 1) * sizeof *ins);
    keel_link_merged_piece *pieces = lk_zalloc(&l->arena, (npieces + 1) * sizeof *pieces);
    if (!ins || !pieces)
        return NULL;
    size_t n = 0, np = 0;
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        const lk_file *f = l->files[fi];
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh;
            const char *name = "";
            if (keel_elf_shdr(&f->elf, i, &sh, NULL) || consumed(sh.type))
                continue;
            keel_elf_section_name(&f->elf, &sh, &name, NULL);
            const lk_osec *o = f->out ? f->out[i] : NULL;
            keel_link_input_section *in = &ins[n];
            *in = (keel_link_input_section){f->path, f->member, name, i, -1, 0, sh.size, true, false};
            if (o) {
                in->output = (int32_t)o->index - 1;
                in->discarded = false;
                in->offset = f->pos[i];
                if (f->eh && f->eh[i])
                    in->size = lk_eh_size(f->eh[i]);
            }
            const lk_merged *m = o && f->merged ? f->merged[i] : NULL;
            if (m) {
                const uint8_t *data = NULL;
                uint64_t size = 0;
                if (keel_elf_section_data(&f->elf, &sh, &data, &size, NULL) || size < m->size)
                    data = NULL;
                in->merged = true;
                in->offset = o->pieces[m->piece].offset;
                for (size_t k = 0; k < m->n; k++) {
                    uint64_t at = m->in[k], end = k + 1 < m->n ? m->in[k + 1] : m->size;
                    pieces[np++] = (keel_link_merged_piece){(uint32_t)n, at, lk_merged_offset(o, m, at),
                                                            record_length(&sh, data, at, end)};
                }
            }
            n++;
        }
    }
    lay->inputs = ins;
    lay->ninputs = n;
    lay->pieces = pieces;
    lay->npieces = np;
    return lay;
}

const keel_link_layout *keel_link_get_layout(keel_linker *l)
{
    /* a relocatable link (-r) has no program headers, addresses or
     * section table of the kind described here (l->img is not made) */
    if (!l || !l->linked || l->opt->relocatable)
        return NULL;
    if (!l->layout)
        l->layout = make_layout(l);
    return l->layout;
}
