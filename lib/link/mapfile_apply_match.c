/* What a mapfile's edits of the segment model ask of the layout, beyond
 * the model's own fields: regular-expression section names and MATCHREF
 * renaming, DISCARD, IS_ORDER, a new segment's flags, the stack's flags
 * (docs/linker.md, "Mapfiles: the layout").  Called by segments.c and
 * layout.c only where a mapfile set the field they read. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "../elfdefs.h"
#include "image.h"
#include "internal.h"

bool lk_crit_re_matches(const lk_criterion *c, const char *name, void *m)
{
    return regexec((const regex_t *)c->re, name, m ? 10 : 0, m, 0) == 0;
}

/* MATCHREF(/template/): ${n} is the nth capture of IS_NAME's expression
 * (${0} the whole match); the mapfile reader checked the template's
 * form, mapfile_apply.c that each n is a capture the expression has. */
const char *lk_crit_osname(lk_link *l, const lk_criterion *c, const char *name)
{
    if (!c->osref)
        return c->osname;
    regmatch_t m[10];
    if (!c->re || !lk_crit_re_matches(c, name, m))
        return c->osname;
    size_t len = 0;
    for (int pass = 0; pass < 2; pass++) {
        char *out = pass ? lk_alloc(&l->arena, len + 1) : NULL;
        if (pass && !out)
            return NULL;
        size_t n = 0;
        for (const char *t = c->osref; *t;) {
            if (t[0] == '$' && t[1] == '{' && t[2] >= '0' && t[2] <= '9' && t[3] == '}') {
                const regmatch_t *r = &m[t[2] - '0'];
                size_t k = r->rm_so >= 0 ? (size_t)(r->rm_eo - r->rm_so) : 0;
                if (pass && k)
                    memcpy(out + n, name + r->rm_so, k);
                n += k;
                t += 4;
            } else {
                if (pass)
                    out[n] = *t;
                n++, t++;
            }
        }
        if (pass) {
            out[n] = 0;
            return out;
        }
        len = n;
    }
    return NULL;
}

bool lk_crit_discards(const lk_link *l, const lk_file *f, const char *name, const keel_shdr *sh)
{
    bool note;
    const lk_criterion *c = lk_crit_for(l, f, name, sh, &note);
    return c && c->discard;
}

uint32_t lk_stack_flags(const lk_link *l)
{
    return l->has_stack ? l->stack_flags : PF_R | PF_W | (l->opt->exec_stack ? PF_X : 0);
}

uint32_t lk_seg_flags(const lk_segment *g)
{
    if (!g->flags_auto)
        return g->flags;
    uint32_t f = PF_R;
    for (size_t i = 0; i < g->nsecs; i++)
        f |= (g->secs[i]->flags & SHF_WRITE ? PF_W : 0) | (g->secs[i]->flags & SHF_EXECINSTR ? PF_X : 0);
    return f;
}

typedef struct ranked {
    size_t rank, at;
    lk_piece p;
} ranked;

static int by_rank(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return x->at < y->at ? -1 : x->at > y->at;
}

/* Each of g's output sections: the input sections of the criteria IS_ORDER
 * names first, in its order, then the others in the order they had (a
 * stable sort).  Not in merged sections, .eh_frame or the commons' (their
 * pieces are known by index elsewhere): there IS_ORDER has no effect,
 * as the Solaris link-editor excludes ordered sections from merging. */
static int is_order(lk_link *l, lk_segment *g)
{
    for (size_t s = 0; s < g->nsecs; s++) {
        lk_osec *o = g->secs[s];
        if (o->pool || o == l->common || o == l->tcommon || strcmp(o->name, ".eh_frame") == 0 || o->npieces < 2)
            continue;
        ranked *v = lk_alloc(&l->arena, o->npieces * sizeof *v);
        if (!v)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        bool moved = false;
        for (size_t i = 0; i < o->npieces; i++) {
            lk_piece *p = &o->pieces[i];
            v[i] = (ranked){g->is_order.n, i, *p};
            keel_shdr sh;
            const char *name;
            bool note;
            if (!p->file || keel_elf_shdr(&p->file->elf, p->shndx, &sh, NULL) ||
                keel_elf_section_name(&p->file->elf, &sh, &name, NULL))
                continue;
            const lk_criterion *c = lk_crit_for(l, p->file, name, &sh, &note);
            for (size_t k = 0; c && c->label && k < g->is_order.n; k++)
                if (strcmp(c->label, g->is_order.v[k]) == 0)
                    v[i].rank = k, moved = true;
        }
        if (moved) {
            /* the list as it was: the address map's original space (addrmap.c) */
            if (!(o->unordered = lk_alloc(&l->arena, o->npieces * sizeof *o->unordered)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            memcpy(o->unordered, o->pieces, o->npieces * sizeof *o->unordered);
            o->nunordered = o->npieces;
            qsort(v, o->npieces, sizeof *v, by_rank);
            for (size_t i = 0; i < o->npieces; i++) {
                l->is_ordered |= o->pieces[i].file != v[i].p.file || o->pieces[i].shndx != v[i].p.shndx;
                o->pieces[i] = v[i].p;
            }
        }
    }
    return 0;
}

int lk_seg_finish(lk_link *l, lk_segment *g)
{
    /* a size symbol is the link-editor's: an input may not define it too */
    for (size_t k = 0; k < g->size_syms.n; k++) {
        const lk_sym *s = lk_sym_find(&l->syms, g->size_syms.v[k], lk_hash(g->size_syms.v[k]));
        if (s && s->def && (s->state == LK_DEFINED || s->state == LK_WEAK || s->state == LK_COMMON))
            return lk_fail(l, KEEL_E_FORMAT, "segment %s: SIZE_SYMBOL %s: symbol already defined in %s", g->name,
                           s->name, s->def->name);
    }
    if (!g->nsecs)
        return 0; /* an empty segment (its size symbol is written all the same: symtab.c) */
    if (g->flags_auto && (lk_seg_flags(g) & (PF_W | PF_X)) == (PF_W | PF_X))
        return lk_fail(l, KEEL_E_RANGE,
                       "segment %s: its sections need WRITE and EXECUTE, and keel maps no page writable "
                       "and executable: give the segment FLAGS, or send the sections to two segments",
                       g->name);
    lk_seg_headers(l); /* (the sections are all placed: decided before the headers are counted) */
    /* ROUND: the first section aligned to it, and with it the segment's
     * content (the illumos link-editor raises its first buffer's) */
    if (g->round && g->nsecs && g->secs[0]->align < g->round)
        g->secs[0]->align = g->round;
    return g->is_order.n ? is_order(l, g) : 0;
}

bool lk_seg_headers(lk_link *l)
{
    const lk_segment *first = NULL; /* the first loadable segment with sections */
    for (size_t i = 0; i < l->nsegs && !first; i++)
        if (l->segs[i]->type == PT_LOAD && !l->segs[i]->disabled && !l->segs[i]->reserve && l->segs[i]->nsecs)
            first = l->segs[i];
    bool none = l->hdr_noalloc || (first && first->nohdr);
    /* NOHDR on the segment that holds the headers counts too (keel's
     * header segment, whose content may be the headers alone) */
    for (size_t i = 0; i < l->nsegs; i++)
        none |= l->segs[i]->headers && l->segs[i]->nohdr;
    bool any = false;
    for (size_t i = 0; i < l->nsegs; i++) {
        if (none)
            l->segs[i]->headers = false;
        any |= l->segs[i]->headers;
    }
    return any;
}

size_t lk_reserve_count(const lk_link *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nsegs; i++)
        n += l->segs[i]->reserve && !l->segs[i]->disabled;
    return n;
}

/* A reservation: a PT_LOAD without file bytes or access rights, which
 * the kernel maps PROT_NONE, so that nothing else is put there; the
 * program maps over it with MAP_FIXED.  Its offset is congruent with its
 * address, as the kernel asks of every PT_LOAD. */
size_t lk_reserve_phdrs(const lk_link *l, lk_phdr *ph)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nsegs; i++) {
        const lk_segment *g = l->segs[i];
        if (!g->reserve || g->disabled)
            continue;
        uint64_t align = g->p_align ? g->p_align : l->max_page;
        ph[n++] = (lk_phdr){PT_LOAD, 0, g->addr & (align - 1), g->addr, 0, g->reserve_size, align};
    }
    return n;
}

uint64_t lk_phdr_paddr(const lk_link *l, const lk_phdr *ph)
{
    if (ph->type != PT_LOAD)
        return ph->vaddr;
    for (size_t i = 0; i < l->nloads; i++)
        if (l->loads[i].has_paddr && l->loads[i].vaddr == ph->vaddr)
            return l->loads[i].paddr;
    for (size_t i = 0; i < l->nsegs; i++)
        if (l->segs[i]->reserve && l->segs[i]->has_paddr && l->segs[i]->addr == ph->vaddr)
            return l->segs[i]->paddr;
    return ph->vaddr;
}

void lk_seg_overlap(lk_link *l, const lk_segment *prev, const lk_segment *g)
{
    if (prev && g->has_addr && prev->vaddr <= g->addr && prev->vaddr + prev->memsz > g->addr)
        lk_diag(l, KEEL_DIAG_WARNING,
                "warning: segment address overlap; previous segment ending at %#llx overlaps user defined segment "
                "'%s' starting at %#llx",
                (unsigned long long)(prev->vaddr + prev->memsz), g->name, (unsigned long long)g->addr);
}

void lk_mapfile_free(lk_link *l)
{
    for (size_t i = 0; i < l->ncrit; i++)
        if (l->crit[i].re) {
            regfree(l->crit[i].re);
            l->crit[i].re = NULL;
        }
}

/* OUTPUT_SECTION { TYPE = t; FLAGS op f; }: the output section the input
 * joins gets that type and those flags (only the flags a mapfile names:
 * ALLOC, WRITE, EXECUTE, AMD64_LARGE).  PROGBITS from NOBITS inputs
 * writes their zeros to the file; NOBITS from inputs with bytes drops
 * the bytes (and their relocations: GNU ld's NOLOAD).  Refused where the
 * output would not mean what its inputs did: a merged or .eh_frame
 * input's type changed (their pieces are written from their own tables),
 * an input of another type than PROGBITS or NOBITS retyped, and ALLOC
 * taken from a section in a loaded segment (it would be in a PT_LOAD
 * and at no address). */
int lk_crit_retype(lk_link *l, const lk_file *f, const char *name, const lk_segment *seg, keel_shdr *as)
{
    bool note;
    const lk_criterion *c = lk_crit_for(l, f, name, as, &note);
    if (!c || (!c->os_type && !c->os_set && !c->os_clear))
        return 0;
    if (c->os_type && c->os_type != as->type) {
        const char *why = as->type != SHT_PROGBITS && as->type != SHT_NOBITS ? "its type is what its contents are"
                          : (as->flags & SHF_MERGE) || strcmp(name, ".eh_frame") == 0
                              ? "keel writes it from its own tables"
                              : NULL;
        if (why)
            return lk_fail(l, KEEL_E_UNSUPPORTED,
                           "%s: line %u: OUTPUT_SECTION TYPE: section %s of %s is of type %#x, which keel keeps (%s)",
                           c->mf_file, c->mf_line, name, f ? f->name : "the link-editor", as->type, why);
        as->type = c->os_type;
    }
    uint64_t flags = (as->flags | c->os_set) & ~c->os_clear;
    if (!(flags & SHF_ALLOC) && (as->flags & SHF_ALLOC) && seg->type == PT_LOAD)
        return lk_fail(l, KEEL_E_UNSUPPORTED,
                       "%s: line %u: OUTPUT_SECTION FLAGS: section %s of %s would lose ALLOC in loadable segment %s; "
                       "send it to a NULL segment to keep it unloaded",
                       c->mf_file, c->mf_line, name, f ? f->name : "the link-editor", seg->name);
    as->flags = flags;
    return 0;
}
