/* .eh_frame, edited as GNU ld edits it (bfd/elf-eh-frame.c): each input's
 * records are parsed; the FDEs of code that is not linked (a dropped
 * COMDAT copy, --gc-sections) and of empty ranges go, a CIE identical to
 * one kept already (its bytes and its personality) goes and its FDEs
 * point at that one, a CIE no FDE uses goes, and only the last input's
 * zero terminator stays.  Records lose their trailing DW_CFA_nop padding
 * and are padded again to their alignment, each input to 8 bytes but the
 * last, so that no zero word falls between two inputs' records.
 *
 * An input that does not parse (a length past its end, a CIE pointer to
 * no CIE, an augmentation or a CFA instruction not known, a relocation
 * where none may be) is kept as it is, with GNU ld's warning, and the
 * .eh_frame_hdr gets no search table: the unwinder cannot trust one
 * built from it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../elfdefs.h"
#include "internal.h"

enum { CIE, FDE, TERM };
enum { PE_ABSPTR = 0, PE_UDATA2 = 2, PE_UDATA4 = 3, PE_UDATA8 = 4, PE_ALIGNED = 0x50, PE_OMIT = 0xff };

typedef struct eh_rec {
    uint32_t in;            /* offset in the input */
    uint32_t size;          /* bytes kept (trailing nops cut) */
    uint32_t out, out_size; /* in the edited piece, with padding to the next */
    uint32_t cie;           /* FDE: its CIE's record in this input */
    struct lk_eh *ms;       /* kept CIE, or an FDE's: the CIE it uses in the output */
    uint32_t mi;
    uint32_t per_reloc; /* CIE with a personality: 1 + its relocation's index */
    uint8_t kind, removed, align;
} eh_rec;

struct lk_eh {
    lk_file *file;
    uint32_t shndx;
    size_t piece;
    eh_rec *r;
    size_t n;
    uint64_t size;
    size_t fdes; /* FDEs kept */
};

typedef struct rel {
    uint64_t offset, info_nonzero;
    keel_rel r;
} rel;

/* The parse's state: the input's bytes and its relocations by offset. */
typedef struct parser {
    const uint8_t *d;
    uint64_t size;
    rel *rels;
    size_t nrels, cur;
} parser;

static int by_offset(const void *a, const void *b)
{
    const rel *x = a, *y = b;
    return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

static int pe_width(int enc)
{
    if ((enc & 0x60) == 0x60)
        return 0;
    switch (enc & 7) {
    case PE_UDATA2: return 2;
    case PE_UDATA4: return 4;
    case PE_UDATA8: return 8;
    case PE_ABSPTR: return 8;
    default: return 0;
    }
}

static bool uleb(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    *v = 0;
    for (int shift = 0; *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        if (shift < 64)
            *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

static bool skip(const uint8_t **p, const uint8_t *end, uint64_t n)
{
    if ((uint64_t)(end - *p) < n)
        return false;
    *p += n;
    return true;
}

/* Relocations before this offset may only be R_X86_64_NONE. */
static bool no_relocs_before(parser *ps, uint64_t at)
{
    for (; ps->cur < ps->nrels && ps->rels[ps->cur].offset < at; ps->cur++)
        if (ps->rels[ps->cur].info_nonzero)
            return false;
    return true;
}

static void skip_relocs_before(parser *ps, uint64_t at)
{
    while (ps->cur < ps->nrels && ps->rels[ps->cur].offset < at)
        ps->cur++;
}

static bool reloc_at(const parser *ps, uint64_t at) { return ps->cur < ps->nrels && ps->rels[ps->cur].offset == at; }

/* One CFA instruction (GNU ld's skip_cfa_op). */
static bool skip_cfa_op(const uint8_t **p, const uint8_t *end, int ptr_width)
{
    uint64_t n;
    if (*p >= end)
        return false;
    uint8_t op = *(*p)++;
    switch (op & 0xc0 ? op & 0xc0 : op) {
    case 0x00:
    case 0x40:
    case 0xc0:
    case 0x0a:
    case 0x0b:
    case 0x2d: return true;
    case 0x80:
    case 0x06:
    case 0x07:
    case 0x08:
    case 0x0d:
    case 0x0e:
    case 0x13:
    case 0x2e: return uleb(p, end, &n);
    case 0x14:
    case 0x15:
    case 0x05:
    case 0x09:
    case 0x0c:
    case 0x11:
    case 0x2f:
    case 0x12: return uleb(p, end, &n) && uleb(p, end, &n);
    case 0x0f: return uleb(p, end, &n) && skip(p, end, n);
    case 0x10:
    case 0x16: return uleb(p, end, &n) && uleb(p, end, &n) && skip(p, end, n);
    case 0x01: return skip(p, end, (uint64_t)ptr_width);
    case 0x02: return skip(p, end, 1);
    case 0x03: return skip(p, end, 2);
    case 0x04: return skip(p, end, 4);
    case 0x1d: return skip(p, end, 8);
    default: return false;
    }
}

/* The first nop of the padding at the end of the instructions, or NULL
 * if one is not understood; *set_loc counts DW_CFA_set_loc. */
static const uint8_t *skip_non_nops(const uint8_t *p, const uint8_t *end, int ptr_width, int *set_loc)
{
    const uint8_t *last = p;
    while (p < end) {
        uint8_t op = *p;
        if (op == 0) {
            p++;
            continue;
        }
        /* what compilers write most, as skip_cfa_op reads it, without a
         * call: advance_loc and restore (1 byte), remember and restore
         * state, and offset, def_cfa_offset, def_cfa_register with a
         * one-byte operand (every FDE's instructions are walked) */
        if ((op & 0xc0) == 0x40 || (op & 0xc0) == 0xc0 || op == 0x0a || op == 0x0b) {
            last = ++p;
            continue;
        }
        if (((op & 0xc0) == 0x80 || op == 0x0d || op == 0x0e) && end - p >= 2 && !(p[1] & 0x80)) {
            last = p += 2;
            continue;
        }
        if (*p == 0x01)
            ++*set_loc;
        if (!skip_cfa_op(&p, end, ptr_width))
            return NULL;
        last = p;
    }
    return last;
}

typedef struct cie_info {
    uint8_t fde_enc, lsda_enc;
    bool z, mergeable;
} cie_info;

/* The records of one input (_bfd_elf_parse_eh_frame's checks); false if
 * it does not parse. */
static bool parse(lk_arena *arena, parser *ps, struct lk_eh *eh, cie_info **infos)
{
    const uint8_t *d = ps->d;
    uint64_t size = ps->size, n = 0;
    if (size >= UINT32_MAX)
        return false;
    for (uint64_t at = 0; at != size; n++) { /* count, and check the lengths */
        if (size - at < 4)
            return false;
        uint32_t len = get32(d + at);
        if (len == 0xffffffffu)
            return false;
        if (len == 0) {
            n++;
            break;
        }
        if (len < 4 || size - at - 4 < len) /* (a record holds at least its id) */
            return false;
        at += 4 + (uint64_t)len;
    }
    uint32_t *cies = lk_alloc(arena, (n + 1) * sizeof *cies); /* the CIEs so far, by record */
    size_t ncies = 0;
    if (!cies || !(eh->r = lk_zalloc(arena, (n + 1) * sizeof *eh->r)) ||
        !(*infos = lk_zalloc(arena, (n + 1) * sizeof **infos)))
        return false;
    cie_info *ci = *infos;
    for (uint64_t at = 0; at != size;) {
        eh_rec *r = &eh->r[eh->n];
        cie_info *c = &ci[eh->n];
        uint32_t len = get32(d + at);
        const uint8_t *p = d + at + 4, *end = p + len;
        r->in = (uint32_t)at;
        r->size = 4 + len;
        if (len == 0) { /* terminators, at the end only */
            for (uint64_t z = at; z < size; z += 4)
                if (size - z < 4 || get32(d + z))
                    return false;
            if (!no_relocs_before(ps, size))
                return false;
            r->kind = TERM;
            r->size = 4;
            eh->n++;
            break;
        }
        uint32_t id = get32(p);
        p += 4;
        const uint8_t *insns;
        int width;
        if (id == 0) {
            r->kind = CIE;
            cies[ncies++] = (uint32_t)eh->n;
            if (!skip(&p, end, 1) || (p[-1] != 1 && p[-1] != 3 && p[-1] != 4))
                return false;
            uint8_t version = p[-1];
            const char *aug = (const char *)p;
            size_t alen = strnlen(aug, (size_t)(end - p));
            if (alen >= (size_t)(end - p) || alen >= 20)
                return false;
            p += alen + 1;
            if (!no_relocs_before(ps, (uint64_t)(p - d)))
                return false;
            bool old_eh = aug[0] == 'e' && aug[1] == 'h';
            if (old_eh) { /* GCC < 3.0: a private pointer, never merged */
                if (!skip(&p, end, 8))
                    return false;
                skip_relocs_before(ps, (uint64_t)(p - d));
            }
            if (version >= 4) {
                if (end - p < 2 || p[0] != 8 || p[1] != 0)
                    return false;
                p += 2;
            }
            uint64_t v;
            if (!uleb(&p, end, &v) || !uleb(&p, end, &v)) /* code and data alignment */
                return false;
            if (version == 1 ? !skip(&p, end, 1) : !uleb(&p, end, &v))
                return false;
            if (!no_relocs_before(ps, (uint64_t)(p - d)))
                return false;
            c->fde_enc = c->lsda_enc = PE_OMIT;
            c->mergeable = !old_eh;
            if (!old_eh) {
                const char *a = aug;
                if (*a == 'z') {
                    a++;
                    c->z = true;
                    if (!uleb(&p, end, &v) || !no_relocs_before(ps, (uint64_t)(p - d)))
                        return false;
                }
                for (; *a; a++) {
                    switch (*a) {
                    case 'B':
                    case 'S': break;
                    case 'L':
                    case 'R':
                        if (!skip(&p, end, 1) || !no_relocs_before(ps, (uint64_t)(p - d)) || !pe_width(p[-1]))
                            return false;
                        *(*a == 'L' ? &c->lsda_enc : &c->fde_enc) = p[-1];
                        break;
                    case 'P': {
                        if (!skip(&p, end, 1))
                            return false;
                        uint8_t enc = p[-1];
                        int w = pe_width(enc);
                        if (!w)
                            return false;
                        if ((enc & 0x70) == PE_ALIGNED) {
                            if (!skip(&p, end, (uint64_t)(-(p - d)) & (uint64_t)(w - 1)))
                                return false;
                            if (w == 8)
                                r->align = 8;
                        }
                        if (!no_relocs_before(ps, (uint64_t)(p - d)) || !reloc_at(ps, (uint64_t)(p - d)))
                            return false;
                        r->per_reloc = (uint32_t)ps->cur + 1;
                        while (reloc_at(ps, (uint64_t)(p - d)))
                            ps->cur++;
                        if (!skip(&p, end, (uint64_t)w))
                            return false;
                        break;
                    }
                    default: /* an augmentation not known: GNU ld gives up */ return false;
                    }
                }
            }
            if (c->fde_enc == PE_OMIT)
                c->fde_enc = PE_ABSPTR;
            insns = p;
            if (!no_relocs_before(ps, (uint64_t)(end - d)))
                return false;
            width = pe_width(c->fde_enc);
        } else {
            r->kind = FDE;
            uint64_t cie_at = at + 4 - (uint64_t)id; /* (wraps past 0 to no CIE) */
            size_t k = eh->n, q = ncies;             /* (most often the latest CIE) */
            while (q-- > 0)
                if (eh->r[cies[q]].in == cie_at) {
                    k = cies[q];
                    break;
                }
            if (k == eh->n)
                return false; /* a CIE pointer to no earlier CIE */
            r->cie = (uint32_t)k;
            const cie_info *own = &ci[k];
            if (!no_relocs_before(ps, (uint64_t)(p - d)) || !reloc_at(ps, (uint64_t)(p - d)))
                return false;
            width = pe_width(own->fde_enc);
            const uint8_t *range = p + width;
            if (!skip(&p, end, 2 * (uint64_t)width))
                return false;
            skip_relocs_before(ps, (uint64_t)(range - d));
            uint64_t rv = 0;
            memcpy(&rv, range, (size_t)width);
            if (!reloc_at(ps, (uint64_t)(range - d)) && rv == 0)
                r->removed = 1; /* an empty range: GNU ld drops it */
            uint64_t alen = 0;
            if (own->z && !uleb(&p, end, &alen))
                return false;
            if (own->lsda_enc != PE_OMIT && !own->z)
                alen = (uint64_t)(end - p);
            if (!skip(&p, end, alen))
                return false;
            insns = p;
            skip_relocs_before(ps, (uint64_t)(end - d));
        }
        int set_loc = 0;
        const uint8_t *used = skip_non_nops(insns, end, width, &set_loc);
        if (!used || (set_loc && r->kind == CIE))
            return false;
        r->size -= (uint32_t)(end - used);
        if (r->kind == CIE && (uint64_t)(end - insns) > 50)
            c->mergeable = false; /* GNU ld compares at most 50 bytes of them */
        if (r->kind == FDE)
            r->align = (uint8_t)(width > 4 ? width : 4);
        else if (!r->align)
            r->align = 4;
        eh->n++;
        at += 4 + (uint64_t)len;
    }
    return true;
}

/* Is the code an FDE describes linked?  The target of its relocation. */
static bool fde_live(lk_link *l, lk_file *f, const keel_rel *r)
{
    keel_sym sym;
    const char *name;
    if (keel_symtab_get(&f->symtab, r->sym, &sym, NULL))
        return false;
    if (KEEL_ST_BIND(sym.info) != STB_LOCAL) {
        if (keel_symtab_name(&f->symtab, &sym, &name, NULL))
            return false;
        lk_sym *s = lk_file_sym(l, f, r->sym, name);
        if (!s || s->defsym || !s->def || (s->state != LK_DEFINED && s->state != LK_WEAK))
            return true; /* undefined, common or defined by the link: kept, as GNU ld keeps it */
        f = s->def;
        if (keel_symtab_get(&f->symtab, s->def_index, &sym, NULL))
            return false;
    }
    if (sym.shndx == SHN_UNDEF || sym.shndx >= f->elf.shnum)
        return sym.shndx != SHN_UNDEF || KEEL_ST_BIND(sym.info) != STB_LOCAL;
    return !f->dropped[sym.shndx] && f->out[sym.shndx];
}

/* A kept CIE's identity: its bytes and its personality. */
typedef struct cie_key {
    struct lk_eh *eh;
    uint32_t idx, hash;
    const void *who; /* the personality: a global, or this file for a local */
    uint64_t sym;
    int64_t addend;
} cie_key;

typedef struct cie_table {
    cie_key *v;
    size_t cap, n;
} cie_table;

static bool same_cie(const cie_key *a, const cie_key *b)
{
    const eh_rec *x = &a->eh->r[a->idx], *y = &b->eh->r[b->idx];
    keel_shdr sa, sb;
    const uint8_t *da, *db;
    uint64_t za, zb;
    if (a->hash != b->hash || x->size != y->size || a->who != b->who || a->sym != b->sym || a->addend != b->addend ||
        keel_elf_shdr(&a->eh->file->elf, a->eh->shndx, &sa, NULL) ||
        keel_elf_shdr(&b->eh->file->elf, b->eh->shndx, &sb, NULL) ||
        keel_elf_section_data(&a->eh->file->elf, &sa, &da, &za, NULL) ||
        keel_elf_section_data(&b->eh->file->elf, &sb, &db, &zb, NULL))
        return false;
    return memcmp(da + x->in + 8, db + y->in + 8, x->size - 8) == 0;
}

/* The kept CIE equal to k, or k itself recorded as kept. */
static int find_cie(cie_table *t, cie_key *k, cie_key *found)
{
    if ((t->n + 1) * 2 > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        cie_key *v = calloc(cap, sizeof *v);
        if (!v)
            return -1;
        for (size_t i = 0; i < t->cap; i++)
            if (t->v[i].eh) {
                size_t j = t->v[i].hash & (cap - 1);
                while (v[j].eh)
                    j = (j + 1) & (cap - 1);
                v[j] = t->v[i];
            }
        free(t->v);
        t->v = v;
        t->cap = cap;
    }
    size_t j = k->hash & (t->cap - 1);
    for (; t->v[j].eh; j = (j + 1) & (t->cap - 1))
        if (same_cie(&t->v[j], k)) {
            *found = t->v[j];
            return 0;
        }
    t->v[j] = *k;
    t->n++;
    *found = *k;
    return 0;
}

static uint32_t hash_cie(const uint8_t *p, uint64_t n, const void *who, uint64_t sym)
{
    uint64_t h = 1469598103934665603u ^ (uint64_t)(uintptr_t)who ^ (sym << 20);
    for (uint64_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211u;
    return (uint32_t)(h ^ (h >> 32));
}

/* The relocations of f's section shndx, sorted by offset. */
static bool relocs_of(lk_arena *a, const lk_file *f, uint32_t shndx, parser *ps)
{
    ps->nrels = 0;
    ps->rels = NULL;
    for (uint32_t i = 1; i < f->elf.shnum; i++) {
        keel_relocs rs;
        /* (the headers as kr_input_sections read them, once) */
        if (f->sections[i].type != SHT_RELA || f->sections[i].info != shndx)
            continue;
        if (keel_elf_relocs(&f->elf, i, &rs, NULL) || ps->rels ||
            !(ps->rels = lk_alloc(a, (rs.count + 1) * sizeof *ps->rels)))
            return false;
        bool sorted = true;
        for (uint64_t k = 0; k < rs.count; k++) {
            keel_relocs_get(&rs, k, &ps->rels[k].r);
            ps->rels[k].offset = ps->rels[k].r.offset;
            ps->rels[k].info_nonzero = ps->rels[k].r.type != 0 || ps->rels[k].r.sym != 0;
            sorted = sorted && (k == 0 || ps->rels[k - 1].offset <= ps->rels[k].offset);
        }
        ps->nrels = (size_t)rs.count;
        if (!sorted)
            qsort(ps->rels, ps->nrels, sizeof *ps->rels, by_offset);
    }
    return true;
}

/* An input's parse, made before the edit (on the second thread). */
typedef struct eh_parsed {
    parser ps;
    struct lk_eh *eh;
    cie_info *infos;
    bool have; /* an input with bytes: parsed */
    bool ok;   /* and it parses */
} eh_parsed;

/* The parse of every .eh_frame input needs nothing of the link but the
 * inputs' bytes: it runs on a second thread while the relocations are
 * scanned (scan.c reads no .eh_frame record), with an arena of its own
 * that the link's takes over at the join.  The edit proper (which FDEs
 * are live, which CIEs merge, the sizes), the messages and the errors
 * stay on the link's thread, in the same order as without the thread. */
struct lk_eh_job {
    lk_link *l;
    lk_arena arena;
    lk_osec **secs; /* the .eh_frame output sections, in the link's order */
    size_t nsecs;
    eh_parsed **parsed; /* per section, per piece */
    bool nomem;
    bool threaded;
    pthread_t th;
};

static void *parse_all(void *arg)
{
    struct lk_eh_job *j = arg;
    for (size_t k = 0; k < j->nsecs && !j->nomem; k++) {
        const lk_osec *o = j->secs[k];
        for (size_t pi = 0; pi < o->npieces; pi++) {
            const lk_piece *pc = &o->pieces[pi];
            lk_file *f = pc->file;
            eh_parsed *pp = &j->parsed[k][pi];
            /* the header and bytes as kr_input_sections read and checked them */
            const kr_input_section *sh = f && pc->shndx < f->nsections ? &f->sections[pc->shndx] : NULL;
            if (!sh || !sh->size || !sh->data)
                continue;
            pp->ps.d = sh->data;
            pp->ps.size = sh->size;
            if (!(pp->eh = lk_zalloc(&j->arena, sizeof *pp->eh))) {
                j->nomem = true;
                break;
            }
            *pp->eh = (struct lk_eh){f, pc->shndx, pi, NULL, 0, 0, 0};
            pp->have = true;
            pp->ok = relocs_of(&j->arena, f, pc->shndx, &pp->ps) && parse(&j->arena, &pp->ps, pp->eh, &pp->infos);
        }
    }
    return NULL;
}

/* Below this many inputs a thread costs more than it saves (fill.c's). */
enum { FEW_INPUTS = 64 };

int lk_eh_frame_start(lk_link *l)
{
    struct lk_eh_job *j = lk_zalloc(&l->arena, sizeof *j);
    if (!j)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    j->l = l;
    size_t n = 0, pieces = 0;
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            n += strcmp(l->segs[s]->secs[i]->name, ".eh_frame") == 0;
    if (!(j->secs = lk_alloc(&l->arena, (n + 1) * sizeof *j->secs)) ||
        !(j->parsed = lk_alloc(&l->arena, (n + 1) * sizeof *j->parsed)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            lk_osec *o = l->segs[s]->secs[i];
            if (strcmp(o->name, ".eh_frame") != 0)
                continue;
            if (!(j->parsed[j->nsecs] = lk_zalloc(&l->arena, (o->npieces + 1) * sizeof **j->parsed)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            j->secs[j->nsecs++] = o;
            pieces += o->npieces;
        }
    l->eh_job = j;
    if (pieces >= FEW_INPUTS && sysconf(_SC_NPROCESSORS_ONLN) > 1)
        j->threaded = !pthread_create(&j->th, NULL, parse_all, j);
    if (!j->threaded)
        parse_all(j);
    return 0;
}

void lk_eh_frame_join(lk_link *l)
{
    struct lk_eh_job *j = l->eh_job;
    if (!j)
        return;
    if (j->threaded)
        pthread_join(j->th, NULL);
    j->threaded = false;
    lk_arena_adopt(&l->arena, &j->arena); /* (its records live as long as the link's) */
}

/* What a parse said, as edit says it: the inputs that do not parse. */
static void parse_error(lk_link *l, const lk_osec *o, const eh_parsed *parsed, size_t pi)
{
    if (parsed[pi].have && !parsed[pi].ok) {
        /* kept as it is, as GNU ld keeps it, and said as GNU ld says it */
        lk_diag(l, KEEL_DIAG_ERROR, "error in %s(.eh_frame); no .eh_frame_hdr table will be created",
                o->pieces[pi].file->name);
        l->eh_no_table = true;
    }
}

void lk_eh_frame_abandon(lk_link *l)
{
    struct lk_eh_job *j = l->eh_job;
    if (!j)
        return;
    lk_eh_frame_join(l);
    l->eh_job = NULL;
    for (size_t k = 0; k < j->nsecs && !j->nomem; k++)
        for (size_t pi = 0; pi < j->secs[k]->npieces; pi++)
            parse_error(l, j->secs[k], j->parsed[k], pi);
}

/* One output .eh_frame: its inputs parsed, drop and merge, and size them. */
static int edit(lk_link *l, lk_osec *o, cie_table *t, eh_parsed *parsed)
{
    /* CIEs merge within an output section only (GNU ld's cie_eq) */
    free(t->v);
    *t = (cie_table){0};
    struct lk_eh **ehs = lk_zalloc(&l->arena, (o->npieces + 1) * sizeof *ehs);
    if (!ehs)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t pi = 0; pi < o->npieces; pi++) {
        lk_file *f = o->pieces[pi].file;
        if (!parsed[pi].have)
            continue;
        parser ps = parsed[pi].ps;
        struct lk_eh *eh = parsed[pi].eh;
        cie_info *infos = parsed[pi].infos;
        if (!parsed[pi].ok) {
            parse_error(l, o, parsed, pi);
            continue;
        }
        /* the FDEs kept, and the CIEs they use */
        for (size_t k = 0; k < eh->n; k++)
            if (eh->r[k].kind == CIE)
                eh->r[k].removed = 1;
        for (size_t k = 0; k < eh->n; k++) {
            eh_rec *r = &eh->r[k];
            if (r->kind != FDE || r->removed)
                continue;
            size_t lo = 0, hi = ps.nrels; /* the relocation of its start address */
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                if (ps.rels[mid].offset < (uint64_t)r->in + 8)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo == ps.nrels || !fde_live(l, f, &ps.rels[lo].r)) {
                r->removed = 1;
                continue;
            }
            eh->fdes++;
            eh_rec *c = &eh->r[r->cie];
            if (!c->ms) { /* first use: kept, or merged with an equal one */
                cie_key key = {eh, r->cie, 0, NULL, 0, 0}, found;
                if (c->per_reloc) {
                    const keel_rel *pr = &ps.rels[c->per_reloc - 1].r;
                    keel_sym sym;
                    const char *name;
                    key.who = f; /* a local personality: this file's symbol */
                    key.sym = pr->sym;
                    key.addend = pr->addend;
                    lk_sym *g = NULL; /* a global: the same symbol in every file */
                    if (!keel_symtab_get(&f->symtab, pr->sym, &sym, NULL) && KEEL_ST_BIND(sym.info) != STB_LOCAL &&
                        !keel_symtab_name(&f->symtab, &sym, &name, NULL) && (g = lk_file_sym(l, f, pr->sym, name))) {
                        key.who = g;
                        key.sym = 0;
                    }
                }
                key.hash = hash_cie(ps.d + c->in + 8, c->size - 8, key.who, key.sym);
                if (!infos[r->cie].mergeable) {
                    found = key;
                } else if (find_cie(t, &key, &found)) {
                    return lk_fail(l, KEEL_E_NOMEM, "out of memory");
                }
                c->ms = found.eh;
                c->mi = found.idx;
                found.eh->r[found.idx].removed = 0;
            }
            r->ms = c->ms;
            r->mi = c->mi;
        }
        ehs[pi] = eh;
    }
    /* new offsets: each record aligned for its encoding, the terminator
     * of the last input only */
    size_t last = o->npieces;
    for (size_t pi = 0; pi < o->npieces; pi++)
        if (o->pieces[pi].file)
            last = pi;
    size_t last_full = o->npieces; /* the last input with more than a terminator */
    for (size_t pi = 0; pi < o->npieces; pi++) {
        struct lk_eh *eh = ehs[pi];
        if (!eh)
            continue;
        uint64_t at = 0;
        for (size_t k = 0; k < eh->n; k++) {
            eh_rec *r = &eh->r[k];
            if (r->kind == TERM && pi != last)
                r->removed = 1;
            if (r->removed)
                continue;
            at = align_up(at, r->kind == TERM ? 4 : r->align);
            r->out = (uint32_t)at;
            at += r->size;
        }
        eh->size = align_up(at, 4);
        o->pieces[pi].size = eh->size;
    }
    for (size_t pi = 0; pi < o->npieces; pi++)
        if (o->pieces[pi].size > 4)
            last_full = pi;
    for (size_t pi = 0; pi < o->npieces; pi++) {
        struct lk_eh *eh = ehs[pi];
        /* padded inside its last record (one that did not parse is not:
         * a zero word after it would end the list there) */
        if (eh && pi < last_full && o->pieces[pi].size % 8)
            o->pieces[pi].size = align_up(o->pieces[pi].size, 8);
        if (!eh)
            continue;
        eh->size = o->pieces[pi].size;
        uint32_t next = (uint32_t)eh->size;
        for (size_t k = eh->n; k-- > 0;)
            if (!eh->r[k].removed) {
                eh->r[k].out_size = next - eh->r[k].out;
                next = eh->r[k].out;
            }
        if (!eh->file->eh && !(eh->file->eh = lk_zalloc(&l->arena, (eh->file->elf.shnum + 1) * sizeof *eh->file->eh)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        eh->file->eh[eh->shndx] = eh;
    }
    if (o->align < 8)
        o->align = 8;
    return 0;
}

int lk_eh_frame_edit(lk_link *l)
{
    struct lk_eh_job *j = l->eh_job;
    if (!j)
        return 0;
    lk_eh_frame_join(l);
    l->eh_job = NULL;
    if (j->nomem)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    cie_table t = {0};
    int rc = 0;
    for (size_t k = 0; k < j->nsecs && !rc; k++)
        rc = edit(l, j->secs[k], &t, j->parsed[k]);
    free(t.v);
    return rc;
}

void lk_eh_fill(const lk_osec *o, const struct lk_eh *eh, uint8_t *buf)
{
    keel_shdr sh;
    const uint8_t *d;
    uint64_t avail;
    uint8_t *out = buf + o->offset + o->pieces[eh->piece].offset;
    memset(out, 0, eh->size);
    if (keel_elf_shdr(&eh->file->elf, eh->shndx, &sh, NULL) ||
        keel_elf_section_data(&eh->file->elf, &sh, &d, &avail, NULL))
        return; /* (read when parsed) */
    for (size_t k = 0; k < eh->n; k++) {
        const eh_rec *r = &eh->r[k];
        if (r->removed)
            continue;
        memcpy(out + r->out, d + r->in, r->size); /* the rest: zeros, DW_CFA_nop */
        if (r->kind == TERM)
            continue;
        uint32_t len = r->out_size - 4;
        memcpy(out + r->out, &len, 4);
        if (r->kind == FDE) { /* its CIE pointer: back from itself to the CIE kept */
            uint64_t me = o->pieces[eh->piece].offset + r->out + 4;
            uint64_t cie = o->pieces[r->ms->piece].offset + r->ms->r[r->mi].out;
            uint32_t ptr = (uint32_t)(me - cie);
            memcpy(out + r->out + 4, &ptr, 4);
        }
    }
}

bool lk_eh_offset(const struct lk_eh *eh, uint64_t offset, uint64_t *out)
{
    size_t lo = 0, hi = eh->n; /* the last record starting at or before offset */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (eh->r[mid].in <= offset)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!lo)
        return false;
    const eh_rec *r = &eh->r[lo - 1];
    if (r->removed || offset - r->in >= r->size)
        return false; /* in a record that is gone, or in its padding */
    *out = r->out + (offset - r->in);
    return true;
}

uint64_t lk_eh_symbol(const lk_osec *o, const struct lk_eh *eh, uint64_t value)
{
    /* GNU ld's offset_adjust: a symbol stays with its record; in a merged
     * CIE it goes to the CIE kept, in a dropped record to the next kept */
    size_t lo = 0, hi = eh->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (eh->r[mid].in <= value)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t base = o->pieces[eh->piece].offset;
    if (!lo)
        return base + value;
    const eh_rec *r = &eh->r[lo - 1];
    if (!r->removed)
        return base + r->out + (value - r->in);
    if (r->kind == CIE && r->ms)
        return o->pieces[r->ms->piece].offset + r->ms->r[r->mi].out + (value - r->in);
    for (size_t k = lo; k < eh->n; k++)
        if (!eh->r[k].removed)
            return base + eh->r[k].out;
    return base + eh->size;
}

size_t lk_eh_fdes(const lk_osec *o)
{
    size_t n = 0;
    for (size_t i = 0; i < o->npieces; i++) {
        const lk_piece *p = &o->pieces[i];
        if (p->file && p->file->eh && p->file->eh[p->shndx])
            n += p->file->eh[p->shndx]->fdes;
    }
    return n;
}

uint64_t lk_eh_size(const struct lk_eh *eh) { return eh->size; }
