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
 * ordering file's, or a mapfile's IS_ORDER: its list before) or that lost inputs (--gc-sections, whose dropped
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

/* o's pieces and its ghosts in the original order, into *out.  in_order:
 * the pieces are in it already (nothing moved them): only the ghosts are
 * sorted, and merged in. */
static int original_pieces(lk_link *l, lk_osec *o, bool in_order, lk_piece **out, size_t *n)
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
    if (!in_order)
        qsort(k, count, sizeof *k, canonical);
    else if (count > o->npieces) { /* the ghosts (after the pieces) sorted, then merged */
        qsort(k + o->npieces, count - o->npieces, sizeof *k, canonical);
        size_t a = 0, b = o->npieces, w = 0;
        while (a < o->npieces || b < count)
            v[w++] = (b == count || (a < o->npieces && canonical(&k[a], &k[b]) <= 0)) ? k[a++].piece : k[b++].piece;
        *out = v;
        *n = count;
        return 0;
    }
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

static int by_out(const void *a, const void *b)
{
    const unit *x = a, *y = b;
    if (!x->o != !y->o)
        return x->o ? -1 : 1;
    if (x->o && x->out != y->out)
        return x->out < y->out ? -1 : 1;
    return (x->orig > y->orig) - (x->orig < y->orig);
}

typedef struct strslot {
    const char *s;
    uint32_t off;
} strslot;

/* The map's string table, each string once (an archive's path is every
 * member's, section names repeat): open addressing over what was added;
 * the bytes are copied from the slots once the size is known. */
typedef struct strtab {
    size_t n;
    strslot *slot;
    size_t cap; /* a power of two, over twice the strings added */
} strtab;

static uint32_t str_add(strtab *t, const char *s)
{
    size_t k = lk_hash(s) & (t->cap - 1);
    for (; t->slot[k].s; k = (k + 1) & (t->cap - 1))
        if (strcmp(t->slot[k].s, s) == 0)
            return t->slot[k].off;
    t->slot[k].s = s;
    t->slot[k].off = (uint32_t)t->n;
    t->n += strlen(s) + 1;
    return t->slot[k].off;
}

static int by_orig_unit(const void *a, const void *b)
{
    const unit *x = *(const unit *const *)a, *y = *(const unit *const *)b;
    if (x->has_orig != y->has_orig)
        return x->has_orig ? -1 : 1;
    return (x->orig > y->orig) - (x->orig < y->orig);
}

static bool sorted_from(const rec *r, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (r[i].from < r[i - 1].from)
            return false;
    return true;
}

/* The section's bytes, in the link's arena (m->bytes, m->size): the
 * tables sorted and counted and the strings interned once, then written.
 * The units are sorted by output address (the eliminated last). */
static int encode(lk_link *l, lk_addrmap *m, uint64_t base, const uint64_t *osec_orig, size_t nosec)
{
    size_t nu = m->nunits;
    rec *to = lk_alloc(&l->arena, (nu + 1) * sizeof *to), *from = lk_alloc(&l->arena, (nu + 1) * sizeof *from);
    const unit **in = lk_alloc(&l->arena, (nu + 1) * sizeof *in);
    uint32_t *name = lk_alloc(&l->arena, (nu + 1) * sizeof *name);
    uint32_t *fname = lk_alloc(&l->arena, (2 * l->nfiles + 1) * sizeof *fname);
    uint32_t *sname = lk_alloc(&l->arena, (nosec + 1) * sizeof *sname);
    size_t cap = 16;
    while (cap < 2 * (nu + 2 * l->nfiles + nosec + 1))
        cap *= 2;
    strtab st = {1, lk_zalloc(&l->arena, cap * sizeof(strslot)), cap}; /* offset 0: the empty name */
    if (!to || !from || !in || !name || !fname || !sname || !st.slot)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    /* OMAP_TO_SRC from the units in output order (as sorted), OMAP_FROM_SRC sorted */
    size_t nt = 0, nf = 0, ninputs = 0;
    for (size_t i = 0; i < nu; i++) {
        const unit *u = &m->units[i];
        if (u->o && u->size)
            to[nt++] = (rec){u->out, u->has_orig ? u->orig : 0, u->size};
        if (u->has_orig && u->size)
            from[nf++] = (rec){u->orig, u->o ? u->out : 0, u->size};
        if (u->file && u->size) { /* (an empty section names no byte) */
            name[ninputs] = str_add(&st, piece_name(&(lk_piece){.file = u->file, .shndx = u->shndx}));
            in[ninputs++] = u;
        }
    }
    if (!sorted_from(to, nt))
        qsort(to, nt, sizeof *to, by_from);
    if (!sorted_from(from, nf)) /* (already so when nothing moved) */
        qsort(from, nf, sizeof *from, by_from);
    for (size_t i = 0; i < l->nfiles; i++) {
        const lk_file *f = l->files[i];
        fname[2 * i] = str_add(&st, f->path ? f->path : f->name);
        fname[2 * i + 1] = f->member ? str_add(&st, f->member) : 0;
    }
    for (size_t s = 0, k = 0; s < l->nsegs; s++)
        for (size_t i = 0; l->segs[s]->type == PT_LOAD && i < l->segs[s]->nsecs; i++)
            sname[k++] = str_add(&st, l->segs[s]->secs[i]->name);
    size_t n_to = omap(to, nt, base, NULL), n_from = omap(from, nf, base, NULL);
    size_t off_to = HEADER, off_from = off_to + n_to * RECORD, off_sec = off_from + n_from * RECORD;
    size_t off_files = off_sec + nosec * SECTION, off_in = off_files + l->nfiles * FILEREC;
    size_t off_idx = off_in + ninputs * INPUT, off_str = off_idx + ninputs * 4, size = off_str + st.n;
    uint8_t *out = size <= UINT32_MAX ? lk_zalloc(&l->arena, size) : NULL;
    if (!out)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory (the address map: %zu bytes)", size);
    omap(to, nt, base, out + off_to);
    omap(from, nf, base, out + off_from);
    for (size_t s = 0, k = 0; s < l->nsegs; s++)
        for (size_t i = 0; l->segs[s]->type == PT_LOAD && i < l->segs[s]->nsecs; i++, k++) {
            const lk_osec *o = l->segs[s]->secs[i];
            uint8_t *p = out + off_sec + k * SECTION;
            put32(p, sname[k]);
            put32(p + 4, o->index);
            put32(p + 8, (uint32_t)(o->addr - base));
            put32(p + 12, (uint32_t)o->size);
            put32(p + 16, (uint32_t)(osec_orig[2 * k] - base));
            put32(p + 20, (uint32_t)osec_orig[2 * k + 1]);
        }
    for (size_t i = 0; i < l->nfiles; i++) {
        put32(out + off_files + i * FILEREC, fname[2 * i]);
        put32(out + off_files + i * FILEREC + 4, fname[2 * i + 1]);
    }
    for (size_t j = 0; j < ninputs; j++) {
        const unit *u = in[j];
        uint8_t *p = out + off_in + j * INPUT;
        put32(p, u->file->index);
        put32(p + 4, name[j]);
        put32(p + 8, u->o ? u->o->index : 0);
        put32(p + 12, (uint32_t)u->size);
        put32(p + 16, u->o ? (uint32_t)(u->out - base) : 0);
        put32(p + 20, u->has_orig ? (uint32_t)(u->orig - base) : 0);
    }
    /* by original address: the inputs' numbers (the names are written:
     * their array is reused, unit number -> input number) */
    const unit **by = lk_alloc(&l->arena, (ninputs + 1) * sizeof *by);
    if (!by)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    memcpy(by, in, ninputs * sizeof *by);
    qsort(by, ninputs, sizeof *by, by_orig_unit);
    uint32_t *rank = name;
    for (size_t j = 0; j < ninputs; j++)
        rank[in[j] - m->units] = (uint32_t)j;
    for (size_t j = 0; j < ninputs; j++)
        put32(out + off_idx + 4 * j, rank[by[j] - m->units]);
    for (size_t k = 0; k < st.cap; k++)
        if (st.slot[k].s)
            memcpy(out + off_str + st.slot[k].off, st.slot[k].s, strlen(st.slot[k].s) + 1);
    memcpy(out, "KEELAMAP", 8);
    put16(out + 8, 1);
    put16(out + 10, HEADER);
    put32(out + 12, ((l->order && l->order->moved) || l->is_ordered ? 1u : 0) | (m->nghosts ? 2u : 0));
    put64(out + 16, base);
    const uint32_t fields[] = {(uint32_t)n_to,      (uint32_t)off_to,
                               (uint32_t)n_from,    (uint32_t)off_from,
                               (uint32_t)nosec,     (uint32_t)off_sec,
                               (uint32_t)l->nfiles, (uint32_t)off_files,
                               (uint32_t)ninputs,   (uint32_t)off_in,
                               (uint32_t)off_idx,   (uint32_t)off_str,
                               (uint32_t)st.n,      0};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        put32(out + 24 + 4 * i, fields[i]);
    m->bytes = out;
    m->size = size;
    return 0;
}

/* ---- the pass ---- */

static void clear_addresses(lk_link *l)
{
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            l->segs[s]->secs[i]->addr = 0; /* (data_start plans the RELRO sections' anew) */
}

/* The map names every input file and section (.text.foo: the functions'
 * names under -ffunction-sections), so -s and -S, which ask for an output
 * without symbols or debugging information, get none unless it is asked
 * for by --address-map: ld.bfd's -s output holds no such names. */
static bool wanted(const lk_link *l)
{
    const keel_link_options *o = l->opt;
    if (o->no_address_map)
        return false;
    if (o->address_map)
        return true;
    if (o->strip_all || o->strip_debug)
        return false;
    return (l->order && l->order->moved) || l->is_ordered || o->gc_sections;
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
    if (!l->opt->address_map && !(l->order && l->order->moved) && !l->is_ordered && !m->nghosts) {
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
            /* what the ordering file may have moved (symbol_order.c's test) */
            bool moved = reordered && o->npieces > 1 && !o->pool && o->type != SHT_INIT_ARRAY &&
                         o->type != SHT_FINI_ARRAY && o->type != SHT_PREINIT_ARRAY && o->type != SHT_NOTE;
            /* IS_ORDER's (mapfile_apply_match.c) kept the list it moved */
            bool is_ordered = !moved && o->unordered;
            if (!ghosts && !moved && !is_ordered)
                continue;
            saved[k] = (struct saved){o->pieces, o->npieces};
            if (is_ordered) {
                o->pieces = o->unordered;
                o->npieces = o->nunordered;
            }
            if ((rc = original_pieces(l, o, !moved, &o->pieces, &o->npieces)))
                return rc;
        }
    clear_addresses(l);
    keel_error saved_err = *l->err; /* (an original layout that does not fit is no error of the link's) */
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
    if (rc && rc != KEEL_E_NOMEM) {
        /* the layout without the ordering or --gc-sections would not fit
         * (a --section-start it would overlap, a segment's size limit):
         * the link goes on without a map, and says why */
        lk_diag(l, KEEL_DIAG_WARNING, "warning: no address map: the original layout fails: %s", l->err->msg);
        *l->err = saved_err;
        x->nsecs--; /* (the map's section was the last) */
        l->addrmap = NULL;
        clear_addresses(l);
        return lk_assign_addresses(l, header);
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
            bool any = false;
            for (size_t p = 0; p < o->npieces && !any; p++)
                any = !o->pieces[p].file;
            for (size_t u = 0; any && u < m->nunits; u++)
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
    bool sorted = true;
    for (size_t u = 1; u < m->nunits && sorted; u++)
        sorted = by_out(&m->units[u - 1], &m->units[u]) <= 0;
    if (!sorted) /* (they are, when nothing moved) */
        qsort(m->units, m->nunits, sizeof *m->units, by_out);
    int erc = encode(l, m, base, osec_orig, nosec);
    if (erc)
        return erc;
    size_t size = m->size;
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
