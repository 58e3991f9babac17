/* A link's mapfiles applied to its segment model (segments.c): each
 * directive record (mapfile.h) becomes edits of the segment list, the
 * entrance criteria and the link's few global settings, before any input
 * is placed.  What needs the layout (sizes, overlaps, IS_ORDER) is done by
 * the layout through the fields set here (mapfile_apply_match.c).  The
 * decisions the notes leave open are in docs/linker.md, "Mapfiles: the
 * layout".  Errors: "FILE: line N: message", the notes' words. */
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
#include "mapfile.h"

typedef struct applier {
    lk_link *l;
    const mf_directive *d; /* the one being applied */
    const char *file;      /* its file: a new file's criteria go to the head again */
    size_t crit_at;        /* where this file's next criterion goes */
    lk_segment **order;    /* SEGMENT_ORDER */
    size_t norder, caporder;
} applier;

static int fail(applier *a, uint32_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lk_fail(a->l, KEEL_E_FORMAT, "%s: line %u: %s", a->d->file, line, msg);
}

static const char *pt_name(uint32_t type, bool reserve)
{
    return reserve ? "RESERVE" : type == PT_LOAD ? "PT_LOAD" : type == PT_NOTE ? "PT_NOTE" : "PT_NULL";
}

/* A name as an fnmatch pattern that matches only itself. */
static const char *literal(lk_link *l, const char *s)
{
    size_t n = strlen(s), k = 0;
    char *p = lk_alloc(&l->arena, 2 * n + 1);
    if (!p)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (strchr("*?[\\", s[i]))
            p[k++] = '\\';
        p[k++] = s[i];
    }
    p[k] = 0;
    return p;
}

/* A FILE_PATH, FILE_BASENAME or FILE_OBJNAME value, its kind kept:
 * "archive(member)" split in two, an exact name compared by strcmp, a
 * glob or a case-insensitive text by fnmatch (segments.c's file_matches). */
static int add_file(applier *a, lk_criterion *c, size_t *cap, const mf_attr *at, const mf_value *v)
{
    lk_link *l = a->l;
    if (v->kind == MF_V_MATCH && v->match == 'r')
        return fail(a, at->line, "%s = MATCH(r/.../): keel matches files by glob or text, not by regular expression",
                    mf_key_name(at->key));
    if (!(c->files = lk_grow(&l->arena, c->files, c->nfiles, cap, sizeof *c->files, 4)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    lk_filepat *p = &c->files[c->nfiles++];
    *p = (lk_filepat){.kind = at->key == MF_K_FILE_PATH       ? LK_FILE_PATH
                              : at->key == MF_K_FILE_BASENAME ? LK_FILE_BASENAME
                                                              : LK_FILE_OBJNAME,
                      .icase = v->kind == MF_V_MATCH && v->icase,
                      .src = v->str,
                      .match = v->kind == MF_V_MATCH ? v->match : 0};
    bool g = v->kind == MF_V_MATCH && v->match == 'g';
    p->glob = g || p->icase;
    size_t n = strlen(v->str);
    const char *open = n && v->str[n - 1] == ')' ? strrchr(v->str, '(') : NULL;
    size_t fn = open ? (size_t)(open - v->str) : n;
    p->file = lk_strndup(&l->arena, v->str, fn);
    p->member = open ? lk_strndup(&l->arena, open + 1, n - fn - 2) : NULL;
    if (p->glob && !g) { /* a text matched without case: as a glob of itself */
        p->file = p->file ? literal(l, p->file) : NULL;
        p->member = p->member ? literal(l, p->member) : NULL;
    }
    if (!p->file || (open && !p->member))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    return 0;
}

static int is_name(applier *a, lk_criterion *c, const mf_attr *at)
{
    lk_link *l = a->l;
    const mf_value *v = &at->v[at->nv - 1]; /* the last value wins */
    c->names.n = 0;
    c->re = NULL;
    c->glob = true;
    c->name_icase = v->kind == MF_V_MATCH && v->icase;
    if (v->kind == MF_V_MATCH && v->match == 'r') {
        regex_t *re = lk_zalloc(&l->arena, sizeof *re);
        if (!re)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        int rc = regcomp(re, v->str, REG_EXTENDED | (v->icase ? REG_ICASE : 0));
        if (rc) {
            char msg[128];
            regerror(rc, re, msg, sizeof msg);
            return fail(a, at->line, "IS_NAME = MATCH(r/%s/): %s", v->str, msg);
        }
        c->re = re; /* (regfree'd by keel_link_close: lk_mapfile_free) */
        c->re_src = v->str;
        return 0;
    }
    /* a name or text, in its case: strcmp, not fnmatch (a long mapfile's
     * many criteria are tried for every input section) */
    c->glob = (v->kind == MF_V_MATCH && v->match == 'g') || c->name_icase;
    const char *p = !c->glob || v->match == 'g' ? v->str : literal(l, v->str);
    return p ? lk_names_add(l, &c->names, p) : lk_fail(l, KEEL_E_NOMEM, "out of memory");
}

static int output_section(applier *a, lk_criterion *c, const mf_attr *os)
{
    lk_link *l = a->l;
    for (size_t i = 0; i < os->nsub; i++) {
        const mf_attr *at = &os->sub[i];
        switch (at->key) {
        case MF_K_NAME:
            if (at->v[0].kind == MF_V_MATCHREF) {
                const char *t = at->v[0].str;
                if (!c->re)
                    return fail(a, at->line,
                                "NAME = MATCHREF(/%s/): needs IS_NAME = MATCH(r/.../), whose "
                                "subexpressions it refers to",
                                t);
                for (const char *p = strstr(t, "${"); p; p = strstr(p + 2, "${"))
                    if (!(p[2] >= '0' && p[2] <= '9' && p[3] == '}') ||
                        (size_t)(p[2] - '0') > ((regex_t *)c->re)->re_nsub)
                        return fail(a, at->line,
                                    "NAME = MATCHREF(/%s/): %.4s: the expression has %zu subexpressions "
                                    "(${0} to ${%zu})",
                                    t, p, ((regex_t *)c->re)->re_nsub, ((regex_t *)c->re)->re_nsub);
                c->osref = lk_strndup(&l->arena, t, strlen(t));
            } else
                c->osname = lk_strndup(&l->arena, at->v[0].str, strlen(at->v[0].str));
            if (!c->osname && !c->osref)
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            break;
        case MF_K_DISCARD: c->discard = l->mf_discard = true; break;
        case MF_K_ANCILLARY: return fail(a, at->line, "OUTPUT_SECTION ANCILLARY: keel writes no ancillary objects");
        case MF_K_TYPE:
            /* PROGBITS and NOBITS only: an output of another type (a note,
             * an init array, a symbol table...) means what its contents
             * are, which a type written here cannot make so */
            if (at->v[0].num != SHT_PROGBITS && at->v[0].num != SHT_NOBITS)
                return fail(a, at->line,
                            "OUTPUT_SECTION TYPE = %s: keel makes an output section PROGBITS or NOBITS only "
                            "(the other types are what the contents are)",
                            at->v[0].str);
            c->os_type = (uint32_t)at->v[0].num;
            l->mf_retypes = true;
            break;
        case MF_K_FLAGS: { /* on the flags a mapfile names; the others (TLS, MERGE...) stay the inputs' */
            uint64_t v = 0, named = SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR | 0x10000000 /* SHF_X86_64_LARGE */;
            for (size_t k = 0; k < at->nv; k++)
                v |= at->v[k].num;
            if (at->op == MF_SET)
                c->os_flags = true, c->os_set = v, c->os_clear = named & ~v;
            else if (at->op == MF_ADD)
                c->os_set |= v, c->os_clear &= ~v;
            else
                c->os_clear |= v, c->os_set &= ~v;
            if ((c->os_set & (SHF_WRITE | SHF_EXECINSTR)) == (SHF_WRITE | SHF_EXECINSTR))
                return fail(a, at->line,
                            "OUTPUT_SECTION FLAGS: WRITE and EXECUTE together: keel maps no page writable "
                            "and executable");
            l->mf_retypes = true;
            break;
        }
        }
    }
    return 0;
}

static int assign_section(applier *a, lk_segment *g, const mf_attr *as)
{
    lk_link *l = a->l;
    lk_criterion *c = lk_crit_insert(l, a->crit_at++, g);
    if (!c)
        return l->err->code;
    if (as->name && !(c->label = lk_strndup(&l->arena, as->name, strlen(as->name))))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    c->mf_file = a->d->file, c->mf_line = as->line;
    const mf_attr *os = NULL;
    size_t capfiles = 0;
    for (size_t i = 0; i < as->nsub; i++) {
        const mf_attr *at = &as->sub[i];
        int rc = 0;
        switch (at->key) {
        case MF_K_IS_NAME: rc = is_name(a, c, at); break;
        case MF_K_FILE_BASENAME:
        case MF_K_FILE_OBJNAME:
        case MF_K_FILE_PATH:
            for (size_t k = 0; k < at->nv && !rc; k++)
                rc = add_file(a, c, &capfiles, at, &at->v[k]);
            break;
        case MF_K_TYPE: c->type = (uint32_t)at->v[0].num; break;
        case MF_K_FLAGS: /* ORed whatever the operator, as illumos does */
            for (size_t k = 0; k < at->nv; k++)
                *(at->v[k].neg ? &c->clear : &c->set) |= at->v[k].num;
            break;
        case MF_K_OUTPUT_SECTION:
            os = at; /* after IS_NAME, which MATCHREF refers to */
            break;
        }
        if (rc)
            return rc;
    }
    return os ? output_section(a, c, os) : 0;
}

static uint32_t seg_flags(const lk_link *l, const mf_attr *at, uint32_t base)
{
    uint32_t v = 0;
    for (size_t k = 0; k < at->nv; k++)
        v |= at->v[k].kind == MF_V_INT    ? 0
             : at->v[k].key == MF_K_DATA  ? PF_R | PF_W /* amd64's data permissions */
             : at->v[k].key == MF_K_STACK ? PF_R | PF_W | (l->opt->exec_stack ? PF_X : 0)
                                          : (uint32_t)at->v[k].num;
    return at->op == MF_SET ? v : at->op == MF_ADD ? base | v : base & ~v;
}

static int names(applier *a, lk_names *list, const mf_attr *at)
{
    if (at->op == MF_SET)
        list->n = 0;
    for (size_t k = 0; k < at->nv; k++)
        if (lk_names_add(a->l, list, at->v[k].str))
            return a->l->err->code;
    return 0;
}

/* Where a new segment goes: a loadable one before data (after text and
 * the loadable ones made before it), a reservation after the loadable
 * ones, a note after the last note, a null one before extra. */
static size_t new_place(const lk_link *l, uint32_t type, bool reserve)
{
    if (type == PT_LOAD && !reserve)
        return lk_seg_role(l, LK_ROLE_DATA)->index;
    if (type == PT_LOAD)
        return lk_seg_role(l, LK_ROLE_NOTE)->index;
    if (type == PT_NULL)
        return lk_seg_role(l, LK_ROLE_EXTRA)->index;
    size_t at = 0;
    for (size_t i = 0; i < l->nsegs; i++)
        if (l->segs[i]->type == PT_NOTE)
            at = i + 1;
    return at;
}

static int segment(applier *a, const mf_directive *d)
{
    lk_link *l = a->l;
    bool reserve = d->key == MF_K_RESERVE_SEGMENT;
    uint32_t type = d->key == MF_K_NOTE_SEGMENT ? PT_NOTE : d->key == MF_K_NULL_SEGMENT ? PT_NULL : PT_LOAD;
    lk_segment *g = lk_seg_find(l, d->name);
    if (g && (g->type != type || g->reserve != reserve))
        return fail(a, d->line, "%s segment cannot be used with %s directive: %s", pt_name(g->type, g->reserve),
                    mf_key_name(d->key), d->name);
    if (!g) {
        if (!(g = lk_seg_new(l, d->name, type, new_place(l, type, reserve))))
            return l->err->code;
        g->reserve = reserve;
        g->flags_auto = type == PT_LOAD && !reserve; /* (FLAGS below turns it off) */
    }
    g->disabled = false; /* naming a segment enables it */
    for (size_t i = 0; i < d->nattrs; i++) {
        const mf_attr *at = &d->attrs[i];
        uint64_t v = at->nv ? at->v[0].num : 0;
        int rc = 0;
        switch (at->key) {
        case MF_K_ALIGN: g->p_align = v; break;
        case MF_K_ASSIGN_SECTION: rc = assign_section(a, g, at); break;
        case MF_K_DISABLE: g->disabled = true; break;
        case MF_K_FLAGS:
            g->flags = seg_flags(l, at, g->flags_auto ? PF_R : g->flags);
            g->flags_auto = false;
            if ((g->flags & (PF_W | PF_X)) == (PF_W | PF_X))
                return fail(a, at->line,
                            "segment %s: FLAGS WRITE and EXECUTE together: keel maps no page writable and "
                            "executable",
                            g->name);
            break;
        case MF_K_IS_ORDER: rc = names(a, &g->is_order, at); break;
        case MF_K_MAX_SIZE: g->max_size = v; break;
        case MF_K_NOHDR: g->nohdr = true; break;
        case MF_K_OS_ORDER: rc = names(a, &g->os_order, at); break;
        case MF_K_PADDR: g->has_paddr = true, g->paddr = v; break;
        case MF_K_ROUND: g->round = v; break;
        case MF_K_SIZE_SYMBOL: rc = names(a, &g->size_syms, at); break;
        case MF_K_VADDR: g->has_addr = true, g->addr = v; break;
        case MF_K_SIZE: g->reserve_size = v; break;
        case MF_K_TYPE:
            if (at->v[0].key != MF_K_RESERVE)
                return fail(a, at->line,
                            "RESERVE_SEGMENT %s: TYPE = %s is a Solaris kernel statistics area, which Linux "
                            "has not; only TYPE = RESERVE",
                            g->name, mf_key_name(at->v[0].key));
            break;
        default: return fail(a, at->line, "%s: attribute %s is not applied", g->name, mf_key_name(at->key));
        }
        if (rc)
            return rc;
    }
    return 0;
}

static int segment_order(applier *a, const mf_directive *d)
{
    lk_link *l = a->l;
    if (d->op == MF_SET)
        a->norder = l->seg_order.n = 0;
    for (size_t k = 0; k < d->nv; k++) {
        lk_segment *g = lk_seg_find(l, d->v[k].str);
        if (!g)
            return fail(a, d->line, "unknown segment: %s", d->v[k].str);
        if (g->has_addr || g->has_paddr)
            return fail(a, d->line, "segment cannot have an explicit address and also be in the SEGMENT_ORDER list: %s",
                        g->name);
        if (!(a->order = lk_grow(&l->arena, a->order, a->norder, &a->caporder, sizeof *a->order, 8)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        a->order[a->norder++] = g;
        if (lk_names_add(l, &l->seg_order, g->name))
            return l->err->code;
    }
    return 0;
}

static int directive(applier *a, const mf_directive *d)
{
    lk_link *l = a->l;
    switch (d->key) {
    case MF_K_LOAD_SEGMENT:
    case MF_K_NOTE_SEGMENT:
    case MF_K_NULL_SEGMENT:
    case MF_K_RESERVE_SEGMENT: return segment(a, d);
    case MF_K_SEGMENT_ORDER: return segment_order(a, d);
    case MF_K_STACK:
        l->stack_flags = lk_stack_flags(l);
        for (size_t i = 0; i < d->nattrs; i++)
            l->stack_flags = seg_flags(l, &d->attrs[i], l->stack_flags);
        l->has_stack = true;
        return 0;
    case MF_K_HDR_NOALLOC: l->hdr_noalloc = true; return 0;
    case MF_K_PHDR_ADD_NULL:
        if (d->v[0].num > 256)
            return fail(a, d->line, "PHDR_ADD_NULL = %llu: more than the 256 entries keel adds",
                        (unsigned long long)d->v[0].num);
        l->phdr_null = (uint32_t)d->v[0].num;
        return 0;
    case MF_K_CAPABILITY: return lk_apply_capability(l, d);
    case MF_K_SYMBOL_SCOPE:
    case MF_K_SYMBOL_VERSION: return lk_apply_symbol_scope(l, d);
    case MF_K_DEPEND_VERSIONS: return 0; /* once the libraries are read (mapfile_depend.c) */
    default: return fail(a, d->line, "%s: not applied", mf_key_name(d->key));
    }
}

/* SEGMENT_ORDER: its segments first, in its order, then the others in
 * list order (the list is laid out in order; addresses given by VADDR
 * do not move a segment: the PT_LOADs are sorted by address anyway). */
static void reorder(applier *a)
{
    lk_link *l = a->l;
    if (!a->norder)
        return;
    for (size_t k = 0; k < a->norder; k++) {
        lk_segment *g = a->order[k];
        size_t at = g->index;
        memmove(l->segs + k + 1, l->segs + k, (at - k) * sizeof *l->segs);
        l->segs[k] = g;
        for (size_t i = 0; i < l->nsegs; i++)
            l->segs[i]->index = (uint32_t)i;
    }
}

int lk_apply_mapfiles(lk_link *l, const mf_directive *d, size_t n)
{
    applier a = {.l = l};
    l->mf = d, l->nmf = n;
    for (size_t i = 0; i < n; i++) {
        a.d = &d[i];
        if (!a.file || strcmp(a.file, d[i].file) != 0) /* each mapfile's criteria go first, in order */
            a.file = d[i].file, a.crit_at = 0;
        if (l->opt->relocatable && d[i].key != MF_K_SYMBOL_SCOPE && d[i].key != MF_K_SYMBOL_VERSION)
            return fail(&a, d[i].line, "%s: a relocatable output (-r) has no segments", mf_key_name(d[i].key));
        int rc = directive(&a, &d[i]);
        if (rc)
            return rc;
    }
    reorder(&a);
    int prc = lk_mapfile_policy(l); /* SYMBOL_VERSION, SYMBOL_SCOPE: to the export policy (dynamic outputs) */
    if (prc)
        return prc;
    for (size_t i = 0; i < l->nsegs; i++) { /* a reservation within the user address space (x86-64: 2^47) */
        lk_segment *g = l->segs[i];
        if (!g->reserve)
            continue;
        /* a position-independent output is loaded anywhere: its VADDR
         * would move with it, and the kernel would map the whole span from
         * the output's start to it (the program then does not start) */
        if (l->opt->pie || l->opt->shared)
            return lk_fail(l, KEEL_E_UNSUPPORTED,
                           "RESERVE_SEGMENT %s: a reservation needs a fixed address, and a %s is loaded anywhere "
                           "(its VADDR would move with it): link a position-dependent executable (-no-pie)",
                           g->name, l->opt->shared ? "shared object (-shared)" : "PIE (-pie)");
        /* ROUND: a reservation has no first section to align; its size
         * is rounded up to it (the Solaris guide's "rounds the segment
         * size", the one meaning it can have here) */
        if (g->round > 1 && g->reserve_size <= ((uint64_t)1 << 47))
            g->reserve_size = align_up(g->reserve_size, g->round);
        if (g->reserve_size > ((uint64_t)1 << 47) || g->addr > ((uint64_t)1 << 47) - g->reserve_size)
            return lk_fail(l, KEEL_E_RANGE, "RESERVE_SEGMENT %s: VADDR %#llx + SIZE %#llx is above 0x800000000000",
                           g->name, (unsigned long long)g->addr, (unsigned long long)g->reserve_size);
        g->vaddr = g->addr, g->memsz = g->reserve_size; /* (its SIZE_SYMBOLs' value: symtab.c) */
    }
    return 0;
}
