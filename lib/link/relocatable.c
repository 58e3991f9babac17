/* Relocatable output (-r, -i, --relocatable): the inputs combined into one
 * ET_REL object, as ld.bfd's -r does with its default script
 * (ldscripts/elf_x86_64.xr).  After the inputs are read and the symbols
 * resolved (link.c's first pass), this pass does all the rest:
 *   - sections: every input section goes to the output section of its own
 *     name (.stub into .text and .gnu_extab* into .gnu_extab, as the
 *     script says; .text.foo stays .text.foo), in input order, each at its
 *     alignment; a member of a COMDAT group gets an output section of its
 *     own (ld.bfd never merges them); addresses are 0.  SHF_MERGE sections
 *     are concatenated and stay mergeable, as ld.bfd -r leaves them;
 *   - .note.gnu.property: the inputs' properties merged (note.c), as for
 *     an executable;
 *   - COMDAT groups: each group kept (the first of its signature, link.c's
 *     rules) is written as a SHT_GROUP with its members renumbered, before
 *     them, as ld.bfd orders them; the dropped copies are gone;
 *   - symbols: a section symbol per output section, each input's locals
 *     (its section symbols excepted), then every global once, with values
 *     relative to their output section; undefined stay undefined, commons
 *     stay common (SHN_COMMON, value the alignment);
 *   - relocations: each input relocation section goes to .rela.NAME of
 *     its target's output section, r_offset moved by the input section's
 *     place there, the symbol renumbered; one against a section symbol
 *     names the output section's symbol, its addend moved by the same
 *     place; one against a symbol of a dropped COMDAT copy becomes
 *     R_X86_64_NONE (type 0, symbol 0), as ld.bfd's.
 * What it leaves out is said in docs/linker.md; link.c's option checks
 * refuse the options it does not do. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "image.h"
#include "reloc_out.h"
#include "../arch/arch.h"
#include "../elfdefs.h"

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* One input section in an output section. */
typedef struct ro_piece {
    lk_file *file;
    uint32_t shndx;
    uint64_t offset, size;
    uint64_t insize; /* the input section's size (an edited .eh_frame's before editing) */
    ro_eh *eh;       /* an .eh_frame without dropped code's FDEs (reloc_eh.c), or NULL */
} ro_piece;

/* An output section (contents, or a group), and its relocations. */
typedef struct ro_sec {
    const char *name;
    uint32_t type, link, info;
    uint64_t flags, align, size, entsize, offset;
    bool mixed_entsize;
    ro_piece *pieces;
    size_t npieces, cap;
    uint32_t index;    /* in the output's section headers */
    uint32_t symindex; /* its section symbol */
    uint64_t nrel;     /* relocations bound for its .rela section */
    uint32_t rela;     /* that section's index, 0: none */
    uint64_t relaoff;
    uint32_t name_off, rela_name_off;
    char *rela_name;
    lk_file *gfile; /* a group: the input file and section it comes from */
    uint32_t gshndx;
    const uint8_t *note; /* .note.gnu.property's bytes (made here) */
} ro_sec;

/* Per input file: where each of its sections went, and its symbols. */
typedef struct ro_file {
    ro_sec **out;      /* per section: its output section (NULL: none) */
    uint64_t *pos;     /* per section: its offset there */
    uint32_t *rela_of; /* per section: the relocation section that targets it (0: none) */
    uint32_t *sym;     /* per symbol: its index in the output's .symtab (0: none) */
    uint8_t *used;     /* -x, -X: per symbol, whether a relocation of a linked section uses it */
} ro_file;

typedef struct ro {
    lk_link *l;
    ro_file *files;
    ro_sec **secs; /* in section-header order, groups first */
    size_t nsecs, cap;
    ro_sec **groups, **contents;
    size_t ngroups, capgroups, ncontents, capcontents;
    struct { /* output section name: its section (not group members) */
        ro_sec **v;
        size_t cap;
    } byname;
    uint8_t *syms; /* .symtab's entries (malloc'd) */
    size_t nsyms, capsyms, nlocals;
    lk_strtab str, shstr;
    ro_sec *common, *tcommon; /* -d: the .bss and .tbss the commons are allocated in */
    lk_osec *linked;          /* what an input section's f->out is set to: it is linked (kept.c reads no more) */
} ro;

static int nomem(lk_link *l) { return lk_fail(l, KEEL_E_NOMEM, "out of memory"); }

static const char *sec_name(const lk_file *f, const keel_shdr *sh)
{
    const char *name;
    return keel_elf_section_name(&f->elf, sh, &name, NULL) == 0 ? name : "?";
}

/* The output section an input of this name goes to (elf_x86_64.xr). */
static const char *output_name(const char *name)
{
    if (strcmp(name, ".stub") == 0)
        return ".text";
    if (strncmp(name, ".gnu_extab", 10) == 0)
        return ".gnu_extab";
    return name;
}

static ro_sec *new_sec(ro *r, const char *name, uint32_t type)
{
    lk_link *l = r->l;
    ro_sec *o = lk_zalloc(&l->arena, sizeof *o);
    if (!o)
        return NULL;
    o->name = name;
    o->type = type;
    o->align = 1;
    return o;
}

/* The output section named name (not a group member), made if new. */
static ro_sec *by_name(ro *r, const char *name, uint32_t type, bool *made)
{
    lk_link *l = r->l;
    *made = false;
    if (2 * (r->ncontents + 1) > r->byname.cap) { /* rehash at half full */
        size_t cap = r->byname.cap ? 2 * r->byname.cap : 256;
        ro_sec **v = lk_zalloc(&l->arena, cap * sizeof *v);
        if (!v)
            return NULL;
        for (size_t i = 0; i < r->byname.cap; i++)
            if (r->byname.v[i]) {
                size_t h = lk_hash(r->byname.v[i]->name) & (cap - 1);
                while (v[h])
                    h = (h + 1) & (cap - 1);
                v[h] = r->byname.v[i];
            }
        r->byname.v = v;
        r->byname.cap = cap;
    }
    size_t h = lk_hash(name) & (r->byname.cap - 1);
    while (r->byname.v[h]) {
        if (strcmp(r->byname.v[h]->name, name) == 0)
            return r->byname.v[h];
        h = (h + 1) & (r->byname.cap - 1);
    }
    ro_sec *o = new_sec(r, name, type);
    if (o)
        r->byname.v[h] = o, *made = true;
    return o;
}

static int add_content(ro *r, ro_sec *o)
{
    if (!(r->contents = lk_grow(&r->l->arena, r->contents, r->ncontents, &r->capcontents, sizeof *r->contents, 64)))
        return nomem(r->l);
    r->contents[r->ncontents++] = o;
    return 0;
}

/* Input section i of f (header sh) into o, at its alignment. */
static int place(ro *r, ro_sec *o, lk_file *f, uint32_t i, const keel_shdr *sh)
{
    lk_link *l = r->l;
    ro_eh *eh = NULL;
    keel_shdr in = *sh;
    uint64_t in_size = sh->size;
    if (strcmp(o->name, ".eh_frame") == 0 && sh->type == SHT_PROGBITS) {
        int rc = ro_eh_edit(l, f, i, r->files[f->index].rela_of[i], &eh);
        if (rc)
            return rc;
        if (eh)
            in.size = eh->size;
    }
    sh = &in;
    uint64_t align = sh->addralign ? sh->addralign : 1;
    if (align & (align - 1))
        return lk_fail(l, KEEL_E_FORMAT, "%s: section %s (%u): alignment 0x%llx is not a power of two", f->name,
                       sec_name(f, sh), i, (unsigned long long)align);
    uint64_t at = align_up(o->size, align);
    if (at < o->size || sh->size > UINT64_MAX - at)
        return lk_fail(l, KEEL_E_RANGE, "%s: section %s (%u): the output section %s overflows", f->name,
                       sec_name(f, sh), i, o->name);
    if (!o->npieces) {
        o->type = sh->type;
        o->entsize = sh->entsize;
        o->flags = sh->flags;
    } else {
        if (o->type == SHT_NOBITS && sh->type != SHT_NOBITS)
            o->type = sh->type; /* bytes and zeros together: written as bytes */
        if (o->entsize != sh->entsize)
            o->mixed_entsize = true;
        /* as ld.bfd: SHF_MERGE and SHF_STRINGS only if every input has them */
        o->flags = (o->flags | sh->flags) & ~((SHF_MERGE | SHF_STRINGS) & ~(o->flags & sh->flags));
    }
    if (align > o->align)
        o->align = align;
    if (!(o->pieces = lk_grow(&l->arena, o->pieces, o->npieces, &o->cap, sizeof *o->pieces, 4)))
        return nomem(l);
    o->pieces[o->npieces++] = (ro_piece){f, i, at, sh->size, in_size, eh};
    o->size = at + sh->size;
    r->files[f->index].out[i] = o;
    r->files[f->index].pos[i] = at;
    f->out[i] = r->linked; /* only whether it is linked: what kept.c asks */
    return 0;
}

/* The sections of f that are written as its own (not tables the link
 * consumes, not a dropped COMDAT copy, not a property note). */
static int place_file(ro *r, lk_file *f)
{
    lk_link *l = r->l;
    ro_file *rf = &r->files[f->index];
    uint32_t n = f->elf.shnum, strings = 0;
    keel_shdr st;
    if (f->has_symtab && keel_elf_shdr(&f->elf, f->symtab.section, &st, NULL) == 0)
        strings = st.link; /* the symbol table's strings: the output makes its own */
    if (!(rf->out = lk_zalloc(&l->arena, (n + 1) * sizeof *rf->out)) ||
        !(rf->pos = lk_zalloc(&l->arena, (n + 1) * sizeof *rf->pos)) ||
        !(rf->rela_of = lk_zalloc(&l->arena, (n + 1) * sizeof *rf->rela_of)) ||
        !(rf->sym = lk_zalloc(&l->arena, (f->symtab.count + 1) * sizeof *rf->sym)) ||
        !(f->out = lk_zalloc(&l->arena, (n + 1) * sizeof *f->out)))
        return nomem(l);
    for (uint32_t i = 1; i < n; i++) { /* first which relocations go with which section */
        keel_shdr sh;
        if (keel_elf_shdr(&f->elf, i, &sh, NULL))
            return lk_fail(l, KEEL_E_FORMAT, "%s: section %u: bad header", f->name, i);
        if (sh.type == SHT_RELA && !f->dropped[i] && sh.info < n && sh.size)
            rf->rela_of[sh.info] = i;
    }
    for (uint32_t i = 1; i < n; i++) {
        keel_shdr sh;
        if (keel_elf_shdr(&f->elf, i, &sh, NULL))
            return lk_fail(l, KEEL_E_FORMAT, "%s: section %u: bad header", f->name, i);
        const char *name = sec_name(f, &sh);
        if (f->dropped[i] || sh.type == SHT_NULL || sh.type == SHT_SYMTAB || sh.type == SHT_SYMTAB_SHNDX ||
            (sh.type == SHT_STRTAB && (i == f->elf.shstrndx || (strings && i == strings))))
            continue;
        if (sh.type == SHT_RELA) /* goes with its target (checked by object.c) */
            continue;
        if (sh.type == SHT_REL || sh.type == SHT_DYNSYM || sh.type == SHT_DYNAMIC || sh.type == SHT_HASH ||
            sh.type == 0x6ffffff6 /* SHT_GNU_HASH */)
            return lk_fail(l, KEEL_E_UNSUPPORTED, "%s: section %s (%u) of type 0x%x: -r cannot carry it", f->name, name,
                           i, sh.type);
        if (sh.flags & SHF_COMPRESSED)
            return lk_fail(l, KEEL_E_UNSUPPORTED,
                           "%s: section %s (%u) is compressed: -r does not yet combine compressed sections", f->name,
                           name, i);
        if (sh.type == SHT_GROUP) {
            ro_sec *g = new_sec(r, ".group", SHT_GROUP);
            if (!g)
                return nomem(l);
            g->gfile = f, g->gshndx = i, g->entsize = 4, g->align = 4, g->size = sh.size;
            if (!(r->groups = lk_grow(&l->arena, r->groups, r->ngroups, &r->capgroups, sizeof *r->groups, 16)))
                return nomem(l);
            r->groups[r->ngroups++] = g;
            rf->out[i] = g; /* gas defines a signature with no other home in the group section itself */
            continue;
        }
        if (lk_is_property_note(name, &sh))
            continue; /* merged (note.c) */
        if (l->opt->strip_debug && lk_debug_section(name))
            continue; /* -S: with their relocations and the symbols in them */
        ro_sec *o;
        if (sh.flags & SHF_GROUP) { /* a group member: its own output section */
            if (!(o = new_sec(r, name, sh.type)) || add_content(r, o))
                return nomem(l);
        } else {
            bool made;
            if (!(o = by_name(r, output_name(name), sh.type, &made)) || (made && add_content(r, o)))
                return nomem(l);
        }
        int rc = place(r, o, f, i, &sh);
        if (rc)
            return rc;
    }
    return 0;
}

/* -d (-dc, -dp): the commons allocated at the end of .bss (.tbss for
 * TLS ones), in definition order, as ld.bfd -r -d does. */
static int define_commons(ro *r)
{
    lk_link *l = r->l;
    lk_sym **sorted;
    size_t n;
    int rc = lk_sorted_symbols(l, &sorted, &n);
    for (size_t i = 0; !rc && i < n; i++) {
        lk_sym *s = sorted[i];
        if (s->state != LK_COMMON)
            continue;
        bool tls = s->type == STT_TLS, made;
        ro_sec **slot = tls ? &r->tcommon : &r->common;
        if (!*slot) {
            if (!(*slot = by_name(r, tls ? ".tbss" : ".bss", SHT_NOBITS, &made)) || (made && add_content(r, *slot)))
                return nomem(l);
            if (made)
                (*slot)->flags = SHF_ALLOC | SHF_WRITE | (tls ? SHF_TLS : 0);
        }
        ro_sec *o = *slot;
        uint64_t at = align_up(o->size, s->align);
        if ((s->align & (s->align - 1)) || s->align > ((uint64_t)1 << 32) || at < o->size || s->size > UINT64_MAX - at)
            return lk_fail(l, KEEL_E_FORMAT, "%s: common symbol '%s': alignment %llu or size %llu is absurd",
                           s->def ? s->def->name : "?", s->name, (unsigned long long)s->align,
                           (unsigned long long)s->size);
        s->common_offset = at;
        o->size = at + s->size;
        if (s->align > o->align)
            o->align = s->align;
    }
    return rc;
}

/* .note.gnu.property, the inputs' merged, if they have any. */
static int property_note(ro *r)
{
    lk_link *l = r->l;
    size_t size;
    int rc = lk_merge_properties(l, &size);
    if (rc || !size)
        return rc;
    lk_osec *fake = lk_zalloc(&l->arena, sizeof *fake); /* lk_fill_properties writes at its offset, 0 */
    uint8_t *buf = lk_zalloc(&l->arena, size);
    ro_sec *o = new_sec(r, ".note.gnu.property", SHT_NOTE);
    if (!fake || !buf || !o)
        return nomem(l);
    l->property = fake;
    lk_fill_properties(l, buf);
    l->property = NULL;
    o->flags = SHF_ALLOC, o->align = 8, o->size = size, o->note = buf;
    /* first, as the executable's: ld.bfd puts it with the notes at the front */
    if (add_content(r, o))
        return 1;
    memmove(r->contents + 1, r->contents, (r->ncontents - 1) * sizeof *r->contents);
    r->contents[0] = o;
    return 0;
}

static int add_sym(ro *r, uint32_t name, uint8_t info, uint8_t other, uint16_t shndx, uint64_t value, uint64_t size,
                   uint32_t *index)
{
    if (r->nsyms == r->capsyms) {
        size_t cap = r->capsyms ? 2 * r->capsyms : 256;
        uint8_t *v = realloc(r->syms, cap * 24);
        if (!v)
            return nomem(r->l);
        r->syms = v;
        r->capsyms = cap;
    }
    if (r->nsyms >= UINT32_MAX)
        return lk_fail(r->l, KEEL_E_RANGE, "-r: too many symbols");
    uint8_t *p = r->syms + r->nsyms * 24;
    put32(p, name);
    p[4] = info;
    p[5] = other;
    put16(p + 6, shndx);
    put64(p + 8, value);
    put64(p + 16, size);
    *index = (uint32_t)r->nsyms++;
    return 0;
}

/* A symbol's section in the output: its index there and the place of its
 * input section, or false if it went nowhere (a dropped copy). */
static bool out_section(ro *r, lk_file *f, const keel_sym *s, uint16_t *shndx, uint64_t *pos)
{
    if (s->raw_shndx == SHN_ABS || s->raw_shndx == SHN_COMMON || s->shndx == SHN_UNDEF) {
        *shndx = s->shndx == SHN_UNDEF ? 0 : s->raw_shndx;
        *pos = 0;
        return true;
    }
    ro_file *rf = &r->files[f->index];
    if (s->shndx >= f->elf.shnum || !rf->out[s->shndx])
        return false;
    *shndx = (uint16_t)rf->out[s->shndx]->index;
    *pos = rf->pos[s->shndx];
    return true;
}

/* The most constraining of two visibilities (internal, hidden, protected, default). */
static uint8_t merge_vis(uint8_t a, uint8_t b)
{
    static const uint8_t rank[4] = {0, 3, 2, 1};
    return rank[a & 3] >= rank[b & 3] ? a & 3 : b & 3;
}

/* The local symbols relocations use (-x, -X): a used one in a SHF_MERGE
 * section stays, since section plus offset would not follow its string
 * when the final link merges them. */
static int mark_used(ro *r, lk_file *f)
{
    ro_file *rf = &r->files[f->index];
    if (!(rf->used = lk_zalloc(&r->l->arena, f->symtab.count + 1)))
        return nomem(r->l);
    for (uint32_t i = 1; i < f->elf.shnum; i++) {
        uint32_t rs = rf->rela_of[i];
        keel_relocs rel;
        if (!rs || !rf->out[i] || keel_elf_relocs(&f->elf, rs, &rel, NULL))
            continue;
        for (uint64_t k = 0; k < rel.count; k++) {
            keel_rel x;
            keel_relocs_get(&rel, k, &x);
            if (x.sym < f->symtab.count)
                rf->used[x.sym] = 1;
        }
    }
    return 0;
}

/* Whether local symbol i of f is written: all of them by default (ld.bfd
 * -r drops no temporary label), as -x and -X say otherwise (strip.c),
 * those relocations in mergeable sections use kept (ld.bfd's); a
 * relocation against one left out names its section's symbol. */
static bool keep_local(ro *r, lk_file *f, uint32_t i, const keel_sym *s, const char *name)
{
    lk_link *l = r->l;
    if (l->opt->discard != KEEL_DISCARD_ALL && l->opt->discard != KEEL_DISCARD_LOCALS)
        return true;
    if (lk_keep_local(l, f, s, name))
        return true;
    keel_shdr sh;
    return r->files[f->index].used[i] && s->shndx < f->elf.shnum && KEEL_ST_TYPE(s->info) != STT_FILE &&
           !keel_elf_shdr(&f->elf, s->shndx, &sh, NULL) && (sh.flags & SHF_MERGE);
}

static int symbols(ro *r)
{
    lk_link *l = r->l;
    uint32_t idx;
    int rc = add_sym(r, 0, 0, 0, 0, 0, 0, &idx);
    for (size_t i = 0; !rc && i < r->nsecs; i++)
        if (r->secs[i]->type != SHT_RELA) /* ld.bfd's: the groups' too */
            rc = add_sym(r, 0, STT_SECTION, 0, (uint16_t)r->secs[i]->index, 0, 0, &r->secs[i]->symindex);
    /* each input's locals, in input order */
    for (size_t fi = 0; !rc && fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        if (l->opt->discard == KEEL_DISCARD_ALL || l->opt->discard == KEEL_DISCARD_LOCALS)
            if ((rc = mark_used(r, f)))
                return rc;
        bool have_file = false;
        for (uint32_t i = 1; f->has_symtab && i < f->symtab.first_global; i++) {
            keel_sym s;
            const char *name;
            uint16_t shndx;
            uint64_t pos;
            if (keel_symtab_get(&f->symtab, i, &s, NULL) || keel_symtab_name(&f->symtab, &s, &name, NULL))
                return lk_fail(l, KEEL_E_FORMAT, "%s: symbol %u: bad entry", f->name, i);
            if (KEEL_ST_TYPE(s.info) == STT_FILE)
                have_file = true;
            if (KEEL_ST_TYPE(s.info) == STT_SECTION || !out_section(r, f, &s, &shndx, &pos) ||
                !keep_local(r, f, i, &s, name))
                continue;
            if (!have_file) { /* ld.bfd's: the locals of an object with no FILE symbol get one, its name */
                have_file = true;
                uint32_t fidx;
                if ((rc = add_sym(r, lk_str_add(&r->str, f->member ? f->member : f->path), STT_FILE, 0, SHN_ABS, 0, 0,
                                  &fidx)))
                    return rc;
            }
            uint32_t nm = *name ? lk_str_add(&r->str, name) : 0;
            if ((rc = add_sym(r, nm, s.info, s.other, shndx, s.value + pos, s.size, &r->files[fi].sym[i])))
                return rc;
        }
    }
    r->nlocals = r->nsyms;
    /* every global once, where first named; its definition's value */
    for (size_t fi = 0; !rc && fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        for (uint64_t i = f->has_symtab ? f->symtab.first_global : 0; i < f->symtab.count; i++) {
            keel_sym s, d;
            const char *name;
            if (keel_symtab_get(&f->symtab, i, &s, NULL) || keel_symtab_name(&f->symtab, &s, &name, NULL))
                return lk_fail(l, KEEL_E_FORMAT, "%s: symbol %llu: bad entry", f->name, (unsigned long long)i);
            lk_sym *g = *name ? lk_file_sym(l, f, i, name) : NULL;
            if (!g) {
                if (*name) /* defined only in a dropped copy, and nowhere else */
                    return lk_fail(l, KEEL_E_INDEX, "%s: symbol '%s' is defined only in a discarded section", f->name,
                                   name);
                continue;
            }
            if (g->out_index) { /* named before: its visibility joins */
                uint8_t *p = r->syms + (size_t)g->out_index * 24;
                p[5] = (uint8_t)((p[5] & ~3) | merge_vis(p[5], s.other));
                r->files[fi].sym[i] = g->out_index;
                continue;
            }
            uint16_t shndx = 0;
            uint64_t value = 0, size = s.size, pos = 0;
            uint8_t bind = g->state == LK_UNDEF_WEAK || g->state == LK_WEAK ? STB_WEAK : STB_GLOBAL;
            uint8_t type = KEEL_ST_TYPE(s.info), other = s.other;
            if (g->state == LK_COMMON && l->opt->define_common) { /* -d: allocated */
                ro_sec *o = g->type == STT_TLS ? r->tcommon : r->common;
                shndx = (uint16_t)o->index, value = g->common_offset, size = g->size, type = g->type;
            } else if (g->state == LK_COMMON) {
                shndx = SHN_COMMON, value = g->align, size = g->size, type = g->type;
            } else if (g->state == LK_DEFINED || g->state == LK_WEAK) {
                if (keel_symtab_get(&g->def->symtab, g->def_index, &d, NULL) ||
                    !out_section(r, g->def, &d, &shndx, &pos))
                    return lk_fail(l, KEEL_E_INDEX, "%s: symbol '%s': its section is not in the output", g->def->name,
                                   name);
                value = d.value + pos, size = d.size, type = KEEL_ST_TYPE(d.info);
                other = (uint8_t)((d.other & ~3) | merge_vis(d.other, s.other));
                if (KEEL_ST_BIND(d.info) == STB_GNU_UNIQUE)
                    bind = STB_GNU_UNIQUE;
            }
            uint32_t nm = lk_str_add(&r->str, name);
            if ((rc = add_sym(r, nm, (uint8_t)(bind << 4 | type), other, shndx, value, size, &g->out_index)))
                return rc;
            r->files[fi].sym[i] = g->out_index;
        }
    }
    /* -u names no input mentions: undefined, as ld.bfd writes them */
    for (size_t i = 0; !rc && i < l->opt->nundefined; i++) {
        const char *name = l->opt->undefined[i];
        lk_sym *g = lk_sym_find(&l->syms, name, lk_hash(name));
        if (g && !g->out_index && g->state == LK_UNDEF)
            rc = add_sym(r, lk_str_add(&r->str, name), STB_GLOBAL << 4, 0, 0, 0, 0, &g->out_index);
    }
    if (!rc && r->str.failed)
        rc = nomem(l);
    return rc;
}

/* A debugging section's reference into a dropped COMDAT copy: to the
 * kept copy's twin (the member of the same name and size, kept.c), as
 * ld.bfd's _bfd_elf_check_kept_section sends it; false if there is none. */
static bool to_kept(ro *r, lk_file *f, const keel_sym *s, keel_rel *rel)
{
    lk_file *kf;
    uint32_t ks;
    if (s->shndx >= f->elf.shnum || !f->dropped[s->shndx] || !lk_kept_section(f, s->shndx, &kf, &ks))
        return false;
    ro_file *kr = &r->files[kf->index];
    if (!kr->out[ks])
        return false;
    rel->addend += (int64_t)(kr->pos[ks] + (KEEL_ST_TYPE(s->info) == STT_SECTION ? 0 : s->value));
    rel->sym = kr->out[ks]->symindex;
    return true;
}

/* One relocation, renumbered for the output: false if its symbol went
 * nowhere (a dropped COMDAT copy's), for R_X86_64_NONE.  debug: it
 * relocates a section that is not loaded, whose references to a dropped
 * copy go to the kept one. */
static bool map_reloc(ro *r, lk_file *f, keel_rel *rel, bool debug)
{
    if (rel->sym == 0)
        return true;
    ro_file *rf = &r->files[f->index];
    keel_sym s;
    bool local = rel->sym < f->symtab.first_global && keel_symtab_get(&f->symtab, rel->sym, &s, NULL) == 0;
    if (local && KEEL_ST_TYPE(s.info) == STT_SECTION) {
        if (s.shndx >= f->elf.shnum || !rf->out[s.shndx])
            return debug && to_kept(r, f, &s, rel);
        rel->addend += (int64_t)rf->pos[s.shndx];
        rel->sym = rf->out[s.shndx]->symindex;
        return true;
    }
    if (local && !rf->sym[rel->sym] && s.shndx < f->elf.shnum && rf->out[s.shndx] && s.raw_shndx < SHN_LORESERVE) {
        /* a local -x or -X left out: its section's symbol, its value in the addend */
        rel->addend += (int64_t)(rf->pos[s.shndx] + s.value);
        rel->sym = rf->out[s.shndx]->symindex;
        return true;
    }
    if (rel->sym >= f->symtab.count || !rf->sym[rel->sym])
        return local && debug && to_kept(r, f, &s, rel);
    rel->sym = rf->sym[rel->sym];
    return true;
}

static int count_relocs(ro *r)
{
    lk_link *l = r->l;
    for (size_t k = 0; k < r->ncontents; k++) {
        ro_sec *o = r->contents[k];
        for (size_t p = 0; p < o->npieces; p++) {
            lk_file *f = o->pieces[p].file;
            uint32_t rs = r->files[f->index].rela_of[o->pieces[p].shndx];
            keel_relocs rel;
            if (!rs)
                continue;
            if (keel_elf_relocs(&f->elf, rs, &rel, NULL))
                return lk_fail(l, KEEL_E_FORMAT, "%s: relocation section %u: bad", f->name, rs);
            if (o->type == SHT_NOBITS && rel.count)
                return lk_fail(l, KEEL_E_FORMAT, "%s: relocations for a section with no bytes (%s)", f->name, o->name);
            for (uint64_t i = 0; i < rel.count; i++) {
                keel_rel x;
                uint64_t at;
                keel_relocs_get(&rel, i, &x);
                /* a place past the section's end would land in another input's bytes */
                if (x.offset >= o->pieces[p].insize)
                    return lk_fail(l, KEEL_E_RANGE, "%s: relocation %llu in section %u: offset 0x%llx is out of range",
                                   f->name, (unsigned long long)i, rs, (unsigned long long)x.offset);
                /* an edited .eh_frame: those of the FDEs kept */
                o->nrel += !o->pieces[p].eh || ro_eh_offset(o->pieces[p].eh, x.offset, &at);
            }
        }
    }
    return 0;
}

/* The section headers' order: groups, then each section followed by its
 * relocations, then .symtab, .strtab, .shstrtab (ld.bfd's). */
static int number_sections(ro *r)
{
    lk_link *l = r->l;
    size_t n = r->ngroups + r->ncontents;
    for (size_t k = 0; k < r->ncontents; k++)
        n += r->contents[k]->nrel != 0;
    if (n + 4 >= SHN_LORESERVE)
        return lk_fail(l, KEEL_E_UNSUPPORTED,
                       "-r: %zu output sections: more than keel writes without extended numbering", n);
    if (!(r->secs = lk_zalloc(&l->arena, (n + 1) * sizeof *r->secs)))
        return nomem(l);
    uint32_t index = 1;
    for (size_t k = 0; k < r->ngroups; k++)
        r->groups[k]->index = index++, r->secs[r->nsecs++] = r->groups[k];
    for (size_t k = 0; k < r->ncontents; k++) {
        ro_sec *o = r->contents[k];
        o->index = index++;
        r->secs[r->nsecs++] = o;
        if (o->nrel)
            o->rela = index++;
    }
    return 0;
}

/* A group's words: its flag, then its members as output sections; its
 * signature symbol renumbered. */
static int write_group(ro *r, ro_sec *g, uint8_t *out)
{
    lk_file *f = g->gfile;
    ro_file *rf = &r->files[f->index];
    keel_group grp;
    keel_shdr sh;
    if (keel_elf_group(&f->elf, g->gshndx, &grp, NULL) || keel_elf_shdr(&f->elf, g->gshndx, &sh, NULL))
        return lk_fail(r->l, KEEL_E_FORMAT, "%s: group section %u: bad", f->name, g->gshndx);
    put32(out, grp.flags);
    for (uint32_t i = 0; i < grp.count; i++) {
        uint32_t m = keel_group_member(&grp, i), to = 0;
        keel_shdr ms;
        if (m < f->elf.shnum && rf->out[m])
            to = rf->out[m]->index;
        else if (m < f->elf.shnum && !keel_elf_shdr(&f->elf, m, &ms, NULL) && ms.type == SHT_RELA &&
                 ms.info < f->elf.shnum && rf->out[ms.info])
            to = rf->out[ms.info]->rela;
        if (!to)
            return lk_fail(r->l, KEEL_E_FORMAT, "%s: group section %u: member %u is not in the output", f->name,
                           g->gshndx, m);
        put32(out + 4 + 4 * (uint64_t)i, to);
    }
    if (sh.info >= f->symtab.count || !rf->sym[sh.info]) {
        /* a signature that is a section symbol: the member's */
        keel_sym s;
        if (keel_symtab_get(&f->symtab, sh.info, &s, NULL) || KEEL_ST_TYPE(s.info) != STT_SECTION ||
            s.shndx >= f->elf.shnum || !rf->out[s.shndx])
            return lk_fail(r->l, KEEL_E_FORMAT, "%s: group section %u: its signature symbol %u is not in the output",
                           f->name, g->gshndx, sh.info);
        g->info = rf->out[s.shndx]->symindex;
    } else {
        g->info = rf->sym[sh.info];
    }
    g->size = 4 + 4 * (uint64_t)grp.count;
    return 0;
}

typedef struct rel_key {
    uint64_t offset, seq;
} rel_key;

static int by_offset(const void *a, const void *b)
{
    const rel_key *x = a, *y = b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* An output section's relocations in order of r_offset, equal ones as
 * they came, as ld.bfd -r sorts them (elf_link_adjust_relocs); most are
 * in order already, and then nothing moves. */
static int sort_relocs(lk_link *l, uint8_t *p, uint64_t n)
{
    uint64_t k = 1, prev = 0, cur = 0;
    if (n)
        memcpy(&prev, p, 8);
    for (; k < n; k++, prev = cur) {
        memcpy(&cur, p + 24 * k, 8);
        if (cur < prev)
            break;
    }
    if (k >= n)
        return 0;
    rel_key *keys = malloc(n * sizeof *keys);
    uint8_t *copy = malloc(n * 24);
    if (!keys || !copy) {
        free(keys);
        free(copy);
        return nomem(l);
    }
    memcpy(copy, p, n * 24);
    for (uint64_t i = 0; i < n; i++) {
        memcpy(&keys[i].offset, copy + 24 * i, 8);
        keys[i].seq = i;
    }
    qsort(keys, n, sizeof *keys, by_offset);
    for (uint64_t i = 0; i < n; i++)
        memcpy(p + 24 * i, copy + 24 * keys[i].seq, 24);
    free(keys);
    free(copy);
    return 0;
}

static int write_relocs(ro *r, ro_sec *o, uint8_t *out)
{
    uint8_t *p = out + o->relaoff;
    for (size_t k = 0; k < o->npieces; k++) {
        lk_file *f = o->pieces[k].file;
        uint32_t rs = r->files[f->index].rela_of[o->pieces[k].shndx];
        keel_relocs rel;
        if (!rs || keel_elf_relocs(&f->elf, rs, &rel, NULL))
            continue;
        for (uint64_t i = 0; i < rel.count; i++) {
            keel_rel x;
            keel_relocs_get(&rel, i, &x);
            uint64_t at = x.offset;
            if (o->pieces[k].eh && !ro_eh_offset(o->pieces[k].eh, x.offset, &at))
                continue; /* its FDE went */
            x.offset = at + o->pieces[k].offset;
            if (!map_reloc(r, f, &x, !(o->flags & SHF_ALLOC)))
                x.sym = 0, x.type = 0, x.addend = 0;
            put64(p, x.offset);
            put64(p + 8, (uint64_t)x.sym << 32 | x.type);
            put64(p + 16, (uint64_t)x.addend);
            p += 24;
        }
    }
    return sort_relocs(r->l, out + o->relaoff, o->nrel);
}

static void put_shdr(uint8_t *p, uint32_t name, uint32_t type, uint64_t flags, uint64_t offset, uint64_t size,
                     uint32_t link, uint32_t info, uint64_t align, uint64_t entsize)
{
    put32(p, name);
    put32(p + 4, type);
    put64(p + 8, flags);
    put64(p + 16, 0);
    put64(p + 24, offset);
    put64(p + 32, size);
    put32(p + 40, link);
    put32(p + 44, info);
    put64(p + 48, align);
    put64(p + 56, entsize);
}

static int write_file(ro *r)
{
    lk_link *l = r->l;
    uint32_t nsec = (uint32_t)(r->nsecs + 1);
    for (size_t k = 0; k < r->ncontents; k++)
        nsec += r->contents[k]->nrel != 0;
    uint32_t symtab = nsec, strtab = nsec + 1, shstrtab = nsec + 2;
    int rc;
    const ka_arch *arch = l->arch ? l->arch : ka_arch_default();
    if (arch->elfclass != 2 || arch->byteorder != 1) /* the tables below are written as ELF64 LSB */
        return lk_fail(l, KEEL_E_UNSUPPORTED, "-r: %s objects are not written yet", arch->name);
    nsec += 3;
    lk_str_add(&r->shstr, "");
    uint32_t n_symtab = lk_str_add(&r->shstr, ".symtab"), n_strtab = lk_str_add(&r->shstr, ".strtab"),
             n_shstrtab = lk_str_add(&r->shstr, ".shstrtab");
    /* the file: header, groups and contents in order, relocations, tables */
    uint64_t off = 64;
    for (size_t i = 0; i < r->nsecs; i++) {
        ro_sec *o = r->secs[i];
        o->name_off = lk_str_add(&r->shstr, o->name);
        off = align_up(off, o->align);
        o->offset = off;
        if (o->type == SHT_GROUP) {
            keel_group grp;
            if (keel_elf_group(&o->gfile->elf, o->gshndx, &grp, NULL))
                return lk_fail(l, KEEL_E_FORMAT, "%s: group section %u: bad", o->gfile->name, o->gshndx);
            o->size = 4 + 4 * (uint64_t)grp.count;
        }
        if (o->type != SHT_NOBITS)
            off += o->size;
        if (o->nrel) {
            size_t n = strlen(o->name) + 6;
            if (!(o->rela_name = lk_alloc(&l->arena, n)))
                return nomem(l);
            memcpy(o->rela_name, ".rela", 5);
            memcpy(o->rela_name + 5, o->name, n - 5);
            o->rela_name_off = lk_str_add(&r->shstr, o->rela_name);
        }
    }
    /* the section names shared as ld.bfd's (".text.foo" the tail of ".rela.text.foo") */
    uint8_t *names = calloc(2 * r->nsecs + 3, 24);
    if (!names)
        return nomem(l);
    for (size_t i = 0; i < r->nsecs; i++) {
        put32(names + 48 * i, r->secs[i]->name_off);
        put32(names + 48 * i + 24, r->secs[i]->rela_name_off);
    }
    put32(names + 48 * r->nsecs, n_symtab);
    put32(names + 48 * r->nsecs + 24, n_strtab);
    put32(names + 48 * r->nsecs + 48, n_shstrtab);
    rc = r->shstr.failed ? nomem(l) : lk_strtab_share(l, &r->shstr.v, &r->shstr.n, names, 2 * r->nsecs + 3);
    for (size_t i = 0; !rc && i < r->nsecs; i++) {
        memcpy(&r->secs[i]->name_off, names + 48 * i, 4);
        memcpy(&r->secs[i]->rela_name_off, names + 48 * i + 24, 4);
    }
    memcpy(&n_symtab, names + 48 * r->nsecs, 4);
    memcpy(&n_strtab, names + 48 * r->nsecs + 24, 4);
    memcpy(&n_shstrtab, names + 48 * r->nsecs + 48, 4);
    free(names);
    if (rc)
        return rc;
    for (size_t i = 0; i < r->nsecs; i++)
        if (r->secs[i]->nrel) {
            off = align_up(off, 8);
            r->secs[i]->relaoff = off;
            off += r->secs[i]->nrel * 24;
        }
    off = align_up(off, 8);
    uint64_t symoff = off;
    off += r->nsyms * 24;
    uint64_t stroff = off;
    off += r->str.n;
    uint64_t shstroff = off;
    off += r->shstr.n;
    off = align_up(off, 8);
    uint64_t shoff = off;
    off += (uint64_t)nsec * 64;
    if (r->shstr.failed)
        return nomem(l);
    const char *path = l->opt->output ? l->opt->output : "a.out";
    lk_outfile *of = &l->img->out;
    rc = lk_out_open(l, of, path, off);
    if (rc)
        return rc;
    l->img->out_open = true;
    uint8_t *buf = of->buf;
    memset(buf, 0, off);
    /* the ELF header */
    memcpy(buf, "\177ELF", 4);
    buf[4] = arch->elfclass, buf[5] = arch->byteorder, buf[6] = 1;
    for (size_t fi = 0; fi < l->nfiles; fi++) /* GNU's ABI if an input is (IFUNC, unique symbols) */
        if (l->files[fi]->elf.osabi == 3)
            buf[7] = 3;
    put16(buf + 16, 1 /* ET_REL */);
    put16(buf + 18, arch->machine);
    put32(buf + 20, 1);
    put64(buf + 40, shoff);
    put16(buf + 52, 64);
    put16(buf + 58, 64);
    put16(buf + 60, (uint16_t)nsec);
    put16(buf + 62, (uint16_t)shstrtab);
    uint8_t *sh = buf + shoff + 64;
    for (size_t i = 0; i < r->nsecs; i++) {
        ro_sec *o = r->secs[i];
        if (o->type == SHT_GROUP) {
            if ((rc = write_group(r, o, buf + o->offset)))
                return rc;
            put_shdr(sh, o->name_off, SHT_GROUP, 0, o->offset, o->size, symtab, o->info, 4, 4);
            sh += 64;
            continue;
        }
        if (o->note)
            memcpy(buf + o->offset, o->note, o->size);
        for (size_t k = 0; o->type != SHT_NOBITS && k < o->npieces; k++) {
            const ro_piece *p = &o->pieces[k];
            keel_shdr ish;
            if (p->eh) {
                ro_eh_fill(p->eh, buf + o->offset + p->offset);
                continue;
            }
            const uint8_t *data;
            uint64_t size;
            if (keel_elf_shdr(&p->file->elf, p->shndx, &ish, NULL) ||
                keel_elf_section_data(&p->file->elf, &ish, &data, &size, NULL))
                return lk_fail(l, KEEL_E_FORMAT, "%s: section %u: cannot read", p->file->name, p->shndx);
            if (data && size >= p->size)
                memcpy(buf + o->offset + p->offset, data, p->size);
        }
        put_shdr(sh, o->name_off, o->type, o->flags, o->offset, o->size, 0, 0, o->align,
                 o->mixed_entsize ? 0 : o->entsize);
        sh += 64;
        if (o->nrel) {
            if ((rc = write_relocs(r, o, buf)))
                return rc;
            put_shdr(sh, o->rela_name_off, SHT_RELA, SHF_INFO_LINK | (o->flags & SHF_GROUP), o->relaoff, o->nrel * 24,
                     symtab, o->index, 8, 24);
            sh += 64;
        }
    }
    memcpy(buf + symoff, r->syms, r->nsyms * 24);
    memcpy(buf + stroff, r->str.v, r->str.n);
    memcpy(buf + shstroff, r->shstr.v, r->shstr.n);
    put_shdr(sh, n_symtab, SHT_SYMTAB, 0, symoff, r->nsyms * 24, strtab, (uint32_t)r->nlocals, 8, 24);
    put_shdr(sh + 64, n_strtab, SHT_STRTAB, 0, stroff, r->str.n, 0, 0, 1, 0);
    put_shdr(sh + 128, n_shstrtab, SHT_STRTAB, 0, shstroff, r->shstr.n, 0, 0, 1, 0);
    return 0;
}

/* .note.GNU-stack, when some input has it: executable (SHF_EXECINSTR)
 * if another has none, with ld.bfd's warning for each such input, as
 * ld.bfd -r makes it; when no input has it, there is none. */
static void stack_note(ro *r)
{
    lk_link *l = r->l;
    ro_sec *note = NULL;
    for (size_t k = 0; k < r->ncontents && !note; k++)
        if (strcmp(r->contents[k]->name, ".note.GNU-stack") == 0)
            note = r->contents[k];
    for (size_t fi = 0; note && fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        bool has = false;
        for (uint32_t i = 1; i < f->elf.shnum && !has; i++) {
            keel_shdr sh;
            has = !keel_elf_shdr(&f->elf, i, &sh, NULL) && strcmp(sec_name(f, &sh), ".note.GNU-stack") == 0;
        }
        if (!has) {
            lk_diag(l, KEEL_DIAG_WARNING, "warning: %s: missing .note.GNU-stack section implies executable stack",
                    f->name);
            note->flags |= SHF_EXECINSTR;
        }
    }
}

int lk_write_relocatable(lk_link *l)
{
    ro r = {.l = l};
    int rc = 0;
    if (!(r.files = lk_zalloc(&l->arena, (l->nfiles + 1) * sizeof *r.files)) ||
        !(r.linked = lk_zalloc(&l->arena, sizeof *r.linked)))
        return nomem(l);
    for (size_t fi = 0; !rc && fi < l->nfiles; fi++)
        rc = place_file(&r, l->files[fi]);
    if (!rc)
        stack_note(&r);
    if (!rc && l->opt->define_common)
        rc = define_commons(&r);
    if (!rc)
        rc = property_note(&r);
    if (!rc)
        rc = count_relocs(&r);
    if (!rc)
        rc = number_sections(&r);
    if (!rc)
        lk_str_add(&r.str, "");
    if (!rc)
        rc = symbols(&r);
    if (!rc && !r.str.failed) /* each name once, or a longer one's tail, as ld.bfd's */
        rc = lk_strtab_share(l, &r.str.v, &r.str.n, r.syms, r.nsyms);
    if (!rc)
        rc = write_file(&r);
    free(r.syms);
    free(r.str.v);
    free(r.shstr.v);
    if (!rc && l->img->out_open) {
        bool through = l->img->out.through;
        l->img->out_open = false;
        rc = lk_out_close(l, &l->img->out, true);
        /* an object, not a program: no execute bits, as ld.bfd's -r output */
        mode_t mask = umask(0);
        umask(mask);
        if (!rc && !through)
            chmod(l->opt->output ? l->opt->output : "a.out", 0666 & ~mask);
    }
    return rc;
}

/* The options -r does not do yet are refused, never dropped: each would
 * change the object ld.bfd writes. */
int lk_relocatable_options(lk_link *l)
{
    const keel_link_options *o = l->opt;
    const char *what = NULL;
    if (o->gc_sections && !o->nundefined && !o->entry) /* ld.bfd's words */
        return lk_fail(l, KEEL_E_UNSUPPORTED, "--gc-sections requires a defined symbol root specified by -e or -u");
    if (o->gc_sections)
        what = "--gc-sections";
    else if (o->ndefsyms)
        what = "--defsym";
    else if (o->nwrap)
        what = "--wrap";
    else if (o->map_file)
        what = "-Map";
    else if (o->build_id != KEEL_BUILD_ID_NONE)
        what = "--build-id";
    else if (o->strip_all)
        what = "-s (--strip-all)";
    else if (o->emit_relocs)
        what = "-q (--emit-relocs)";
    else if (o->nsection_starts || o->has_text_segment)
        what = "a section or segment address (-Ttext, --section-start, -Ttext-segment)";
    else if (o->sort_section != KEEL_SORT_NONE)
        what = "--sort-section";
    else if (o->symbol_ordering_file)
        what = "--symbol-ordering-file";
    else if (o->address_map)
        what = "--address-map";
    if (what)
        return lk_fail(l, KEEL_E_UNSUPPORTED, "%s with -r (relocatable output) is not supported yet", what);
    return 0;
}
