/* The address map (.keel.addrmap, docs/address-map-section.md): where
 * each input section would be in the layout keel makes without
 * --symbol-ordering-file and without --gc-sections (the original space),
 * and where it is (the output space), as the two OMAP tables of a PDB
 * (image-relative 32-bit addresses, {from, to} records sorted by from, a
 * target of 0 for what is eliminated, the last record bounding the
 * table) and each input section's identity.
 *
 * How the original space is had without a second link: the sections are
 * placed once; the output sections whose input order changed (the
 * ordering file's) or that lost inputs (--gc-sections, whose dropped
 * sections are put back as pieces of the output section of their name)
 * are given their original piece list, in the order GNU ld's rules make
 * (statements, --sort-section, input order), and the addresses are
 * assigned over that (lk_assign_addresses is linear in the pieces, and
 * recomputes everything from them); then over the real lists.  A dropped
 * section whose output section was dropped with it has no original place
 * (it is listed, eliminated, with original address 0). */
#include <stdlib.h>
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"
#include "order.h"

enum { HEADER = 80, RECORD = 8, SECTION = 24, FILEREC = 8, INPUT = 24 };

/* An input section (or a block the link-editor made) in either space. */
typedef struct unit {
    lk_file *file; /* NULL: a synthetic section or block (no identity entry) */
    uint32_t shndx;
    lk_osec *o;         /* its output section, NULL if eliminated */
    uint64_t out, orig; /* addresses (out: if o; orig: if has_orig) */
    uint64_t size, off; /* off: in o */
    bool has_orig;
} unit;

typedef struct ghost {
    lk_piece piece;
    lk_osec *o; /* the output section it would join (NULL: none is made) */
} ghost;

typedef struct lk_addrmap {
    lk_osec *sec;
    ghost *ghosts;
    size_t nghosts, capghosts;
    unit *units;
    size_t nunits;
    uint8_t *bytes;
    size_t size;
} lk_addrmap;

/* ---- the original piece order ---- */

typedef struct keyed {
    lk_piece piece;
    unsigned statement;
    const char *name; /* SORT statement's or --sort-section=name's key, else NULL */
    uint32_t file, shndx;
    bool by_align;
} keyed;

static const char *piece_name(const lk_piece *p)
{
    if (!p->file || p->shndx >= p->file->nsections || !p->file->sections[p->shndx].name)
        return "";
    return p->file->sections[p->shndx].name;
}

/* GNU ld's order (statements.c, sort_section.c), with input order as
 * (file, section index): what the pieces' seq was. */
static int canonical(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->statement != y->statement)
        return x->statement < y->statement ? -1 : 1;
    if (x->name && y->name) {
        int c = strcmp(x->name, y->name);
        if (c)
            return c;
    }
    if (x->by_align && x->piece.align != y->piece.align)
        return x->piece.align > y->piece.align ? -1 : 1;
    if (x->file != y->file)
        return x->file < y->file ? -1 : 1;
    return (x->shndx > y->shndx) - (x->shndx < y->shndx);
}

static bool gathered(const char *name)
{
    static const char *const wildcard[] = {".text",  ".rodata", ".data",        ".bss",
                                           ".tdata", ".tbss",   ".data.rel.ro", ".gcc_except_table"};
    for (size_t i = 0; i < sizeof wildcard / sizeof wildcard[0]; i++)
        if (strcmp(name, wildcard[i]) == 0)
            return true;
    return false;
}

/* o's pieces and its ghosts in the original order, into *out. */
static int original_pieces(lk_link *l, lk_osec *o, lk_piece **out, size_t *n)
{
    lk_addrmap *m = l->addrmap;
    size_t count = o->npieces;
    for (size_t g = 0; g < m->nghosts; g++)
        count += m->ghosts[g].o == o;
    keyed *k = lk_alloc(&l->arena, count * sizeof *k);
    lk_piece *v = lk_alloc(&l->arena, count * sizeof *v);
    if (!k || !v)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    size_t j = 0;
    for (size_t i = 0; i < o->npieces; i++)
        k[j++].piece = o->pieces[i];
    for (size_t g = 0; g < m->nghosts; g++)
        if (m->ghosts[g].o == o)
            k[j++].piece = m->ghosts[g].piece;
    bool statements = strcmp(o->name, ".text") == 0 || strcmp(o->name, ".data.rel.ro") == 0;
    bool sort = l->opt->sort_section != KEEL_SORT_NONE && gathered(o->name);
    for (size_t i = 0; i < count; i++) {
        const lk_piece *p = &k[i].piece;
        bool sorted = false;
        const char *name = piece_name(p);
        k[i].statement = !p->file ? ~0u : statements ? lk_script_statement(o->name, name, &sorted) : 0;
        if (sort && p->file) {
            bool s2;
            k[i].statement = lk_script_statement(o->name, name, &s2);
        }
        k[i].name = p->file && (sorted || (sort && l->opt->sort_section == KEEL_SORT_NAME)) ? name : NULL;
        k[i].by_align = sort && l->opt->sort_section == KEEL_SORT_ALIGNMENT && p->file;
        k[i].file = p->file ? p->file->index : UINT32_MAX;
        k[i].shndx = p->shndx;
    }
    qsort(k, count, sizeof *k, canonical);
    for (size_t i = 0; i < count; i++)
        v[i] = k[i].piece;
    *out = v;
    *n = count;
    return 0;
}

/* ---- ghosts: what --gc-sections dropped ---- */

static lk_osec *osec_named(const lk_link *l, const char *name)
{
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; l->segs[s]->type == PT_LOAD && i < l->segs[s]->nsecs; i++)
            if (strcmp(l->segs[s]->secs[i]->name, name) == 0)
                return l->segs[s]->secs[i];
    return NULL;
}

static int collect_ghosts(lk_link *l, lk_addrmap *m)
{
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        if (!f->live || !f->out)
            continue;
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            const kr_input_section *s = &f->sections[i];
            if (f->live[i] || f->out[i] || f->dropped[i] || !(s->flags & SHF_ALLOC) || !s->name ||
                (s->flags & 0x80000000u) || s->type == SHT_NOTE || s->type == SHT_GROUP || s->type == SHT_RELA ||
                s->type == SHT_REL || ((s->flags & SHF_TLS) && s->type == SHT_NOBITS) ||
                strcmp(s->name, ".eh_frame") == 0)
                continue;
            if (!(m->ghosts = lk_grow(&l->arena, m->ghosts, m->nghosts, &m->capghosts, sizeof *m->ghosts, 64)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            uint64_t align = s->align ? s->align : 1;
            if (align & (align - 1))
                align = 1;
            m->ghosts[m->nghosts++] = (ghost){{f, i, s->size, align, 0, 0, false},
                                              osec_named(l, lk_output_name(s->name))};
        }
    }
    return 0;
}

/* ---- the tables ---- */

typedef struct rec {
    uint64_t from, to; /* to: 0 eliminated */
    uint64_t size;
} rec;

static int by_from(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    return (x->from > y->from) - (x->from < y->from);
}

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* One OMAP table from the units (their sorted extents in the from space,
 * each its to address or 0): a record per unit, a record of target 0 over
 * each gap where the neighbours do not continue one another, the last
 * record bounding the table; records continuing the one before (the same
 * displacement, or both eliminated) left out.  Into out (may be NULL:
 * counts). */
static size_t omap(rec *r, size_t n, uint64_t base, uint8_t *out)
{
    size_t k = 0;
    uint64_t pf = 0, pt = 0;
    bool have = false;
    for (size_t i = 0; i <= n; i++) {
        uint64_t from, to;
        if (i == n) { /* the bound: the end of the last unit */
            if (!n)
                break;
            from = r[n - 1].from + r[n - 1].size;
            to = 0;
        } else {
            from = r[i].from;
            to = r[i].to;
            if (i && r[i - 1].from + r[i - 1].size < from) { /* a gap */
                bool continues = to && r[i - 1].to && to - r[i - 1].to == from - r[i - 1].from;
                if (!continues) {
                    uint64_t gf = r[i - 1].from + r[i - 1].size;
                    if (!(have && pt == 0)) {
                        if (out)
                            put32(out + k * RECORD, (uint32_t)(gf - base)), put32(out + k * RECORD + 4, 0);
                        k++;
                        pf = gf, pt = 0, have = true;
                    }
                }
            }
        }
        uint64_t rto = to ? to - base : 0;
        if (have && ((pt == 0 && rto == 0) || (pt && rto && rto - pt == from - base - pf)))
            continue;                         /* it continues the record before */
        if (have && pf == from - base && k) { /* the same start (a gap record just before): this one wins */
            k--;
        }
        if (out)
            put32(out + k * RECORD, (uint32_t)(from - base)), put32(out + k * RECORD + 4, (uint32_t)rto);
        k++;
        pf = from - base, pt = rto, have = true;
    }
    return k;
}

typedef struct strslot {
    const char *s;
    uint32_t off;
} strslot;

/* The map's string table, each string once (an archive's path is every
 * member's, section names repeat): open addressing over what was added. */
typedef struct strtab {
    uint8_t *v; /* NULL: only counting */
    size_t n;
    struct strslot *slot;
    size_t cap; /* a power of two, over twice the strings added */
} strtab;

static uint32_t str_add(strtab *t, const char *s)
{
    size_t k = lk_hash(s) & (t->cap - 1);
    for (; t->slot[k].s; k = (k + 1) & (t->cap - 1))
        if (strcmp(t->slot[k].s, s) == 0)
            return t->slot[k].off;
    size_t len = strlen(s) + 1;
    if (t->v)
        memcpy(t->v + t->n, s, len);
    t->slot[k].s = s;
    t->slot[k].off = (uint32_t)t->n;
    t->n += len;
    return t->slot[k].off;
}

static int by_out(const void *a, const void *b)
{
    const unit *x = a, *y = b;
    if (!x->o != !y->o)
        return x->o ? -1 : 1;
    if (x->o && x->out != y->out)
        return x->out < y->out ? -1 : 1;
    return (x->orig > y->orig) - (x->orig < y->orig);
}

static const unit *sort_units;
static int by_orig_index(const void *a, const void *b)
{
    const unit *x = &sort_units[*(const uint32_t *)a], *y = &sort_units[*(const uint32_t *)b];
    if (x->has_orig != y->has_orig)
        return x->has_orig ? -1 : 1;
    return (x->orig > y->orig) - (x->orig < y->orig);
}

/* The section's bytes (out NULL: their size only). */
static size_t encode(lk_link *l, lk_addrmap *m, uint64_t base, uint64_t *osec_orig, size_t nosec, uint8_t *out,
                     rec *tmp, uint32_t *index, strslot *slots, size_t cap)
{
    size_t nu = m->nunits;
    /* OMAP_TO_SRC: output to original */
    size_t nt = 0;
    for (size_t i = 0; i < nu; i++)
        if (m->units[i].o && m->units[i].size)
            tmp[nt++] = (rec){m->units[i].out, m->units[i].has_orig ? m->units[i].orig : 0, m->units[i].size};
    qsort(tmp, nt, sizeof *tmp, by_from);
    size_t off = HEADER;
    size_t n_to = omap(tmp, nt, base, out ? out + off : NULL);
    size_t off_to = off;
    off += n_to * RECORD;
    size_t nf = 0;
    for (size_t i = 0; i < nu; i++)
        if (m->units[i].has_orig && m->units[i].size)
            tmp[nf++] = (rec){m->units[i].orig, m->units[i].o ? m->units[i].out : 0, m->units[i].size};
    qsort(tmp, nf, sizeof *tmp, by_from);
    size_t n_from = omap(tmp, nf, base, out ? out + off : NULL);
    size_t off_from = off;
    off += n_from * RECORD;
    /* the output sections described: the loaded ones */
    size_t off_sec = off, nsec = 0;
    strtab st = {NULL, 1, slots, cap}; /* offset 0: the empty name */
    memset(slots, 0, cap * sizeof *slots);
    size_t ninputs = 0;
    for (size_t i = 0; i < nu; i++)
        ninputs += m->units[i].file != NULL;
    size_t off_files = off_sec + nosec * SECTION;
    size_t off_in = off_files + l->nfiles * FILEREC;
    size_t off_idx = off_in + ninputs * INPUT;
    size_t off_str = off_idx + ninputs * 4;
    if (out) {
        st.v = out + off_str;
        st.v[0] = 0;
    }
    for (size_t s = 0, k = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            const lk_osec *o = l->segs[s]->secs[i];
            if (l->segs[s]->type != PT_LOAD)
                continue;
            uint8_t *p = out ? out + off_sec + nsec * SECTION : NULL;
            uint32_t name = str_add(&st, o->name);
            if (p) {
                put32(p, name);
                put32(p + 4, o->index);
                put32(p + 8, (uint32_t)(o->addr - base));
                put32(p + 12, (uint32_t)o->size);
                put32(p + 16, (uint32_t)(osec_orig[2 * k] - base));
                put32(p + 20, (uint32_t)osec_orig[2 * k + 1]);
            }
            nsec++, k++;
        }
    (void)nosec;
    /* the files, by load order: path and archive member */
    for (size_t i = 0; i < l->nfiles; i++) {
        const lk_file *f = l->files[i];
        uint32_t path = str_add(&st, f->path ? f->path : f->name);
        uint32_t member = f->member ? str_add(&st, f->member) : 0;
        if (out) {
            put32(out + off_files + i * FILEREC, path);
            put32(out + off_files + i * FILEREC + 4, member);
        }
    }
    /* the inputs, by output address (the eliminated after, by original) */
    size_t j = 0;
    for (size_t i = 0; i < nu; i++) {
        const unit *u = &m->units[i];
        if (!u->file)
            continue;
        uint8_t *p = out ? out + off_in + j * INPUT : NULL;
        uint32_t name = str_add(&st, piece_name(&(lk_piece){.file = u->file, .shndx = u->shndx}));
        if (p) {
            put32(p, u->file->index);
            put32(p + 4, name);
            put32(p + 8, u->o ? u->o->index : 0);
            put32(p + 12, (uint32_t)u->size);
            put32(p + 16, u->o ? (uint32_t)(u->out - base) : 0);
            put32(p + 20, u->has_orig ? (uint32_t)(u->orig - base) : 0);
        }
        index[j++] = (uint32_t)i;
    }
    if (out) {                           /* by original address: indexes into the inputs */
        uint32_t *pos = index + ninputs; /* unit -> input entry */
        for (size_t i = 0; i < ninputs; i++)
            pos[i] = index[i];
        sort_units = m->units;
        qsort(pos, ninputs, sizeof *pos, by_orig_index);
        /* pos holds unit numbers; the input entry of unit u is its rank
         * in index (the units are sorted by output, the files first) */
        for (size_t i = 0, e = 0; i < nu; i++)
            if (m->units[i].file)
                tmp[i].from = e++;
        for (size_t i = 0; i < ninputs; i++)
            put32(out + off_idx + 4 * i, (uint32_t)tmp[pos[i]].from);
        memcpy(out, "KEELAMAP", 8);
        put16(out + 8, 1);
        put16(out + 10, HEADER);
        uint32_t flags = (l->order && l->order->moved ? 1u : 0) | (m->nghosts ? 2u : 0);
        put32(out + 12, flags);
        put64(out + 16, base);
        put32(out + 24, (uint32_t)n_to);
        put32(out + 28, (uint32_t)off_to);
        put32(out + 32, (uint32_t)n_from);
        put32(out + 36, (uint32_t)off_from);
        put32(out + 40, (uint32_t)nsec);
        put32(out + 44, (uint32_t)off_sec);
        put32(out + 48, (uint32_t)l->nfiles);
        put32(out + 52, (uint32_t)off_files);
        put32(out + 56, (uint32_t)ninputs);
        put32(out + 60, (uint32_t)off_in);
        put32(out + 64, (uint32_t)off_idx);
        put32(out + 68, (uint32_t)off_str);
        put32(out + 72, (uint32_t)st.n);
        put32(out + 76, 0);
    }
    return off_str + st.n;
}

/* ---- the pass ---- */

static void clear_addresses(lk_link *l)
{
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            l->segs[s]->secs[i]->addr = 0; /* (data_start plans the RELRO sections' anew) */
}

static bool wanted(const lk_link *l)
{
    return l->opt->address_map || (l->order && l->order->moved) || l->opt->gc_sections;
}

int lk_addrmap_assign(lk_link *l, uint64_t header)
{
    if (!wanted(l))
        return lk_assign_addresses(l, header);
    lk_addrmap *m = lk_zalloc(&l->arena, sizeof *m);
    if (!m)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    l->addrmap = m;
    int rc = l->opt->gc_sections ? collect_ghosts(l, m) : 0;
    if (rc)
        return rc;
    if (!l->opt->address_map && !(l->order && l->order->moved) && !m->nghosts) {
        l->addrmap = NULL; /* nothing moved nor dropped: no map unless asked */
        return lk_assign_addresses(l, header);
    }
    /* the section, last of the unloaded ones */
    lk_segment *x = lk_seg_role(l, LK_ROLE_EXTRA);
    lk_osec *sec = lk_zalloc(&l->arena, sizeof *sec);
    if (!sec || !(x->secs = lk_grow(&l->arena, x->secs, x->nsecs, &x->cap, sizeof *x->secs, 8)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    *sec = (lk_osec){.name = ".keel.addrmap", .type = SHT_PROGBITS, .align = 8, .seg = x, .seq = ++l->osec_seq};
    x->secs[x->nsecs++] = sec;
    m->sec = sec;
    /* the original lists */
    size_t nosec = 0, npieces = 0;
    for (size_t s = 0; s < l->nsegs; s++)
        if (l->segs[s]->type == PT_LOAD)
            for (size_t i = 0; i < l->segs[s]->nsecs; i++)
                nosec++, npieces += l->segs[s]->secs[i]->npieces;
    struct saved {
        lk_piece *pieces;
        size_t n;
    } *saved = lk_zalloc(&l->arena, (nosec + 1) * sizeof *saved);
    uint64_t *osec_orig = lk_zalloc(&l->arena, (2 * nosec + 1) * sizeof *osec_orig);
    if (!saved || !osec_orig)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    bool reordered = l->order && l->order->moved;
    for (size_t s = 0, k = 0; s < l->nsegs; s++)
        for (size_t i = 0; l->segs[s]->type == PT_LOAD && i < l->segs[s]->nsecs; i++, k++) {
            lk_osec *o = l->segs[s]->secs[i];
            bool ghosts = false;
            for (size_t g = 0; g < m->nghosts && !ghosts; g++)
                ghosts = m->ghosts[g].o == o;
            if (!ghosts && !(reordered && o->npieces > 1 && !o->pool && o->type != SHT_INIT_ARRAY &&
                             o->type != SHT_FINI_ARRAY && o->type != SHT_PREINIT_ARRAY && o->type != SHT_NOTE))
                continue;
            saved[k] = (struct saved){o->pieces, o->npieces};
            if ((rc = original_pieces(l, o, &o->pieces, &o->npieces)))
                return rc;
        }
    clear_addresses(l);
    rc = lk_assign_addresses(l, header);
    /* the units, with their original addresses */
    m->units = lk_zalloc(&l->arena, (npieces + m->nghosts + nosec + 1) * sizeof *m->units);
    if (!rc && !m->units)
        rc = lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t s = 0, k = 0; !rc && s < l->nsegs; s++)
        for (size_t i = 0; l->segs[s]->type == PT_LOAD && i < l->segs[s]->nsecs; i++, k++) {
            lk_osec *o = l->segs[s]->secs[i];
            osec_orig[2 * k] = o->addr;
            osec_orig[2 * k + 1] = o->size;
            bool tbss = o->type == SHT_NOBITS && (o->flags & SHF_TLS); /* (overlaps what follows) */
            if (!o->npieces && !tbss)
                m->units[m->nunits++] = (unit){NULL, 0, o, 0, o->addr, o->size, 0, true};
            for (size_t p = 0; p < o->npieces; p++) {
                const lk_piece *pc = &o->pieces[p];
                bool alive = !pc->file || pc->file->out[pc->shndx] == o;
                m->units[m->nunits++] = (unit){
                    pc->file, pc->shndx, alive ? o : NULL, 0, o->addr + pc->offset, tbss ? 0 : pc->size, 0, !tbss};
            }
        }
    for (size_t s = 0, k = 0; s < l->nsegs; s++) /* the real lists back */
        for (size_t i = 0; l->segs[s]->type == PT_LOAD && i < l->segs[s]->nsecs; i++, k++)
            if (saved[k].pieces) {
                l->segs[s]->secs[i]->pieces = saved[k].pieces;
                l->segs[s]->secs[i]->npieces = saved[k].n;
            }
    if (rc)
        return rc;
    for (size_t g = 0; g < m->nghosts; g++)
        if (!m->ghosts[g].o) /* no output section of its name: no original place */
            m->units[m->nunits++] = (unit){
                m->ghosts[g].piece.file, m->ghosts[g].piece.shndx, NULL, 0, 0, m->ghosts[g].piece.size, 0, false};
    clear_addresses(l);
    if ((rc = lk_assign_addresses(l, header)))
        return rc;
    /* the output addresses */
    for (size_t u = 0; u < m->nunits; u++) {
        unit *t = &m->units[u];
        if (t->file && t->o) {
            t->off = t->file->pos[t->shndx];
            t->out = t->o->addr + t->off;
        } else if (!t->file) /* a synthetic section (a block of one: below) */
            t->out = t->o->addr;
    }
    /* the blocks of no file (the commons, pools): by their piece's place */
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; l->segs[s]->type == PT_LOAD && i < l->segs[s]->nsecs; i++) {
            lk_osec *o = l->segs[s]->secs[i];
            size_t seen = 0;
            for (size_t u = 0; u < m->nunits; u++)
                if (!m->units[u].file && m->units[u].o == o && o->npieces) {
                    /* the nth piece of no file, in both lists alike */
                    size_t n = 0;
                    for (size_t p = 0; p < o->npieces; p++)
                        if (!o->pieces[p].file && n++ == seen) {
                            m->units[u].off = o->pieces[p].offset;
                            m->units[u].out = o->addr + o->pieces[p].offset;
                            break;
                        }
                    seen++;
                }
        }
    /* the base and the 32-bit reach of image-relative addresses */
    uint64_t base = UINT64_MAX, end = 0;
    for (size_t i = 0; i < l->nloads; i++) {
        if (l->loads[i].vaddr < base)
            base = l->loads[i].vaddr;
        if (l->loads[i].vaddr + l->loads[i].memsz > end)
            end = l->loads[i].vaddr + l->loads[i].memsz;
    }
    for (size_t u = 0; u < m->nunits; u++)
        if (m->units[u].has_orig && m->units[u].orig + m->units[u].size > end)
            end = m->units[u].orig + m->units[u].size;
    if (base == UINT64_MAX || end - base > UINT32_MAX)
        return lk_fail(l, KEEL_E_RANGE, "--address-map: the image spans more than 4 GiB: no 32-bit map of it");
    /* section indexes as the pass numbers them, for the map's records */
    uint32_t idx = 1;
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            l->segs[s]->secs[i]->index = idx++;
    qsort(m->units, m->nunits, sizeof *m->units, by_out);
    rec *tmp = lk_alloc(&l->arena, (m->nunits + 1) * sizeof *tmp);
    uint32_t *index = lk_alloc(&l->arena, (2 * m->nunits + 1) * sizeof *index);
    if (!tmp || !index)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    size_t cap = 16;
    while (cap < 2 * (3 * m->nunits + nosec + 1))
        cap *= 2;
    strslot *slots = lk_alloc(&l->arena, cap * sizeof *slots);
    if (!slots)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    size_t size = encode(l, m, base, osec_orig, nosec, NULL, tmp, index, slots, cap);
    if (size > UINT32_MAX || !(m->bytes = lk_zalloc(&l->arena, size)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    encode(l, m, base, osec_orig, nosec, m->bytes, tmp, index, slots, cap);
    m->size = size;
    /* it is the last of the file's sections so far: sized now, it ends the file */
    sec->size = size;
    l->file_end = sec->offset + size;
    return 0;
}

void lk_addrmap_fill(const lk_link *l, uint8_t *buf)
{
    const lk_addrmap *m = l->addrmap;
    if (m && m->bytes)
        memcpy(buf + m->sec->offset, m->bytes, m->size);
}
