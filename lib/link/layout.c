/* The layout, by the Solaris link-editor's segment model
 * (../shared/specs/mapfile-v2.md, section 4): predefined segments, and
 * entrance criteria tried in order that send each input section to one;
 * within a segment, input sections join output sections by name
 * (.text.foo into .text), and output sections are ordered by class.  A
 * mapfile will only edit these tables.
 *
 * Addresses: a non-PIE executable starts at 0x400000; the text segment
 * holds the ELF header and the program headers; each loadable segment
 * starts on a page of its own in memory and in the file. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum {
    SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_RELA = 4, SHT_NOTE = 7, SHT_NOBITS = 8, SHT_REL = 9,
    SHT_INIT_ARRAY = 14, SHT_FINI_ARRAY = 15, SHT_PREINIT_ARRAY = 16, SHT_GROUP = 17, SHT_SYMTAB_SHNDX = 18,
    SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4, SHF_TLS = 0x400,
    PT_LOAD = 1, PT_NOTE = 4, PF_X = 1, PF_W = 2, PF_R = 4,
};

#define BASE 0x400000u
/* Sizes and addresses from the inputs stay below this, so that no sum of
 * them overflows (and an x86-64 user address space holds the result). */
#define LIMIT ((uint64_t)1 << 46)
#define PAGE 0x1000u

/* The predefined segments (those a mapfile can name), in order. */
static const struct {
    const char *name;
    uint32_t type, flags;
    bool disabled;
} predefined[] = {
    [LK_SEG_TEXT] = {"text", PT_LOAD, PF_R | PF_X, false},
    [LK_SEG_DATA] = {"data", PT_LOAD, PF_R | PF_W, false},
    [LK_SEG_BSS] = {"bss", PT_LOAD, PF_R | PF_W, true},
    [LK_SEG_NOTE] = {"note", PT_NOTE, PF_R, false},
    [LK_SEG_EXTRA] = {"extra", 0, 0, false},
};

/* The built-in entrance criteria, last in the list a mapfile prepends to. */
static const lk_criterion builtin[] = {
    {.type = SHT_NOTE, .segment = LK_SEG_NOTE},
    {.set = SHF_ALLOC, .clear = SHF_WRITE, .segment = LK_SEG_TEXT},
    {.name = ".tdata", .set = SHF_ALLOC | SHF_WRITE, .segment = LK_SEG_BSS},
    {.type = SHT_NOBITS, .set = SHF_ALLOC | SHF_WRITE, .segment = LK_SEG_BSS},
    {.set = SHF_ALLOC | SHF_WRITE, .segment = LK_SEG_DATA},
    {.segment = LK_SEG_EXTRA},
};

/* .text.foo into .text, and the like: the output section's name. */
/* .ctors and .dtors (.ctors.N too) fold into the init and fini arrays, as
 * GNU ld's script folds them; 1 and 2, else 0. */
static int legacy_array(const char *name)
{
    if (strncmp(name, ".ctors", 6) == 0 && (name[6] == 0 || name[6] == '.'))
        return 1;
    if (strncmp(name, ".dtors", 6) == 0 && (name[6] == 0 || name[6] == '.'))
        return 2;
    return 0;
}

static const char *output_name(const char *in)
{
    int legacy = legacy_array(in);
    if (legacy)
        return legacy == 1 ? ".init_array" : ".fini_array";
    static const char *const groups[] = {".text", ".rodata", ".data.rel.ro", ".data", ".bss", ".tdata", ".tbss",
                                         ".init_array", ".fini_array", ".preinit_array", ".gcc_except_table"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        size_t n = strlen(groups[i]);
        if (strncmp(in, groups[i], n) == 0 && (in[n] == 0 || in[n] == '.'))
            return groups[i];
    }
    return in;
}

/* The class of an output section within its segment: the order they come
 * in (TLS and NOBITS last, as the model says, so that a segment's file
 * image ends before its zero-filled part). */
static int class_of(const lk_osec *o)
{
    static const char *const order[] = {".rela.iplt", ".init", ".iplt", ".text", ".fini", ".rodata", ".eh_frame_hdr",
                                        ".eh_frame",
                                        ".gcc_except_table", ".tdata", ".preinit_array", ".init_array",
                                        ".fini_array", ".data.rel.ro", ".got", ".igot.plt", ".data"};
    if (o->type == SHT_NOBITS && !(o->flags & SHF_TLS))
        return 101;
    if (o->note) /* notes first, after the headers, as GNU ld places them */
        return -1;
    for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
        if (strcmp(o->name, order[i]) == 0 || (o->type == SHT_NOBITS && strcmp(order[i], ".tdata") == 0))
            return 2 * i + (o->type == SHT_NOBITS); /* .tbss right after .tdata: one TLS block */
    return 99; /* unknown sections next-to-last */
}

static bool matches(const lk_criterion *c, const char *name, const keel_shdr *sh)
{
    return (!c->type || c->type == sh->type) && (sh->flags & c->set) == c->set && !(sh->flags & c->clear) &&
           (!c->name || strcmp(c->name, name) == 0);
}

static lk_osec *output_section(lk_link *l, int seg, const char *name, const keel_shdr *sh)
{
    lk_segment *s = &l->segs[seg];
    uint64_t kind = sh->flags & (SHF_WRITE | SHF_ALLOC | SHF_EXECINSTR | SHF_TLS);
    uint32_t type = sh->type == SHT_NOBITS ? SHT_NOBITS : sh->type;
    for (size_t i = 0; i < s->nsecs; i++)
        if (strcmp(s->secs[i]->name, name) == 0 && s->secs[i]->type == type && s->secs[i]->flags == kind)
            return s->secs[i];
    lk_osec *o = lk_zalloc(&l->arena, sizeof *o);
    if (!o)
        return NULL;
    o->name = name;
    o->type = type;
    o->flags = kind;
    o->align = 1;
    o->segment = seg;
    if (!(s->secs = lk_grow(&l->arena, s->secs, s->nsecs, &s->cap, sizeof *s->secs, 16)))
        return NULL;
    s->secs[s->nsecs++] = o;
    return o;
}

static int add_piece(lk_link *l, lk_osec *o, lk_file *f, uint32_t shndx, const keel_shdr *sh)
{
    if (!(o->pieces = lk_grow(&l->arena, o->pieces, o->npieces, &o->cap, sizeof *o->pieces, 16)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    uint64_t align = sh->addralign ? sh->addralign : 1;
    if ((align & (align - 1)) || align > ((uint64_t)1 << 32) || sh->size > LIMIT)
        return lk_fail(l, KEEL_E_FORMAT, "%s: section %u: alignment %llu is not a power of two up to 2^32, or its size is "
                                         "absurd", f->name, shndx, (unsigned long long)sh->addralign);
    /* .eh_frame is walked as one list of records up to a zero length: no
     * padding may fall between two inputs' records (they are 4-byte
     * multiples) */
    if (strcmp(o->name, ".eh_frame") == 0 && align > 4)
        align = 4;
    o->pieces[o->npieces++] = (lk_piece){f, shndx, sh->size, align, 0, (uint32_t)o->npieces, false};
    if (align > o->align)
        o->align = align;
    f->out[shndx] = o;
    return 0;
}

/* .init_array.N and .fini_array.N by priority, the plain ones after, in
 * input order otherwise (a stable sort on the piece's sequence). */
static uint32_t piece_priority(const lk_piece *p)
{
    keel_shdr sh;
    const char *name, *dot;
    if (keel_elf_shdr(&p->file->elf, p->shndx, &sh, NULL) || keel_elf_section_name(&p->file->elf, &sh, &name, NULL))
        return 65536;
    dot = strrchr(name, '.');
    if (!dot || dot[1] < '0' || dot[1] > '9')
        return 65536;
    uint32_t prio = (uint32_t)strtoul(dot + 1, NULL, 10);
    /* .ctors.N runs where .init_array.(65535-N) would */
    return legacy_array(name) && prio <= 65535 ? 65535 - prio : prio;
}

static int by_priority(const void *a, const void *b)
{
    const lk_piece *x = a, *y = b;
    uint32_t px = piece_priority(x), py = piece_priority(y);
    if (px != py)
        return px < py ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* .data.rel.ro: the .local inputs first, as GNU ld's script puts them
 * (the alignment gaps, and so the size, are then GNU ld's). */
static int local_rank(const lk_piece *p)
{
    keel_shdr sh;
    const char *name;
    return keel_elf_shdr(&p->file->elf, p->shndx, &sh, NULL) || keel_elf_section_name(&p->file->elf, &sh, &name, NULL) ||
           strncmp(name, ".data.rel.ro.local", 18) != 0;
}

static int by_local(const void *a, const void *b)
{
    const lk_piece *x = a, *y = b;
    int rx = local_rank(x), ry = local_rank(y);
    if (rx != ry)
        return rx - ry;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int by_class(const void *a, const void *b)
{
    const lk_osec *x = *(lk_osec *const *)a, *y = *(lk_osec *const *)b;
    int cx = class_of(x), cy = class_of(y);
    if (cx != cy)
        return cx < cy ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int lk_place_sections(lk_link *l)
{
    for (int i = 0; i < LK_NSEGS; i++) {
        l->segs[i].name = predefined[i].name;
        l->segs[i].type = predefined[i].type;
        l->segs[i].flags = predefined[i].flags;
        l->segs[i].disabled = predefined[i].disabled;
    }
    uint32_t seq = 0;
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        bool *unmergeable;
        int brc = lk_merge_blockers(l, f, &unmergeable);
        if (brc)
            return brc;
        if (!(f->out = lk_zalloc(&l->arena, (f->elf.shnum + 1) * sizeof *f->out)) ||
            !(f->pos = lk_zalloc(&l->arena, (f->elf.shnum + 1) * sizeof *f->pos)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh;
            const char *name;
            keel_error e;
            if (keel_elf_shdr(&f->elf, i, &sh, &e) || keel_elf_section_name(&f->elf, &sh, &name, &e))
                return lk_fail(l, e.code, "%s: section %u: %s", f->name, i, e.msg);
            if (f->dropped[i] || sh.type == SHT_SYMTAB || sh.type == SHT_STRTAB || sh.type == SHT_RELA ||
                sh.type == SHT_REL || sh.type == SHT_GROUP || sh.type == SHT_SYMTAB_SHNDX ||
                strcmp(name, ".note.GNU-stack") == 0 || strncmp(name, ".gnu.warning", 12) == 0 ||
                (sh.flags & 0x80000000u /* SHF_EXCLUDE */))
                continue;
            if (!(sh.flags & SHF_ALLOC) && strncmp(name, ".debug", 6) != 0 && strcmp(name, ".comment") != 0)
                continue; /* other unallocated sections: nothing a program or debugger reads */
            if (f->live && (sh.flags & SHF_ALLOC) && !f->live[i] && strcmp(name, ".eh_frame") != 0)
                continue; /* --gc-sections: not reachable */
            if (sh.flags & 0x800 /* SHF_COMPRESSED */)
                return lk_fail(l, KEEL_E_UNSUPPORTED, "%s: section %s is compressed (-gz): keel does not link "
                                                      "compressed sections yet; build without -gz", f->name, name);
            int seg = LK_SEG_EXTRA;
            for (size_t c = 0; c < sizeof builtin / sizeof builtin[0]; c++)
                if (!l->segs[builtin[c].segment].disabled && matches(&builtin[c], name, &sh)) {
                    seg = builtin[c].segment;
                    break;
                }
            /* A note with contents that a program reads is loaded too: it
             * goes in the text segment, and the note segment describes it. */
            keel_shdr as = sh;
            int legacy = legacy_array(name);
            if (legacy)
                as.type = legacy == 1 ? SHT_INIT_ARRAY : SHT_FINI_ARRAY;
            if (sh.type == 0x70000001 /* SHT_X86_64_UNWIND */ && strcmp(name, ".eh_frame") == 0)
                as.type = SHT_PROGBITS; /* gas's @unwind and gcc's @progbits: one .eh_frame, as GNU ld makes */
            lk_osec *o = output_section(l, seg == LK_SEG_NOTE ? LK_SEG_TEXT : seg,
                                        sh.type == SHT_NOTE ? name : output_name(name), &as);
            if (!o)
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            if (!o->seq)
                o->seq = ++seq;
            if (sh.type == SHT_NOTE)
                o->note = true;
            int rc = add_piece(l, o, f, i, &sh);
            if (rc)
                return rc;
            if (lk_mergeable(&sh) && !(unmergeable && unmergeable[i]) &&
                (rc = lk_merge_input(l, o, o->npieces - 1, f, i, &sh)) < 0)
                return rc;
            o->pieces[o->npieces - 1].reverse = legacy != 0;
        }
    }
    int erc = lk_eh_frame_edit(l); /* .eh_frame's records: dropped, merged, sized */
    if (erc)
        return erc;
    /* the synthetic sections: the static GOT, and the commons in .bss */
    size_t ngot = 0;
    lk_count_got(l, &ngot);
    if (ngot) {
        keel_shdr got = {.type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_WRITE, .size = ngot * 8, .addralign = 8};
        if (!(l->got = output_section(l, LK_SEG_DATA, ".got", &got)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        l->got->seq = ++seq;
        l->got->size = got.size;
        l->got->align = 8;
        l->ngot = ngot;
    }
    int rc = lk_collect_ifuncs(l);
    if (rc)
        return rc;
    if (l->nifuncs) {
        keel_shdr iplt = {.type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_EXECINSTR, .size = 16 * l->nifuncs,
                          .addralign = 16};
        keel_shdr igot = {.type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_WRITE, .size = 8 * l->nifuncs, .addralign = 8};
        keel_shdr rela = {.type = SHT_RELA, .flags = SHF_ALLOC, .size = 24 * l->nifuncs, .addralign = 8};
        if (!(l->iplt = output_section(l, LK_SEG_TEXT, ".iplt", &iplt)) ||
            !(l->igot = output_section(l, LK_SEG_DATA, ".igot.plt", &igot)) ||
            !(l->rela_iplt = output_section(l, LK_SEG_TEXT, ".rela.iplt", &rela)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        lk_osec *made[] = {l->iplt, l->igot, l->rela_iplt};
        const keel_shdr *from[] = {&iplt, &igot, &rela};
        for (int i = 0; i < 3; i++) {
            made[i]->seq = ++seq;
            made[i]->size = from[i]->size;
            made[i]->align = from[i]->addralign;
        }
    }
    for (size_t i = 0; l->opt->eh_frame_hdr && i < l->segs[LK_SEG_TEXT].nsecs; i++)
        if (strcmp(l->segs[LK_SEG_TEXT].secs[i]->name, ".eh_frame") == 0)
            l->eh_frame = l->segs[LK_SEG_TEXT].secs[i];
    if (l->eh_frame) {
        /* no table when an input did not parse: the header alone */
        keel_shdr hdr = {.type = SHT_PROGBITS, .flags = SHF_ALLOC,
                         .size = l->eh_no_table ? 8 : 12 + 8 * lk_eh_fdes(l->eh_frame), .addralign = 4};
        if (!(l->eh_frame_hdr = output_section(l, LK_SEG_TEXT, ".eh_frame_hdr", &hdr)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        l->eh_frame_hdr->seq = ++seq;
        l->eh_frame_hdr->size = hdr.size;
        l->eh_frame_hdr->align = 4;
    }
    size_t note = lk_build_id_note_size(l->opt);
    if (note) {
        keel_shdr bid = {.type = SHT_NOTE, .flags = SHF_ALLOC, .size = note, .addralign = 4};
        if (!(l->build_id = output_section(l, LK_SEG_TEXT, ".note.gnu.build-id", &bid)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        l->build_id->seq = ++seq;
        l->build_id->size = note;
        l->build_id->align = 4;
        l->build_id->note = true;
    }
    uint64_t common_size = 0, common_align = 1;
    lk_sym **sorted;
    size_t nsorted;
    int src = lk_sorted_symbols(l, &sorted, &nsorted);
    if (src)
        return src;
    for (size_t i = 0; i < nsorted; i++) {
        lk_sym *s = sorted[i];
        if (s->state != LK_COMMON)
            continue;
        if ((s->align & (s->align - 1)) || s->align > ((uint64_t)1 << 32) || s->size > LIMIT || common_size > LIMIT)
            return lk_fail(l, KEEL_E_FORMAT, "%s: common symbol '%s': alignment %llu or size %llu is absurd",
                           s->def ? s->def->name : "?", s->name, (unsigned long long)s->align,
                           (unsigned long long)s->size);
        common_size = align_up(common_size, s->align);
        s->common_offset = common_size;
        common_size += s->size;
        if (s->align > common_align)
            common_align = s->align;
    }
    if (common_size) {
        keel_shdr bss = {.type = SHT_NOBITS, .flags = SHF_ALLOC | SHF_WRITE, .size = common_size,
                         .addralign = common_align};
        int seg = l->segs[LK_SEG_BSS].disabled ? LK_SEG_DATA : LK_SEG_BSS;
        if (!(l->common = output_section(l, seg, "COMMON", &bss)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        l->common->name = ".bss.common";
        l->common->seq = ++seq;
        l->common->size = common_size;
        l->common->align = common_align;
    }
    for (int s = 0; s < LK_NSEGS; s++) {
        lk_segment *g = &l->segs[s];
        for (size_t i = 0; i < g->nsecs; i++) {
            int mrc = lk_merge_finish(l, g->secs[i]);
            if (mrc)
                return mrc;
        }
        if (!g->nsecs)
            continue; /* (qsort may not be given NULL) */
        qsort(g->secs, g->nsecs, sizeof *g->secs, by_class);
        for (size_t i = 0; i < g->nsecs; i++)
            if ((g->secs[i]->type == SHT_INIT_ARRAY || g->secs[i]->type == SHT_FINI_ARRAY ||
                 g->secs[i]->type == SHT_PREINIT_ARRAY) && g->secs[i]->npieces)
                qsort(g->secs[i]->pieces, g->secs[i]->npieces, sizeof *g->secs[i]->pieces, by_priority);
            else if (strcmp(g->secs[i]->name, ".data.rel.ro") == 0 && g->secs[i]->npieces && !g->secs[i]->pool)
                qsort(g->secs[i]->pieces, g->secs[i]->npieces, sizeof *g->secs[i]->pieces, by_local);
    }
    return 0;
}

/* Offsets of the pieces in their output section, and its size. */
static void size_section(lk_osec *o)
{
    if (!o->npieces)
        return; /* synthetic: sized when made */
    uint64_t at = 0;
    for (size_t i = 0; i < o->npieces; i++) {
        if (at > LIMIT || o->pieces[i].size > LIMIT) { /* kept absurd: the caller refuses it */
            o->size = LIMIT + 1;
            return;
        }
        at = align_up(at, o->pieces[i].align);
        o->pieces[i].offset = at;
        if (o->pieces[i].file) /* (a string pool has none) */
            o->pieces[i].file->pos[o->pieces[i].shndx] = at;
        at += o->pieces[i].size;
    }
    o->size = at;
}

int lk_assign_addresses(lk_link *l, uint64_t header_size)
{
    uint64_t addr = BASE, off = 0;
    for (int s = 0; s < LK_NSEGS; s++) {
        lk_segment *g = &l->segs[s];
        if (s == LK_SEG_EXTRA || s == LK_SEG_NOTE || !g->nsecs)
            continue;
        /* each loadable segment on fresh pages, file offset congruent */
        addr = align_up(addr, PAGE);
        off = align_up(off, PAGE);
        g->vaddr = addr;
        g->offset = off;
        g->align = PAGE;
        if (s == LK_SEG_TEXT) { /* the ELF header and program headers come first */
            addr += header_size;
            off += header_size;
        }
        /* the TLS block starts at its largest alignment: the C library
         * places it that way below the thread pointer */
        uint64_t tls_align = 1;
        for (size_t i = 0; i < g->nsecs; i++)
            if ((g->secs[i]->flags & SHF_TLS) && g->secs[i]->align > tls_align)
                tls_align = g->secs[i]->align;
        bool tls_started = false;
        for (size_t i = 0; i < g->nsecs; i++) {
            lk_osec *o = g->secs[i];
            size_section(o);
            uint64_t align = o->align;
            if ((o->flags & SHF_TLS) && !tls_started) {
                align = tls_align;
                tls_started = true;
            }
            if (o->type == SHT_NOBITS && (o->flags & SHF_TLS)) {
                /* .tbss takes no room in the segment (each thread gets it):
                 * it has an address, but what follows does not move */
                o->addr = align_up(addr, align);
                o->offset = off;
                continue;
            }
            if (o->size > LIMIT || addr > LIMIT || off > LIMIT)
                return lk_fail(l, KEEL_E_RANGE, "section %s: the executable would be larger than %llu bytes",
                               o->name, (unsigned long long)LIMIT);
            addr = align_up(addr, align);
            if (o->type != SHT_NOBITS) /* the file offset stays congruent with the address */
                off = align_up(off, align);
            o->addr = addr;
            o->offset = off;
            addr += o->size;
            if (o->type != SHT_NOBITS) {
                off += o->size;
                g->filesz = off - g->offset;
            }
            g->memsz = addr - g->vaddr;
        }
    }
    /* the unallocated sections after the segments, without addresses */
    lk_segment *x = &l->segs[LK_SEG_EXTRA];
    for (size_t i = 0; i < x->nsecs; i++) {
        lk_osec *o = x->secs[i];
        size_section(o);
        if (o->size > LIMIT || off > LIMIT)
            return lk_fail(l, KEEL_E_RANGE, "section %s: the executable would be larger than %llu bytes", o->name,
                           (unsigned long long)LIMIT);
        off = align_up(off, o->align);
        o->offset = off;
        off += o->type == SHT_NOBITS ? 0 : o->size;
    }
    l->file_end = off;
    l->image_end = addr;
    return 0;
}
