/* The layout, by the Solaris link-editor's segment model: the link's
 * segment list and its entrance criteria (segments.c), tried in order,
 * send each input section to a segment; within a segment, input sections
 * join output sections by name (.text.foo into .text), and output
 * sections are ordered by the segment's output-section order, then by
 * class; the segments are laid out in list order.  A mapfile will only
 * edit the list and the criteria.
 *
 * The default is GNU ld's -z separate-code: no byte that is not code is
 * mapped executable.  A read-only segment holds the ELF header, the
 * program headers, the notes and the IFUNCs' relocations; the text
 * segment (R X) starts on a page of its own; the read-only data follows
 * it on a page of its own; then the writable data.  -z noseparate-code
 * disables the two read-only segments, and their sections fall through to
 * the text segment (GNU ld's older layout, never W+X either).
 *
 * Addresses are GNU ld's: a non-PIE executable starts at 0x400000
 * (-Ttext-segment); the segments after the first start at the next
 * maximum page; the data segment is placed so that its RELRO part ends on
 * a page boundary (DATA_SEGMENT_ALIGN and DATA_SEGMENT_RELRO_END); file
 * offsets are congruent with addresses modulo the maximum page. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "order.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

/* Sizes and file offsets stay below this, so that no sum of them
 * overflows.  Addresses may be anywhere in the 64-bit space (a kernel at
 * 0xffffffff80000000, as ld.bfd links one): each step of the layout that
 * moves an address up is checked for running past 2^64 instead (up, plus). */
#define LIMIT ((uint64_t)1 << 46)
/* -z max-page-size and common-page-size up to this (1 GiB pages) */
#define PAGE_LIMIT ((uint64_t)1 << 30)

/* .text.foo into .text, and the like: the output section's name. */
/* .ctors and .dtors (.ctors.N too) fold into the init and fini arrays, as
 * GNU ld's script folds them; 1 and 2, else 0 (lib/resolve/sections.c). */
static int legacy_array(const char *name) { return kr_legacy_array(name); }

static const char *output_name(const char *in)
{
    int legacy = legacy_array(in);
    if (legacy)
        return legacy == 1 ? ".init_array" : ".fini_array";
    /* .gnu.linkonce.<kind>.<name>, where ld.bfd's default script puts them */
    static const char *const linkonce[][2] = {{"t.", ".text"},  {"r.", ".rodata"},     {"d.rel.ro.", ".data.rel.ro"},
                                              {"d.", ".data"},  {"b.", ".bss"},        {"td.", ".tdata"},
                                              {"tb.", ".tbss"}, {"wi.", ".debug_info"}};
    for (size_t i = 0; strncmp(in, ".gnu.linkonce.", 14) == 0 && i < sizeof linkonce / sizeof linkonce[0]; i++)
        if (strncmp(in + 14, linkonce[i][0], strlen(linkonce[i][0])) == 0)
            return linkonce[i][1];
    static const char *const groups[] = {
        ".text",       ".rodata",        ".data.rel.ro",     ".data", ".bss", ".tdata", ".tbss", ".init_array",
        ".fini_array", ".preinit_array", ".gcc_except_table"};
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++) {
        if (in[0] != '.' || in[1] != groups[i][1])
            continue; /* (the second letter tells most apart, without a call) */
        size_t n = strlen(groups[i]);
        if (strncmp(in, groups[i], n) == 0 && (in[n] == 0 || in[n] == '.'))
            return groups[i];
    }
    return in;
}

const char *lk_output_name(const char *name) { return output_name(name); }

/* The class of an output section within its segment: the order they come
 * in (TLS and NOBITS last, as the model says, so that a segment's file
 * image ends before its zero-filled part). */
static int class_of(const lk_osec *o)
{
    static const char *const order[] = {".hash",        ".gnu.hash",      ".dynsym",        ".dynstr",
                                        ".gnu.version", ".gnu.version_d", ".gnu.version_r", ".rela.dyn",
                                        ".rela.plt",    ".rela.iplt",     ".relr.dyn",      ".init",
                                        ".plt",         ".iplt",          ".text",          ".fini",
                                        ".rodata",      ".eh_frame_hdr",  ".eh_frame",      ".gcc_except_table",
                                        ".tdata",       ".preinit_array", ".init_array",    ".fini_array",
                                        ".data.rel.ro", ".dynamic",       ".got",           ".got.plt",
                                        ".igot.plt",    ".data"};
    if (o->type == SHT_NOBITS && !(o->flags & SHF_TLS))
        return 101;
    if (strcmp(o->name, ".interp") == 0) /* before the notes, as GNU ld's script has it */
        return -2;
    if (o->note) /* notes first, after the headers, as GNU ld places them */
        return -1;
    /* the imports' sections (dyn_import.c, version_need.c): with .dynstr's
     * and .plt's class, made after them */
    const char *name = strcmp(o->name, ".plt.got") == 0            ? ".plt"
                       : strncmp(o->name, ".gnu.version", 12) == 0 ? ".dynstr"
                                                                   : o->name;
    for (int i = 0; i < (int)(sizeof order / sizeof order[0]); i++)
        if (strcmp(name, order[i]) == 0 || ((o->flags & SHF_TLS) && strcmp(order[i], ".tdata") == 0))
            return 2 * i + (o->type == SHT_NOBITS); /* every TLS section with .tdata, .tbss after: one TLS block */
    return 99;                                      /* unknown sections next-to-last */
}

/* The segment that the criteria send a section of f to, and the output
 * section name they give it (else *oname stays); a note goes to the note
 * segment (*note set) and is loaded where the criteria after that one
 * send it. */
static lk_segment *segment_for(lk_link *l, const lk_file *f, const char *name, const keel_shdr *sh, bool *note,
                               const char **oname)
{
    const lk_criterion *c = lk_crit_for(l, f, name, sh, note);
    if (!c)
        return lk_seg_role(l, LK_ROLE_EXTRA);
    const char *os = c->osref ? lk_crit_osname(l, c, name) : c->osname; /* (a mapfile's MATCHREF) */
    if (os)
        *oname = os;
    return c->seg;
}

static uint32_t osec_hash(const lk_segment *s, const char *name, uint32_t type, uint64_t kind)
{
    return lk_hash(name) ^ ((uint32_t)((uintptr_t)s >> 4) * 0x9e3779b1u) ^ (type * 0x85ebca6bu) ^
           ((uint32_t)kind * 0xc2b2ae35u);
}

static bool osec_is(const lk_osec *o, const lk_segment *s, const char *name, uint32_t type, uint64_t kind)
{
    return o->seg == s && o->type == type && o->flags == kind && strcmp(o->name, name) == 0;
}

/* o into the index of output sections, which grows (in the arena) at
 * half full: a link of 40000 section names looks each up in O(1), not
 * by a walk of the segment's list */
static bool osec_index_add(lk_link *l, lk_osec *o)
{
    if (2 * (l->osec_index_n + 1) > l->osec_index_cap) {
        size_t cap = l->osec_index_cap ? 2 * l->osec_index_cap : 64;
        lk_osec **v = lk_zalloc(&l->arena, cap * sizeof *v);
        if (!v)
            return false;
        for (size_t i = 0; i < l->osec_index_cap; i++) {
            lk_osec *e = l->osec_index[i];
            if (!e)
                continue;
            size_t k = osec_hash(e->seg, e->name, e->type, e->flags) & (cap - 1);
            while (v[k])
                k = (k + 1) & (cap - 1);
            v[k] = e;
        }
        l->osec_index = v;
        l->osec_index_cap = cap;
    }
    size_t k = osec_hash(o->seg, o->name, o->type, o->flags) & (l->osec_index_cap - 1);
    while (l->osec_index[k])
        k = (k + 1) & (l->osec_index_cap - 1);
    l->osec_index[k] = o;
    l->osec_index_n++;
    return true;
}

static lk_osec *output_section(lk_link *l, lk_segment *s, const char *name, const keel_shdr *sh)
{
    uint64_t kind = sh->flags & (SHF_WRITE | SHF_ALLOC | SHF_EXECINSTR | SHF_TLS);
    uint32_t type = sh->type == SHT_NOBITS ? SHT_NOBITS : sh->type;
    if (l->osec_index_cap)
        for (size_t k = osec_hash(s, name, type, kind) & (l->osec_index_cap - 1); l->osec_index[k];
             k = (k + 1) & (l->osec_index_cap - 1))
            if (osec_is(l->osec_index[k], s, name, type, kind))
                return l->osec_index[k];
    lk_osec *o = lk_zalloc(&l->arena, sizeof *o);
    if (!o)
        return NULL;
    o->name = name;
    o->type = type;
    o->flags = kind;
    o->align = 1;
    o->seg = s;
    if (!(s->secs = lk_grow(&l->arena, s->secs, s->nsecs, &s->cap, sizeof *s->secs, 16)) || !osec_index_add(l, o))
        return NULL;
    s->secs[s->nsecs++] = o;
    return o;
}

/* A section the link-editor makes, where the criteria send it. */
static lk_osec *synthetic(lk_link *l, const char *name, const keel_shdr *sh)
{
    bool note;
    lk_segment *s = segment_for(l, NULL, name, sh, &note, &name);
    return output_section(l, s, name, sh);
}

lk_osec *lk_synthetic_section(lk_link *l, const char *name, const keel_shdr *sh) { return synthetic(l, name, sh); }

static int add_piece(lk_link *l, lk_osec *o, lk_file *f, uint32_t shndx, const keel_shdr *sh)
{
    if (!(o->pieces = lk_grow(&l->arena, o->pieces, o->npieces, &o->cap, sizeof *o->pieces, 16)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    uint64_t align = sh->addralign ? sh->addralign : 1;
    const char *name = "?";
    keel_elf_section_name(&f->elf, sh, &name, NULL);
    if ((align & (align - 1)) || align > ((uint64_t)1 << 32))
        return lk_fail(l, KEEL_E_FORMAT, "%s: section %s (%u): alignment %llu is not a power of two up to 2^32",
                       f->name, name, shndx, (unsigned long long)sh->addralign);
    if (sh->size > LIMIT) /* (a section with bytes was checked against its file when read) */
        return lk_fail(l, KEEL_E_RANGE,
                       "%s: section %s (%u): size 0x%llx is larger than an executable can hold "
                       "(0x%llx)",
                       f->name, name, shndx, (unsigned long long)sh->size, (unsigned long long)LIMIT);
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

/* .init_array.N and .fini_array.N (and .ctors.N, .dtors.N) by priority,
 * the unnumbered ones after them all, in input order otherwise (a stable
 * sort on the piece's sequence): the shared key, which the loader's
 * constructors follow too (lib/resolve/sections.c). */
static uint32_t piece_priority(const lk_piece *p)
{
    keel_shdr sh;
    const char *name;
    if (keel_elf_shdr(&p->file->elf, p->shndx, &sh, NULL) || keel_elf_section_name(&p->file->elf, &sh, &name, NULL))
        return KR_PRIORITY_NONE;
    return kr_init_priority(name);
}

static int by_priority(const void *a, const void *b)
{
    const lk_piece *x = a, *y = b;
    uint32_t px = piece_priority(x), py = piece_priority(y);
    if (px != py)
        return px < py ? -1 : 1;
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

/* A segment's output-section order: the sections it names first, in its
 * order, then the others by class (a stable move to the front). */
static void os_order(const lk_link *l, lk_segment *g)
{
    size_t front = 0;
    for (size_t k = 0; k < g->os_order.n; k++) {
        bool found = false;
        for (size_t i = front; i < g->nsecs; i++)
            if (strcmp(g->secs[i]->name, g->os_order.v[k]) == 0) {
                lk_osec *o = g->secs[i];
                memmove(g->secs + front + 1, g->secs + front, (i - front) * sizeof *g->secs);
                g->secs[front++] = o;
                found = true;
            }
        if (!found)
            lk_diag(l, KEEL_DIAG_WARNING,
                    "warning: segment %s: section ordering requested, but no matching section found: %s", g->name,
                    g->os_order.v[k]);
    }
}

/* Whether section i of f goes into the output, with its header and name,
 * and the name of the output section it joins; 0 no, 1 yes, or an error. */
static int placed(lk_link *l, lk_file *f, uint32_t i, keel_shdr *sh, const char **name, const char **out)
{
    keel_error e;
    /* the type, flags and name as kr_input_sections read them once; the
     * full header (addr, entsize) only for a section that is placed */
    const kr_input_section *s = &f->sections[i];
    if (!(*name = s->name)) { /* no name: the reader's own message */
        if (keel_elf_shdr(&f->elf, i, sh, &e) || keel_elf_section_name(&f->elf, sh, name, &e))
            return lk_fail(l, e.code, "%s: section %u: %s", f->name, i, e.msg);
    }
    if (f->dropped[i] || s->type == 0 /* SHT_NULL: inactive, dropped as ld.bfd drops it */ || s->type == SHT_SYMTAB ||
        s->type == SHT_STRTAB || s->type == SHT_RELA || s->type == SHT_REL || s->type == SHT_GROUP ||
        s->type == SHT_SYMTAB_SHNDX || ((s->names & KR_NAME_NOTE) && strcmp(*name, ".note.GNU-stack") == 0) ||
        ((s->names & KR_NAME_GNU) && strncmp(*name, ".gnu.warning", 12) == 0) ||
        (s->type == SHT_NOTE && strcmp(*name, ".note.gnu.property") == 0) /* merged into one (note.c) */ ||
        (s->flags & 0x80000000u /* SHF_EXCLUDE */))
        return 0;
    if (keel_elf_shdr(&f->elf, i, sh, &e))
        return lk_fail(l, e.code, "%s: section %u: %s", f->name, i, e.msg);
    /* the tables of a dynamic object, which no relocatable object has:
     * copied, they would be tables a reader trusts (an entry size of 0, a
     * hash over nothing) in a static executable */
    if (sh->type == 5 /* SHT_HASH */ || sh->type == 6 /* SHT_DYNAMIC */ || sh->type == 11 /* SHT_DYNSYM */ ||
        sh->type == SHT_RELR ||
        (sh->type >= 0x6ffffff6u /* SHT_GNU_HASH .. SHT_GNU_versym */ && sh->type <= 0x6fffffffu))
        return lk_fail(l, KEEL_E_FORMAT,
                       "%s: section %s (%u) has type %#x, a dynamic object's table: not in a relocatable object",
                       f->name, *name, i, sh->type);
    if (!(sh->flags & SHF_ALLOC) && (s->names & KR_NAME_GNU) &&
        (strcmp(*name, ".gnu_debuglink") == 0 || strncmp(*name, ".gnu.lto_", 9) == 0))
        return 0; /* what ld.bfd's default script discards; every other unallocated section is kept as
                   * an orphan (.note.stapsdt's probes, .GCC.command.line, annobin's notes) */
    if (lk_strip_section(l, *name))
        return 0; /* -s, -S: debugging sections */
    if (l->mf_discard && lk_crit_discards(l, f, *name, sh))
        return 0; /* a mapfile's OUTPUT_SECTION { DISCARD; } */
    if (f->live && (sh->flags & SHF_ALLOC) && !f->live[i] && strcmp(*name, ".eh_frame") != 0)
        return 0; /* --gc-sections: not reachable */
    int legacy = legacy_array(*name);
    if (legacy) /* .ctors and .dtors are init and fini arrays */
        sh->type = legacy == 1 ? SHT_INIT_ARRAY : SHT_FINI_ARRAY;
    *out = sh->type == SHT_NOTE ? *name : output_name(*name);
    return 1;
}

/* The output section an input joins when a criterion names one: judged
 * by the input's own header, since the kinds (by output name) come before
 * the union of flags that then chooses the segment. */
static const char *renamed(lk_link *l, bool renames, const lk_file *f, const char *name, const keel_shdr *sh,
                           const char *out)
{
    bool note;
    const lk_criterion *c = renames ? lk_crit_for(l, f, name, sh, &note) : NULL;
    const char *os = c ? (c->osref ? lk_crit_osname(l, c, name) : c->osname) : NULL;
    return os ? os : out;
}

int lk_place_sections(lk_link *l)
{
    if (!l->arch) /* no object said which machine: GNU ld's default emulation */
        l->arch = ka_arch_default();
    int crc = lk_segments_check(l); /* the segment list as the defaults, options (a mapfile) made it */
    if (crc)
        return crc;
    bool renames = false; /* a criterion names an output section */
    for (size_t c = 0; c < l->ncrit; c++)
        renames |= l->crit[c].osname || l->crit[c].osref;
    /* first the kinds: each output name's flags and type from all its
     * inputs; and each input section's output name (NULL: not placed),
     * kept for the placement below, which would judge them all again
     * (the name tests were 4% of a C++ link's instructions, twice) */
    const char ***outs = lk_alloc(&l->arena, (l->nfiles + 1) * sizeof *outs);
    if (!outs)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        if (!(outs[fi] = lk_alloc(&l->arena, ((size_t)f->elf.shnum + 1) * sizeof **outs)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh;
            const char *name, *out = NULL;
            int rc = placed(l, f, i, &sh, &name, &out);
            if (rc > 0)
                out = renamed(l, renames, f, name, &sh, out);
            outs[fi][i] = rc > 0 ? out : NULL;
            if (rc < 0 || (rc && (rc = lk_kind_add(l, out, f, i, sh.type, sh.flags))))
                return rc < 0 ? l->err->code : rc;
        }
    }
    uint32_t seq = 0;
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        if (!(f->out = lk_zalloc(&l->arena, (f->elf.shnum + 1) * sizeof *f->out)) ||
            !(f->pos = lk_zalloc(&l->arena, (f->elf.shnum + 1) * sizeof *f->pos)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh, as;
            const char *oname = outs[fi][i], *name = f->sections[i].name;
            if (!oname)
                continue;                         /* (placed said no, above) */
            keel_elf_shdr(&f->elf, i, &sh, NULL); /* (read by placed: the input's own header) */
            if (sh.flags & 0x800 /* SHF_COMPRESSED */)
                return lk_fail(l, KEEL_E_UNSUPPORTED,
                               "%s: section %s is compressed (-gz): keel does not link "
                               "compressed sections yet; build without -gz",
                               f->name, name);
            int legacy = legacy_array(name);
            as = sh;
            if (legacy) /* (as placed made it) */
                as.type = legacy == 1 ? SHT_INIT_ARRAY : SHT_FINI_ARRAY;
            lk_kind_get(l, oname, &as); /* all the inputs' flags, and the type they make */
            /* A note with contents that a program reads is loaded too:
             * the note segment describes it where it is loaded. */
            bool note;
            lk_segment *seg = segment_for(l, f, name, &as, &note, &oname);
            int trc = l->mf_retypes ? lk_crit_retype(l, f, name, seg, &as) : 0; /* OUTPUT_SECTION TYPE, FLAGS */
            if (trc)
                return trc;
            if (as.type == 0x70000001 /* SHT_X86_64_UNWIND */ && strcmp(oname, ".eh_frame") == 0)
                as.type = SHT_PROGBITS; /* gas's @unwind and gcc's @progbits: one .eh_frame, as GNU ld makes */
            lk_osec *o = output_section(l, seg, oname, &as);
            if (!o)
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            if (!o->seq)
                o->seq = ++seq;
            if (note && (as.flags & SHF_ALLOC)) /* (an unallocated note, .note.stapsdt, is in no segment) */
                o->note = true;
            int rc = add_piece(l, o, f, i, &sh);
            if (rc)
                return rc;
            if (lk_mergeable(&sh) && !lk_merge_blocked(f, i) &&
                (rc = lk_merge_input(l, o, o->npieces - 1, f, i, &sh)) < 0)
                return rc;
            o->pieces[o->npieces - 1].reverse = legacy != 0;
        }
    }
    int erc = lk_eh_frame_start(l); /* .eh_frame's records parsed, while the relocations are scanned */
    if (erc)
        return erc;
    l->osec_seq = seq;
    return 0;
}

/* The pass after the relocations are scanned: the sections the
 * link-editor makes, sized by what the scan found (the static GOT, the
 * IFUNCs' stubs, slots and relocations) and by the inputs (the unwind
 * table's header, the build ID, the merged properties, the commons in
 * .bss and .tbss); then each segment's sections in their order. */
int lk_place_synthetic(lk_link *l)
{
    int erc = lk_eh_frame_edit(l); /* .eh_frame's records: dropped, merged, sized */
    if (erc)
        return erc;
    uint32_t seq = l->osec_seq; /* the order sections were first seen in, continued */
    size_t ngot = l->ngot;
    if (ngot) {
        unsigned w = l->arch->word_size; /* a slot holds an address */
        keel_shdr got = {.type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_WRITE, .size = ngot * w, .addralign = w};
        if (!(l->got = synthetic(l, ".got", &got)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        l->got->seq = ++seq;
        l->got->size = got.size;
        l->got->align = w;
    }
    if (l->nifuncs) {
        const ka_arch *a = l->arch; /* the target's stub, slot and record sizes */
        keel_shdr iplt = {.type = SHT_PROGBITS,
                          .flags = SHF_ALLOC | SHF_EXECINSTR,
                          .size = a->iplt_size * l->nifuncs,
                          .addralign = a->iplt_size};
        keel_shdr igot = {.type = SHT_PROGBITS,
                          .flags = SHF_ALLOC | SHF_WRITE,
                          .size = a->word_size * l->nifuncs,
                          .addralign = a->word_size};
        keel_shdr rela = {.type = SHT_RELA,
                          .flags = SHF_ALLOC,
                          .size = a->rela_size * l->nifuncs,
                          .addralign = a->word_size};
        if (!(l->iplt = synthetic(l, ".iplt", &iplt)) || !(l->igot = synthetic(l, ".igot.plt", &igot)) ||
            !(l->rela_iplt = synthetic(l, ".rela.iplt", &rela)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        lk_osec *made[] = {l->iplt, l->igot, l->rela_iplt};
        const keel_shdr *from[] = {&iplt, &igot, &rela};
        for (int i = 0; i < 3; i++) {
            made[i]->seq = ++seq;
            made[i]->size = from[i]->size;
            made[i]->align = from[i]->addralign;
        }
    }
    if (l->dyn) { /* .interp, .dynamic and the rest (dyn_sections.c) */
        int drc = lk_dyn_place(l, &seq);
        if (drc)
            return drc;
    }
    for (size_t g = 0; l->opt->eh_frame_hdr && g < l->nsegs; g++)
        for (size_t i = 0; i < l->segs[g]->nsecs; i++)
            if (strcmp(l->segs[g]->secs[i]->name, ".eh_frame") == 0)
                l->eh_frame = l->segs[g]->secs[i];
    if (l->eh_frame) {
        /* no table when an input did not parse: the header alone */
        keel_shdr hdr = {.type = SHT_PROGBITS,
                         .flags = SHF_ALLOC,
                         .size = l->eh_no_table ? 8 : 12 + 8 * lk_eh_fdes(l->eh_frame),
                         .addralign = 4};
        if (!(l->eh_frame_hdr = synthetic(l, ".eh_frame_hdr", &hdr)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        l->eh_frame_hdr->seq = ++seq;
        l->eh_frame_hdr->size = hdr.size;
        l->eh_frame_hdr->align = 4;
    }
    size_t note = lk_build_id_note_size(l->opt);
    if (note) {
        keel_shdr bid = {.type = SHT_NOTE, .flags = SHF_ALLOC, .size = note, .addralign = 4};
        if (!(l->build_id = synthetic(l, ".note.gnu.build-id", &bid)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        l->build_id->seq = ++seq;
        l->build_id->size = note;
        l->build_id->align = 4;
        l->build_id->note = true;
    }
    /* the commons: ordinary ones after the .bss inputs, thread-local ones
     * (.tls_common, STT_TLS) after the .tbss variables in the TLS block,
     * as GNU ld places its .tcommon */
    size_t props;
    int nrc = lk_merge_properties(l, &props);
    if (nrc)
        return nrc;
    if (props) {
        keel_shdr pn = {.type = SHT_NOTE, .flags = SHF_ALLOC, .size = props, .addralign = 8};
        if (!(l->property = synthetic(l, ".note.gnu.property", &pn)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        l->property->seq = 0; /* the first note, as GNU ld places it */
        l->property->size = props;
        l->property->align = 8;
        l->property->note = true;
    }
    uint64_t common_size = 0, common_align = 1, tcommon_size = 0, tcommon_align = 1;
    bool any_common = false, any_tcommon = false; /* (commons of size 0 still need a section to be in) */
    lk_sym **sorted;
    size_t nsorted;
    int src = lk_sorted_symbols(l, &sorted, &nsorted);
    if (src)
        return src;
    for (size_t i = 0; i < nsorted; i++) {
        lk_sym *s = sorted[i];
        if (s->state != LK_COMMON)
            continue;
        bool tls = s->type == 6 /* STT_TLS */;
        *(tls ? &any_tcommon : &any_common) = true;
        uint64_t *size = tls ? &tcommon_size : &common_size, *align = tls ? &tcommon_align : &common_align;
        if ((s->align & (s->align - 1)) || s->align > ((uint64_t)1 << 32) || s->size > LIMIT || *size > LIMIT)
            return lk_fail(l, KEEL_E_FORMAT, "%s: common symbol '%s': alignment %llu or size %llu is absurd",
                           s->def ? s->def->name : "?", s->name, (unsigned long long)s->align,
                           (unsigned long long)s->size);
        *size = align_up(*size, s->align);
        s->common_offset = *size;
        *size += s->size;
        if (s->align > *align)
            *align = s->align;
    }
    if (any_tcommon) {
        keel_shdr tbss = {.type = SHT_NOBITS,
                          .flags = SHF_ALLOC | SHF_WRITE | SHF_TLS,
                          .size = tcommon_size,
                          .addralign = tcommon_align};
        bool is_note;
        const char *tname = ".tbss";
        lk_segment *seg = segment_for(l, NULL, ".tbss", &tbss, &is_note, &tname);
        /* a piece of .tbss with no input of its own, after the others */
        lk_osec *o = output_section(l, seg, tname, &tbss);
        if (!o || !(o->pieces = lk_grow(&l->arena, o->pieces, o->npieces, &o->cap, sizeof *o->pieces, 16)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        if (!o->seq)
            o->seq = ++seq;
        l->tcommon = o;
        l->tcommon_piece = o->npieces;
        o->pieces[o->npieces] = (lk_piece){NULL, 0, tcommon_size, tcommon_align, 0, (uint32_t)o->npieces, false};
        o->npieces++;
        if (tcommon_align > o->align)
            o->align = tcommon_align;
    }
    if (any_common) { /* a piece of .bss after its inputs, as ld.bfd's script puts *(COMMON) */
        keel_shdr bss = {.type = SHT_NOBITS,
                         .flags = SHF_ALLOC | SHF_WRITE,
                         .size = common_size,
                         .addralign = common_align};
        lk_osec *o = synthetic(l, ".bss", &bss);
        if (!o || !(o->pieces = lk_grow(&l->arena, o->pieces, o->npieces, &o->cap, sizeof *o->pieces, 16)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        if (!o->seq)
            o->seq = ++seq;
        l->common = o;
        l->common_piece = o->npieces;
        o->pieces[o->npieces] = (lk_piece){NULL, 0, common_size, common_align, 0, (uint32_t)o->npieces, false};
        o->npieces++;
        if (common_align > o->align)
            o->align = common_align;
    }
    int orc0 = lk_symbol_order_read(l); /* --symbol-ordering-file (symbol_order.c) */
    if (orc0)
        return orc0;
    for (size_t s = 0; s < l->nsegs; s++) {
        lk_segment *g = l->segs[s];
        for (size_t i = 0; i < g->nsecs; i++) {
            int mrc = lk_merge_finish(l, g->secs[i]);
            if (mrc)
                return mrc;
        }
        if (!g->nsecs) {                   /* (qsort may not be given NULL) */
            int frc = lk_seg_finish(l, g); /* an empty segment's SIZE_SYMBOLs checked too */
            if (frc)
                return frc;
            continue;
        }
        qsort(g->secs, g->nsecs, sizeof *g->secs, by_class);
        os_order(l, g);
        for (size_t i = 0; i < g->nsecs; i++)
            if ((g->secs[i]->type == SHT_INIT_ARRAY || g->secs[i]->type == SHT_FINI_ARRAY ||
                 g->secs[i]->type == SHT_PREINIT_ARRAY) &&
                g->secs[i]->npieces)
                qsort(g->secs[i]->pieces, g->secs[i]->npieces, sizeof *g->secs[i]->pieces, by_priority);
            else {
                int orc = lk_order_statements(l, g->secs[i]); /* .text, .data.rel.ro (statements.c) */
                if (orc)
                    return orc;
            }
        for (size_t i = 0; l->opt->sort_section && i < g->nsecs; i++) {
            int src2 = lk_sort_section(l, g->secs[i]); /* --sort-section (sort_section.c) */
            if (src2)
                return src2;
        }
        for (size_t i = 0; l->order && i < g->nsecs; i++) {
            int src3 = lk_symbol_order_apply(l, g->secs[i]); /* before a mapfile (symbol_order.c) */
            if (src3)
                return src3;
        }
        int frc = lk_seg_finish(l, g); /* a mapfile's IS_ORDER, ROUND (mapfile_apply_match.c) */
        if (frc)
            return frc;
    }
    return lk_mapfile_check(l); /* what a mapfile left unusable, refused */
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

/* What is written only at start-up, so that -z relro (the default) can
 * make it read-only after: the TLS initialisation image, the init and fini
 * arrays, .data.rel.ro and the GOT, the leading sections of the data
 * segment (their classes come first there); with -z now also the PLT's
 * and the IFUNCs' slots, bound before the program starts (ld.bfd's -z now
 * script puts .got.plt and .igot.plt in .got). */
static bool is_relro(const lk_link *l, const lk_osec *o)
{
    return (o->flags & SHF_TLS) || !strcmp(o->name, ".init_array") || !strcmp(o->name, ".fini_array") ||
           !strcmp(o->name, ".preinit_array") || !strcmp(o->name, ".data.rel.ro") || !strcmp(o->name, ".got") ||
           !strcmp(o->name, ".dynamic") ||
           (l->opt->now && (!strcmp(o->name, ".got.plt") || !strcmp(o->name, ".igot.plt")));
}

/* --section-start NAME=ADDR (-Ttext, -Tdata, -Tbss): the last one given
 * for the name, as GNU ld takes it. */
static bool section_start(const lk_link *l, const char *name, uint64_t *addr)
{
    bool found = false;
    for (size_t i = 0; i < l->opt->nsection_starts; i++)
        if (strcmp(l->opt->section_starts[i].name, name) == 0) {
            *addr = l->opt->section_starts[i].addr;
            found = true;
        }
    return found;
}

/* The RELRO part of the data segment: its leading RELRO sections (-z
 * relro).  *moved if --section-start places one of them: GNU ld then
 * has it outside DATA_SEGMENT_RELRO_END and no PT_GNU_RELRO. */
static size_t relro_count(const lk_link *l, bool *moved)
{
    const lk_segment *g = lk_seg_role(l, LK_ROLE_DATA);
    size_t n = 0;
    uint64_t a;
    *moved = false;
    while (l->opt->relro && n < g->nsecs && is_relro(l, g->secs[n]))
        *moved |= section_start(l, g->secs[n++]->name, &a);
    return n;
}

bool lk_has_relro(const lk_link *l)
{
    bool moved;
    return relro_count(l, &moved) && !moved;
}

/* The PT_LOADs that lk_assign_addresses will make: one per loadable
 * segment in use, and one more for each section that a --section-start
 * places after others of its segment.  The program headers' room, which
 * must be known before addresses. */
size_t lk_max_loads(const lk_link *l)
{
    size_t n = 0;
    uint64_t a;
    for (size_t s = 0; s < l->nsegs; s++) {
        const lk_segment *g = l->segs[s];
        if (g->type != PT_LOAD || (!g->nsecs && !g->headers))
            continue;
        n++;
        for (size_t i = 0; i < g->nsecs; i++)
            if ((i || g->headers) && section_start(l, g->secs[i]->name, &a))
                n++;
    }
    return n;
}

/* align_up and addition of an address, *wrap set when the result would be
 * past the end of the address space (2^64 and beyond: the end of a
 * section or segment must be a representable address too) */
static uint64_t up(uint64_t x, uint64_t a, bool *wrap)
{
    uint64_t r = align_up(x, a);
    *wrap |= r < x;
    return r;
}

static uint64_t plus(uint64_t x, uint64_t n, bool *wrap)
{
    uint64_t r = x + n;
    *wrap |= r < x;
    return r;
}

/* The smallest file offset from off on that is congruent with addr modulo
 * the page, as mmap needs. */
static uint64_t congruent(uint64_t off, uint64_t addr, uint64_t page) { return off + ((addr - off) & (page - 1)); }

/* The data segment's start: GNU ld's DATA_SEGMENT_ALIGN after the end of
 * the read-only data, then moved up (DATA_SEGMENT_RELRO_END) so that its
 * leading RELRO sections end on a page boundary: the page that holds the
 * end of .got is not left writable.  The RELRO sections' addresses are
 * planned here, from the last one backwards, each as high as its
 * alignment allows (GNU ld's lang_size_relro_segment_1). */
static uint64_t data_start(lk_segment *g, size_t nrelro, uint64_t end, uint64_t maxp, uint64_t commonp,
                           uint64_t tls_align, bool *wrap)
{
    uint64_t base = plus(up(end, maxp, wrap), (end + commonp - 1) & (maxp - commonp), wrap);
    if (!nrelro) {
        /* Without RELRO, GNU ld starts at the same offset in the next
         * maximum page, unless the segment then ends in a page it could
         * save (lang_size_segment): its first and last pieces of a
         * common page, together no more than one. */
        uint64_t first = plus(up(end, maxp, wrap), end & (maxp - 1), wrap), at = first;
        bool tls_seen = false;
        for (size_t i = 0; i < g->nsecs; i++) {
            const lk_osec *o = g->secs[i];
            uint64_t align = o->align;
            if ((o->flags & SHF_TLS) && !tls_seen) {
                align = tls_align;
                tls_seen = true;
            }
            if (!(o->type == SHT_NOBITS && (o->flags & SHF_TLS)))
                at = plus(up(at, align, wrap), o->size, wrap);
        }
        uint64_t head = -first & (commonp - 1), tail = at & (commonp - 1);
        bool saves = head && tail && (first & ~(commonp - 1)) != (at & ~(commonp - 1)) && head + tail <= commonp;
        return saves ? base : first;
    }
    uint64_t at = base, first_tls = nrelro;
    for (size_t i = 0; i < nrelro; i++) {
        const lk_osec *o = g->secs[i];
        uint64_t align = o->align;
        if ((o->flags & SHF_TLS) && first_tls == nrelro) {
            first_tls = i;
            align = tls_align;
        }
        if (!(o->type == SHT_NOBITS && (o->flags & SHF_TLS))) /* .tbss takes no room */
            at = plus(up(at, align, wrap), o->size, wrap);
    }
    uint64_t want = up(at, maxp, wrap);
    if (*wrap)
        return base;
    for (size_t i = nrelro; i-- > 0;) {
        lk_osec *o = g->secs[i];
        if (o->type == SHT_NOBITS && (o->flags & SHF_TLS))
            continue;
        want = (want - o->size) & ~((i == first_tls ? tls_align : o->align) - 1);
        o->addr = want; /* planned: the placement takes it */
    }
    return want > base ? want : base;
}

/* Two allocated sections (or one and the headers) that share addresses:
 * possible only when --section-start moves one.  GNU ld's words. */
static int check_overlaps(lk_link *l, uint64_t hdr_lo, uint64_t hdr_hi)
{
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            const lk_osec *a = l->segs[s]->secs[i];
            if (l->segs[s]->type != PT_LOAD || !a->size || (a->type == SHT_NOBITS && (a->flags & SHF_TLS)))
                continue;
            if (a->addr < hdr_hi && hdr_lo < a->addr + a->size)
                return lk_fail(l, KEEL_E_RANGE,
                               "section %s LMA [%016llx,%016llx] overlaps the ELF and program "
                               "headers [%016llx,%016llx]",
                               a->name, (unsigned long long)a->addr, (unsigned long long)(a->addr + a->size - 1),
                               (unsigned long long)hdr_lo, (unsigned long long)(hdr_hi - 1));
            for (size_t t = s; t < l->nsegs; t++)
                for (size_t k = t == s ? i + 1 : 0; k < l->segs[t]->nsecs; k++) {
                    const lk_osec *b = l->segs[t]->secs[k];
                    if (l->segs[t]->type != PT_LOAD || !b->size || (b->type == SHT_NOBITS && (b->flags & SHF_TLS)))
                        continue;
                    if (a->addr < b->addr + b->size && b->addr < a->addr + a->size)
                        return lk_fail(l, KEEL_E_RANGE,
                                       "section %s LMA [%016llx,%016llx] overlaps section %s LMA "
                                       "[%016llx,%016llx]",
                                       b->name, (unsigned long long)b->addr,
                                       (unsigned long long)(b->addr + b->size - 1), a->name,
                                       (unsigned long long)a->addr, (unsigned long long)(a->addr + a->size - 1));
                }
        }
    return 0;
}

/* A segment or section that would run past the end of the address space
 * (ld.bfd: "section .text VMA wraps around address space"). */
static int past_end(lk_link *l, const lk_segment *g, const lk_osec *o, uint64_t from)
{
    if (o)
        return lk_fail(l, KEEL_E_RANGE,
                       "section %s VMA wraps around address space (segment %s: from %#llx, size %#llx)", o->name,
                       g->name, (unsigned long long)from, (unsigned long long)o->size);
    return lk_fail(l, KEEL_E_RANGE, "segment %s VMA wraps around address space (from %#llx)", g->name,
                   (unsigned long long)from);
}

/* where a section that wraps starts: its --section-start, else the
 * address it follows */
static uint64_t wrap_from(const lk_link *l, const lk_osec *o, uint64_t from)
{
    uint64_t fixed;
    return section_start(l, o->name, &fixed) ? fixed : from;
}

int lk_assign_addresses(lk_link *l, uint64_t header_size)
{
    const keel_link_options *opt = l->opt;
    /* the defaults, and the first segment's address, are the target's */
    uint64_t maxp = opt->max_page_size ? opt->max_page_size : l->arch->max_page;
    uint64_t commonp = opt->common_page_size ? opt->common_page_size : l->arch->common_page;
    if ((maxp & (maxp - 1)) || maxp > PAGE_LIMIT)
        return lk_fail(l, KEEL_E_RANGE, "invalid maximum page size `%#llx'", (unsigned long long)maxp);
    if ((commonp & (commonp - 1)) || commonp > PAGE_LIMIT)
        return lk_fail(l, KEEL_E_RANGE, "invalid common page size `%#llx'", (unsigned long long)commonp);
    if (commonp > maxp) /* as GNU ld: the layout's page is at least the common one */
        maxp = commonp;
    uint64_t base = opt->has_text_segment ? opt->text_segment : lk_dyn_pic(l) ? 0 : l->arch->image_base;
    /* (--section-start, -Ttext-segment and VADDR may be anywhere: what
     * would run past 2^64 is refused where the layout gets there) */
    l->max_page = maxp;
    l->nloads = 0;
    if (!(l->loads = lk_zalloc(&l->arena, (lk_max_loads(l) + 1) * sizeof *l->loads)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    /* (with a mapfile's HDR_NOALLOC or NOHDR, the headers are at the
     * file's start, in no segment) */
    uint64_t addr = base, off = lk_seg_headers(l) ? 0 : header_size, hdr_lo = 0, hdr_hi = 0;
    bool addressed = false;        /* a segment has an address of its own */
    const lk_segment *prev = NULL; /* the one laid out before */
    for (size_t s = 0; s < l->nsegs; s++) {
        lk_segment *g = l->segs[s];
        if (g->type != PT_LOAD || g->reserve || (!g->nsecs && !g->headers))
            continue;
        lk_seg_overlap(l, prev, g); /* a mapfile's VADDR: the notes' warning */
        prev = g;
        /* its alignment, the maximum page unless it says (at least the
         * common page: data_start needs it); file offsets stay congruent
         * with addresses modulo the larger of it and the maximum page */
        uint64_t segp = !g->p_align ? maxp : g->p_align > commonp ? g->p_align : commonp;
        uint64_t cong = segp > maxp ? segp : maxp;
        if (segp > PAGE_LIMIT)
            return lk_fail(l, KEEL_E_RANGE, "segment %s: alignment %#llx is above %#llx", g->name,
                           (unsigned long long)g->p_align, (unsigned long long)PAGE_LIMIT);
        bool wrap = false; /* an address past 2^64 (up, plus) */
        uint64_t seg_from = g->headers ? (g->has_addr ? g->addr : base) : g->has_addr ? g->addr : addr;
        addressed |= g->has_addr;
        for (size_t i = 0; i < g->nsecs; i++)
            size_section(g->secs[i]);
        for (size_t i = 0; i < g->nsecs; i++)
            if (g->secs[i]->size > LIMIT)
                return lk_fail(l, KEEL_E_RANGE, "section %s: the executable would be larger than %llu bytes",
                               g->secs[i]->name, (unsigned long long)LIMIT);
        /* the TLS block starts at its largest alignment: the C library
         * places it that way below the thread pointer */
        uint64_t tls_align = 1;
        for (size_t i = 0; i < g->nsecs; i++)
            if ((g->secs[i]->flags & SHF_TLS) && g->secs[i]->align > tls_align)
                tls_align = g->secs[i]->align;
        uint64_t fixed = 0;
        bool first_fixed = !g->headers && g->nsecs && section_start(l, g->secs[0]->name, &fixed);
        bool moved = false;
        size_t nrelro = g->role == LK_ROLE_DATA ? relro_count(l, &moved) : 0;
        lk_load *ld = &l->loads[l->nloads++];
        if (g->headers) {
            if (g->has_addr)
                addr = base = g->addr;
            /* GNU ld rounds a -Ttext-segment down to its page (and warns) */
            ld->vaddr = base & ~(segp - 1);
            ld->offset = 0;
            hdr_lo = ld->vaddr;
            hdr_hi = addr = plus(base, header_size, &wrap);
            off = base - ld->vaddr + header_size;
        } else {
            if (first_fixed)
                addr = fixed;
            else if (g->has_addr) /* where it says; its first section aligned within */
                addr = g->addr;
            else if (g->role == LK_ROLE_DATA)
                addr = data_start(g, moved ? 0 : nrelro, addr, segp, commonp, tls_align, &wrap);
            else
                addr = up(addr, segp, &wrap);
            /* the PT_LOAD starts where its first section does */
            if (!first_fixed && !g->has_addr && g->nsecs)
                addr = up(addr, g->secs[0]->flags & SHF_TLS ? tls_align : g->secs[0]->align, &wrap);
            off = congruent(off, addr, cong);
            ld->vaddr = addr;
            ld->offset = off;
        }
        if (wrap) /* (its start, or the headers) */
            return past_end(l, g, NULL, seg_from);
        ld->flags = lk_seg_flags(g);
        ld->align = segp;
        ld->paddr = g->paddr, ld->has_paddr = g->has_paddr;
        g->vaddr = ld->vaddr;
        g->offset = ld->offset;
        g->align = segp;
        g->filesz = g->memsz = addr - ld->vaddr;
        /* (headers alone, below an unaligned -Ttext-segment: GNU ld maps
         * just them) */
        ld->filesz = ld->memsz = g->headers && !g->nsecs ? header_size : addr - ld->vaddr;
        bool tls_started = false, zeros = false;
        uint64_t tbss_end = 0; /* the zero-filled TLS sections follow one another, not what follows them */
        for (size_t i = 0; i < g->nsecs; i++) {
            lk_osec *o = g->secs[i];
            uint64_t align = o->align, from = addr; /* (from: for the message) */
            /* a PT_LOAD's file image ends where its zero-filled part
             * starts: data after .bss (a segment's output-section order
             * can ask for it) has no place in the file */
            if (o->type != SHT_NOBITS && o->size && zeros && !section_start(l, o->name, &fixed))
                return lk_fail(l, KEEL_E_RANGE,
                               "segment %s: NOBITS section found before end of initialized data "
                               "(section %s)",
                               g->name, o->name);
            zeros |= o->type == SHT_NOBITS && !(o->flags & SHF_TLS) && o->size;
            if ((o->flags & SHF_TLS) && !tls_started) {
                align = tls_align;
                tls_started = true;
            }
            /* .tbss takes no room in the segment (each thread gets it): it
             * has an address, but what follows does not move */
            bool tbss = o->type == SHT_NOBITS && (o->flags & SHF_TLS);
            if ((i || g->headers) && section_start(l, o->name, &fixed)) {
                /* --section-start: here, and what follows after it, in a
                 * PT_LOAD of its own */
                o->new_load = true;
                zeros = false;
                addr = fixed;
                off = congruent(off, addr, cong);
                ld = &l->loads[l->nloads++];
                *ld = (lk_load){lk_seg_flags(g), off, addr, 0, 0, segp, 0, false};
            } else if ((i == 0 && first_fixed) || tbss)
                ;
            else {
                uint64_t to = up(addr, align, &wrap);
                if (i < nrelro && !moved && o->addr > to) /* planned by data_start */
                    to = o->addr;
                if (o->type != SHT_NOBITS) /* the file offset stays congruent with the address */
                    off += to - addr;
                addr = to;
            }
            if (off > LIMIT)
                return lk_fail(l, KEEL_E_RANGE, "section %s: the executable would be larger than %llu bytes", o->name,
                               (unsigned long long)LIMIT);
            uint64_t at = tbss ? up(addr > tbss_end ? addr : tbss_end, align, &wrap) : addr;
            (void)plus(at, o->size, &wrap); /* (its end too) */
            if (wrap)
                return past_end(l, g, o, wrap_from(l, o, from));
            o->offset = off;
            if (tbss) { /* the zero-filled TLS sections follow one another */
                o->addr = at;
                tbss_end = o->addr + o->size;
            } else {
                o->addr = addr;
                addr += o->size;
                if (o->type != SHT_NOBITS) {
                    off += o->size;
                    ld->filesz = off - ld->offset;
                    g->filesz = addr - g->vaddr;
                }
                ld->memsz = addr - ld->vaddr;
                g->memsz = addr - g->vaddr;
            }
            if (i + 1 == nrelro) {
                /* RELRO ends on a page boundary: data_start arranged it,
                 * unless a --section-start or an alignment got in the
                 * way; then what follows moves to the next page */
                l->relro_end = up(addr, maxp, &wrap);
                if (wrap)
                    return past_end(l, g, o, o->addr);
                if (!moved) {
                    l->relro_start = g->vaddr;
                    l->relro_offset = g->offset;
                } else /* GNU ld pads it, but has no PT_GNU_RELRO for it */
                    l->relro_start = l->relro_end;
                if (i + 1 < g->nsecs) {
                    if (g->secs[i + 1]->type != SHT_NOBITS)
                        off += l->relro_end - addr;
                    addr = l->relro_end;
                } else { /* nothing after: the rest of the page is zero-filled */
                    ld->memsz = l->relro_end - ld->vaddr;
                    g->memsz = l->relro_end - g->vaddr;
                }
            }
        }
        if (g->max_size && g->memsz > g->max_size)
            return lk_fail(l, KEEL_E_RANGE, "segment %s calculated size %#llx is larger than user-defined size %#llx",
                           g->name, (unsigned long long)g->memsz, (unsigned long long)g->max_size);
    }
    if (opt->nsection_starts || addressed) {
        int rc = check_overlaps(l, hdr_lo, hdr_hi);
        if (rc)
            return rc;
    }
    /* the unallocated sections after the segments, without addresses:
     * the non-loadable segments' (extra's) */
    for (size_t s = 0; s < l->nsegs; s++) {
        const lk_segment *x = l->segs[s];
        for (size_t i = 0; x->type == PT_NULL && i < x->nsecs; i++) {
            lk_osec *o = x->secs[i];
            size_section(o);
            if (o->size > LIMIT || off > LIMIT)
                return lk_fail(l, KEEL_E_RANGE, "section %s: the executable would be larger than %llu bytes", o->name,
                               (unsigned long long)LIMIT);
            off = align_up(off, o->align);
            o->offset = off;
            off += o->type == SHT_NOBITS ? 0 : o->size;
        }
    }
    l->file_end = off;
    l->image_end = 0;
    for (size_t i = 0; i < l->nloads; i++)
        if (l->loads[i].vaddr + l->loads[i].memsz > l->image_end)
            l->image_end = l->loads[i].vaddr + l->loads[i].memsz;
    return 0;
}
