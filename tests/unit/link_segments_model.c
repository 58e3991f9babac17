/* The link-editor's segment model as data (lib/link/segments.c).
 *
 *   link_segments_model
 *       builds the default list and criteria and checks roles, order and
 *       where the criteria send each kind of section; then edits them
 *       (-z noseparate-code as an edit, a new segment, re-enabled bss,
 *       ranks) and checks again; TAP on stdout.
 *   link_segments_model link EDIT OUTPUT OBJECT...
 *       links OBJECTs to OUTPUT as `keel link` does, the segment model
 *       edited by EDIT first (none, noseparate, hot, bss, order, zeros,
 *       maxsize, address); the error on stderr and exit 1 if the link fails.
 *       tests/link_segments_model.t compares the outputs with keel link's
 *       and ld.bfd's and runs them. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/link/internal.h"
#include "../../tools/diag.h"

#include "tap.h"

enum {
    SHT_PROGBITS = 1,
    SHT_STRTAB = 3,
    SHT_RELA = 4,
    SHT_HASH = 5,
    SHT_DYNAMIC = 6,
    SHT_DYNSYM = 11,
    SHT_GNU_HASH = 0x6ffffff6,
    SHT_NOTE = 7,
    SHT_NOBITS = 8,
    SHF_WRITE = 1,
    SHF_ALLOC = 2,
    SHF_EXECINSTR = 4,
    SHF_TLS = 0x400,
    PT_NULL = 0,
    PT_LOAD = 1,
    PT_NOTE = 4,
    PF_X = 1,
    PF_W = 2,
    PF_R = 4,
};

/* Kinds of input section, and where GNU ld's separate-code layout puts
 * them (the segment's name; the note segment describes a loaded note). */
static const struct probe {
    const char *name;
    uint32_t type;
    uint64_t flags;
    const char *segment, *noseparate;
    bool note;
} probes[] = {
    {".text", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, "text", "text", false},
    {".rodata", SHT_PROGBITS, SHF_ALLOC, "rodata", "text", false},
    {".eh_frame", SHT_PROGBITS, SHF_ALLOC, "rodata", "text", false},
    {".note.ABI-tag", SHT_NOTE, SHF_ALLOC, "header", "text", true},
    {".rela.iplt", SHT_RELA, SHF_ALLOC, "header", "text", false},
    {".data", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, "data", "data", false},
    {".tdata", SHT_PROGBITS, SHF_ALLOC | SHF_WRITE | SHF_TLS, "data", "data", false},
    {".tbss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE | SHF_TLS, "data", "data", false},
    {".bss", SHT_NOBITS, SHF_ALLOC | SHF_WRITE, "data", "data", false},
    {".comment", SHT_PROGBITS, 0, "extra", "extra", false},
    {".debug_info", SHT_PROGBITS, 0, "extra", "extra", false},
    {".note.unloaded", SHT_NOTE, 0, "extra", "extra", true},
    /* a dynamic output's (dyn_sections.c) */
    {".interp", SHT_PROGBITS, SHF_ALLOC, "header", "text", false},
    {".gnu.hash", SHT_GNU_HASH, SHF_ALLOC, "header", "text", false},
    {".hash", SHT_HASH, SHF_ALLOC, "header", "text", false},
    {".dynsym", SHT_DYNSYM, SHF_ALLOC, "header", "text", false},
    {".dynstr", SHT_STRTAB, SHF_ALLOC, "header", "text", false},
    {".rela.dyn", SHT_RELA, SHF_ALLOC, "header", "text", false},
    {".gnu.version", 0x6fffffff, SHF_ALLOC, "header", "text", false}, /* (the imports' versions) */
    {".gnu.version_r", 0x6ffffffe, SHF_ALLOC, "header", "text", false},
    {".plt", SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, "text", "text", false},
    {".dynamic", SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, "data", "data", false},
};

static const char *where(const lk_link *l, const struct probe *p, bool *note)
{
    keel_shdr sh = {.type = p->type, .flags = p->flags};
    const lk_criterion *c = lk_crit_for(l, NULL, p->name, &sh, note);
    return c ? c->seg->name : lk_seg_role(l, LK_ROLE_EXTRA)->name;
}

static void check_default(void)
{
    keel_error err;
    keel_link_options opt = {0};
    lk_link l = {.opt = &opt, .err = &err};
    ok(lk_segments_default(&l) == 0, "the default segment list builds");
    static const struct {
        const char *name;
        int role;
        uint32_t type, flags;
        bool disabled;
    } want[] = {
        {"header", LK_ROLE_HEADER, PT_LOAD, PF_R, false}, {"text", LK_ROLE_TEXT, PT_LOAD, PF_R | PF_X, false},
        {"rodata", LK_ROLE_RODATA, PT_LOAD, PF_R, false}, {"data", LK_ROLE_DATA, PT_LOAD, PF_R | PF_W, false},
        {"bss", LK_ROLE_BSS, PT_LOAD, PF_R | PF_W, true}, {"note", LK_ROLE_NOTE, PT_NOTE, PF_R, false},
        {"extra", LK_ROLE_EXTRA, PT_NULL, 0, false},
    };
    ok(l.nsegs == 7, "seven built-in segments (%zu)", l.nsegs);
    for (size_t i = 0; i < 7 && i < l.nsegs; i++) {
        const lk_segment *g = l.segs[i];
        ok(strcmp(g->name, want[i].name) == 0 && g->role == want[i].role && g->type == want[i].type &&
               g->flags == want[i].flags && g->disabled == want[i].disabled && !g->has_addr && !g->p_align &&
               !g->max_size && !g->os_order.n && !g->size_syms.n,
           "segment %zu is %s, role %d, type %u, flags %u%s", i, want[i].name, want[i].role, want[i].type,
           want[i].flags, want[i].disabled ? ", disabled" : "");
        ok(lk_seg_role(&l, want[i].role) == g && lk_seg_find(&l, want[i].name) == g, "role %d and name %s find it",
           want[i].role, want[i].name);
    }
    ok(!lk_seg_find(&l, "nosuch"), "no segment of another name");
    ok(l.ncrit == 19 && l.crit[l.ncrit - 1].seg == lk_seg_role(&l, LK_ROLE_EXTRA) && !l.crit[l.ncrit - 1].type &&
           !l.crit[l.ncrit - 1].set && !l.crit[l.ncrit - 1].names.n,
       "nineteen built-in criteria, the last one catching all for extra");
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        bool note;
        const char *s = where(&l, &probes[i], &note);
        ok(strcmp(s, probes[i].segment) == 0 && note == probes[i].note, "%s goes to %s%s (%s)", probes[i].name,
           probes[i].segment, probes[i].note ? ", a note" : "", s);
    }
    ok(lk_segments_check(&l) == 0 && lk_seg_role(&l, LK_ROLE_HEADER)->headers &&
           !lk_seg_role(&l, LK_ROLE_TEXT)->headers,
       "the header segment holds the headers");
    lk_arena_free(&l.arena);
}

/* -z noseparate-code is an edit of the default list: the same as
 * disabling header and rodata by hand. */
static void check_noseparate(void)
{
    keel_error err;
    keel_link_options opt = {.no_separate_code = true}, plain = {0};
    lk_link z = {.opt = &opt, .err = &err}, e = {.opt = &plain, .err = &err};
    ok(lk_segments_default(&z) == 0 && lk_segments_default(&e) == 0, "both lists build");
    lk_seg_find(&e, "header")->disabled = lk_seg_find(&e, "rodata")->disabled = true;
    bool same = z.nsegs == e.nsegs && z.ncrit == e.ncrit;
    for (size_t i = 0; same && i < z.nsegs; i++)
        same = strcmp(z.segs[i]->name, e.segs[i]->name) == 0 && z.segs[i]->disabled == e.segs[i]->disabled &&
               z.segs[i]->flags == e.segs[i]->flags && z.segs[i]->type == e.segs[i]->type;
    ok(same, "-z noseparate-code's list is the default with header and rodata disabled");
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        bool nz, ne;
        const char *sz = where(&z, &probes[i], &nz), *se = where(&e, &probes[i], &ne);
        ok(!strcmp(sz, probes[i].noseparate) && !strcmp(se, sz) && nz == ne && nz == probes[i].note,
           "-z noseparate-code: %s goes to %s (%s; edited %s)", probes[i].name, probes[i].noseparate, sz, se);
    }
    ok(lk_segments_check(&z) == 0 && lk_seg_role(&z, LK_ROLE_TEXT)->headers &&
           !lk_seg_role(&z, LK_ROLE_HEADER)->headers,
       "-z noseparate-code: the text segment holds the headers");
    lk_arena_free(&z.arena);
    lk_arena_free(&e.arena);
}

static void check_edits(void)
{
    keel_error err;
    keel_link_options opt = {0};
    lk_link l = {.opt = &opt, .err = &err};
    ok(lk_segments_default(&l) == 0, "the list builds");
    /* a new loadable segment after text, and a criterion at the head */
    lk_segment *hot = lk_seg_new(&l, "hot", PT_LOAD, lk_seg_role(&l, LK_ROLE_TEXT)->index + 1);
    ok(hot && lk_seg_role(&l, LK_ROLE_DATA)->index == 4 && l.nsegs == 8 && l.segs[2] == hot &&
           hot->role == LK_ROLE_NONE && !hot->flags,
       "a new segment goes where it is inserted, with no role or flags");
    hot->flags = PF_R | PF_X;
    lk_criterion *c = lk_crit_insert(&l, 0, hot);
    ok(c && l.ncrit == 20 && c == &l.crit[0] && !lk_names_add(&l, &c->names, ".text.hot") &&
           !lk_names_add(&l, &c->names, ".text.hot.*"),
       "a criterion inserted at the head");
    c->glob = true;
    c->set = SHF_ALLOC | SHF_EXECINSTR;
    c->osname = ".text.hot";
    keel_shdr code = {.type = SHT_PROGBITS, .flags = SHF_ALLOC | SHF_EXECINSTR};
    bool note;
    const lk_criterion *m = lk_crit_for(&l, NULL, ".text.hot.f", &code, &note);
    ok(m && m->seg == hot && !strcmp(m->osname, ".text.hot"), ".text.hot.f goes to hot, into .text.hot");
    m = lk_crit_for(&l, NULL, ".text.f", &code, &note);
    ok(m && m->seg == lk_seg_role(&l, LK_ROLE_TEXT), ".text.f still goes to text");
    hot->disabled = true;
    m = lk_crit_for(&l, NULL, ".text.hot.f", &code, &note);
    ok(m && m->seg == lk_seg_role(&l, LK_ROLE_TEXT), "hot disabled: its criterion is passed over");
    /* file patterns: what the link-editor makes matches none */
    hot->disabled = false;
    lk_filepat objname = {.file = "start.o", .kind = LK_FILE_OBJNAME}; /* a mapfile's FILE_OBJNAME */
    c->files = &objname, c->nfiles = 1;
    m = lk_crit_for(&l, NULL, ".text.hot.f", &code, &note);
    ok(m && m->seg == lk_seg_role(&l, LK_ROLE_TEXT), "a file pattern matches no synthetic section");
    lk_file f = {.name = "dir/lib.a(start.o)", .path = "dir/lib.a", .member = "start.o"},
            g = {.name = "dir/other.o", .path = "dir/other.o"};
    ok(lk_crit_matches(c, &f, ".text.hot", &code) && !lk_crit_matches(c, &g, ".text.hot", &code),
       "FILE_OBJNAME matches an archive member by its name, and not another file");
    /* enabling bss takes .bss and .tdata (the TLS image stays together) */
    lk_seg_role(&l, LK_ROLE_BSS)->disabled = false;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++)
        if (!strcmp(probes[i].name, ".bss") || !strcmp(probes[i].name, ".tdata") || !strcmp(probes[i].name, ".tbss"))
            ok(!strcmp(where(&l, &probes[i], &note), "bss"), "bss enabled: %s goes to bss", probes[i].name);
    /* ranks reorder the list, stably */
    lk_seg_role(&l, LK_ROLE_DATA)->rank = 1;
    lk_seg_role(&l, LK_ROLE_NOTE)->rank = 1;
    lk_seg_role(&l, LK_ROLE_EXTRA)->rank = 1;
    ok(lk_segments_check(&l) == 0 && l.segs[l.nsegs - 4] == lk_seg_role(&l, LK_ROLE_BSS) &&
           l.segs[l.nsegs - 3] == lk_seg_role(&l, LK_ROLE_DATA) &&
           l.segs[l.nsegs - 2] == lk_seg_role(&l, LK_ROLE_NOTE) && lk_seg_role(&l, LK_ROLE_DATA)->index == l.nsegs - 3,
       "a higher rank moves data after bss, ties keep their order");
    /* what the model refuses */
    hot->p_align = 0x3000;
    ok(lk_segments_check(&l) != 0 && strstr(err.msg, "not a power of 2"), "an alignment not a power of 2: %s", err.msg);
    hot->p_align = 0;
    hot->has_addr = lk_seg_role(&l, LK_ROLE_DATA)->has_addr = true;
    hot->addr = lk_seg_role(&l, LK_ROLE_DATA)->addr = 0x500000;
    ok(lk_segments_check(&l) != 0 && strstr(err.msg, "same assigned virtual address"), "two at one address: %s",
       err.msg);
    hot->has_addr = false;
    lk_seg_role(&l, LK_ROLE_EXTRA)->disabled = true;
    ok(lk_segments_check(&l) != 0 && strstr(err.msg, "cannot be disabled: extra"), "extra disabled: %s", err.msg);
    lk_arena_free(&l.arena);
}

/* The edits a link can be given (tests/link_segments_model.t). */
static int edit(lk_link *l, void *ctx)
{
    const char *what = ctx;
    if (!strcmp(what, "none"))
        return 0;
    if (!strcmp(what, "noseparate")) { /* -z noseparate-code, by hand */
        lk_seg_role(l, LK_ROLE_HEADER)->disabled = lk_seg_role(l, LK_ROLE_RODATA)->disabled = true;
        return 0;
    }
    if (!strcmp(what, "hot")) { /* .text.hot in a segment of its own after text */
        lk_segment *hot = lk_seg_new(l, "hot", PT_LOAD, lk_seg_role(l, LK_ROLE_TEXT)->index + 1);
        lk_criterion *c = hot ? lk_crit_insert(l, 0, hot) : NULL;
        if (!c || lk_names_add(l, &c->names, ".text.hot"))
            return l->err->code;
        hot->flags = PF_R | PF_X;
        c->set = SHF_ALLOC | SHF_EXECINSTR;
        c->osname = ".text.hot";
        return lk_names_add(l, &hot->size_syms, "hot_segment_size");
    }
    if (!strcmp(what, "bss")) { /* LOAD_SEGMENT bss: enabled */
        lk_seg_role(l, LK_ROLE_BSS)->disabled = false;
        return 0;
    }
    if (!strcmp(what, "order")) { /* .eh_frame before .rodata, and a name nothing has */
        lk_segment *r = lk_seg_role(l, LK_ROLE_RODATA);
        return lk_names_add(l, &r->os_order, ".eh_frame") || lk_names_add(l, &r->os_order, ".nosuch");
    }
    if (!strcmp(what, "zeros")) { /* .bss before .data: refused */
        lk_segment *d = lk_seg_role(l, LK_ROLE_DATA);
        return lk_names_add(l, &d->os_order, ".bss");
    }
    if (!strcmp(what, "maxsize")) {
        lk_seg_role(l, LK_ROLE_TEXT)->max_size = 16;
        return 0;
    }
    if (!strcmp(what, "address")) { /* data at an address of its own */
        lk_seg_role(l, LK_ROLE_DATA)->has_addr = true;
        lk_seg_role(l, LK_ROLE_DATA)->addr = 0x800000;
        lk_seg_role(l, LK_ROLE_DATA)->p_align = 0x10000;
        return 0;
    }
    return lk_fail(l, KEEL_E_FORMAT, "unknown edit %s", what);
}

static int link(int argc, char **argv)
{
    keel_link_input *in = calloc((size_t)argc, sizeof *in);
    if (!in)
        return 2;
    for (int i = 0; i < argc - 2; i++)
        in[i].path = argv[i + 2];
    /* keel link's defaults (tools/ld.c) */
    keel_link_options opt = {.output = argv[1],
                             .inputs = in,
                             .ninputs = (size_t)argc - 2,
                             .relro = true,
                             .diag = diag_print,
                             .diag_ctx = "keel ld"}; /* its warnings, as keel link prints them */
    keel_error err;
    int rc = lk_link_edited(&opt, &err, edit, argv[0]);
    if (rc)
        fprintf(stderr, "link_segments_model: %s\n", err.msg);
    free(in);
    return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && !strcmp(argv[1], "link"))
        return link(argc - 2, argv + 2);
    check_default();
    check_noseparate();
    check_edits();
    printf("1..%d\n", tap_count);
    return tap_failed != 0;
}
