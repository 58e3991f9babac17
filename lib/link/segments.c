/* The segment model as data: the link's list of segments, with their
 * attributes, and its vector of entrance criteria, tried in order, that
 * send each input section to a segment (layout.c places by them).
 *
 * Both are built per link from the defaults below (GNU ld's -z
 * separate-code layout, in the Solaris link-editor's model of predefined
 * segments and criteria), and the options are then edits of them, as a
 * mapfile's directives will be: -z noseparate-code disables two segments.
 * Until lk_place_sections, the list and the criteria may be edited freely
 * (segments made, disabled, given attributes or ranks; criteria inserted);
 * after, they are read only.  Code that needs one of the built-in
 * segments asks for it by its role (lk_seg_role), never by its place. */
#include <fnmatch.h>
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"

/* The built-in segments, in address order. */
static const struct {
    const char *name;
    uint8_t role;
    uint32_t type, flags;
    bool disabled;
} default_segments[] = {
    {"header", LK_ROLE_HEADER, PT_LOAD, PF_R, false}, {"text", LK_ROLE_TEXT, PT_LOAD, PF_R | PF_X, false},
    {"rodata", LK_ROLE_RODATA, PT_LOAD, PF_R, false}, {"data", LK_ROLE_DATA, PT_LOAD, PF_R | PF_W, false},
    {"bss", LK_ROLE_BSS, PT_LOAD, PF_R | PF_W, true}, {"note", LK_ROLE_NOTE, PT_NOTE, PF_R, false},
    {"extra", LK_ROLE_EXTRA, PT_NULL, 0, false},
};

/* The built-in entrance criteria, last in the vector (a mapfile's go
 * before them).  A criterion of a disabled segment is passed over. */
static const struct {
    uint32_t type;
    uint64_t set, clear;
    const char *name;
    uint8_t role;
} default_criteria[] = {
    {SHT_NOTE, 0, 0, NULL, LK_ROLE_NOTE},
    /* where a note is loaded (the note segment only describes it), and
     * the IFUNCs' relocations: after the headers, as GNU ld has them */
    {SHT_NOTE, SHF_ALLOC, 0, NULL, LK_ROLE_HEADER},
    {SHT_RELA, SHF_ALLOC, 0, NULL, LK_ROLE_HEADER},
    /* a dynamic output's interpreter, hash tables and dynamic symbols */
    {SHT_PROGBITS, SHF_ALLOC, SHF_WRITE | SHF_EXECINSTR, ".interp", LK_ROLE_HEADER},
    {SHT_HASH, SHF_ALLOC, 0, NULL, LK_ROLE_HEADER},
    {0, SHF_ALLOC, 0, ".gnu.hash", LK_ROLE_HEADER}, /* (by name: a mapfile has no name for its type) */
    {SHT_DYNSYM, SHF_ALLOC, 0, NULL, LK_ROLE_HEADER},
    {SHT_STRTAB, SHF_ALLOC, 0, ".dynstr", LK_ROLE_HEADER},
    /* the versions and the packed relocations (version_need.c, verout.h), by name as .gnu.hash */
    {0, SHF_ALLOC, 0, ".gnu.version", LK_ROLE_HEADER},
    {0, SHF_ALLOC, 0, ".gnu.version_d", LK_ROLE_HEADER},
    {0, SHF_ALLOC, 0, ".gnu.version_r", LK_ROLE_HEADER},
    {0, SHF_ALLOC, 0, ".relr.dyn", LK_ROLE_HEADER},
    {0, SHF_ALLOC | SHF_EXECINSTR, SHF_WRITE, NULL, LK_ROLE_TEXT},
    {0, SHF_ALLOC, SHF_WRITE, NULL, LK_ROLE_RODATA},
    /* with header and rodata disabled (-z noseparate-code) */
    {0, SHF_ALLOC, SHF_WRITE, NULL, LK_ROLE_TEXT},
    {0, SHF_ALLOC | SHF_WRITE, 0, ".tdata", LK_ROLE_BSS},
    {SHT_NOBITS, SHF_ALLOC | SHF_WRITE, 0, NULL, LK_ROLE_BSS},
    {0, SHF_ALLOC | SHF_WRITE, 0, NULL, LK_ROLE_DATA},
    {0, 0, 0, NULL, LK_ROLE_EXTRA},
};

lk_segment *lk_seg_new(lk_link *l, const char *name, uint32_t type, size_t at)
{
    lk_segment *g = lk_zalloc(&l->arena, sizeof *g);
    if (!g || !(g->name = lk_strndup(&l->arena, name, strlen(name))) ||
        !(l->segs = lk_grow(&l->arena, l->segs, l->nsegs, &l->capsegs, sizeof *l->segs, 16))) {
        lk_fail(l, KEEL_E_NOMEM, "out of memory");
        return NULL;
    }
    g->type = type;
    if (at > l->nsegs)
        at = l->nsegs;
    memmove(l->segs + at + 1, l->segs + at, (l->nsegs - at) * sizeof *l->segs);
    l->segs[at] = g;
    l->nsegs++;
    for (size_t i = at; i < l->nsegs; i++)
        l->segs[i]->index = (uint32_t)i;
    return g;
}

lk_segment *lk_seg_find(const lk_link *l, const char *name)
{
    for (size_t i = 0; i < l->nsegs; i++)
        if (strcmp(l->segs[i]->name, name) == 0)
            return l->segs[i];
    return NULL;
}

lk_criterion *lk_crit_insert(lk_link *l, size_t at, lk_segment *seg)
{
    if (!(l->crit = lk_grow(&l->arena, l->crit, l->ncrit, &l->capcrit, sizeof *l->crit, 16))) {
        lk_fail(l, KEEL_E_NOMEM, "out of memory");
        return NULL;
    }
    if (at > l->ncrit)
        at = l->ncrit;
    memmove(l->crit + at + 1, l->crit + at, (l->ncrit - at) * sizeof *l->crit);
    l->crit[at] = (lk_criterion){.seg = seg};
    l->ncrit++;
    return &l->crit[at];
}

int lk_names_add(lk_link *l, lk_names *list, const char *name)
{
    char *copy = lk_strndup(&l->arena, name, strlen(name));
    if (!copy || !(list->v = lk_grow(&l->arena, list->v, list->n, &list->cap, sizeof *list->v, 4)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    list->v[list->n++] = copy;
    return 0;
}

int lk_segments_default(lk_link *l)
{
    l->nsegs = l->ncrit = 0;
    memset(l->roles, 0, sizeof l->roles);
    for (size_t i = 0; i < sizeof default_segments / sizeof default_segments[0]; i++) {
        lk_segment *g = lk_seg_new(l, default_segments[i].name, default_segments[i].type, l->nsegs);
        if (!g)
            return l->err->code;
        g->role = default_segments[i].role;
        g->flags = default_segments[i].flags;
        g->disabled = default_segments[i].disabled;
        l->roles[g->role] = g;
    }
    for (size_t i = 0; i < sizeof default_criteria / sizeof default_criteria[0]; i++) {
        lk_criterion *c = lk_crit_insert(l, l->ncrit, l->roles[default_criteria[i].role]);
        if (!c || (default_criteria[i].name && lk_names_add(l, &c->names, default_criteria[i].name)))
            return l->err->code;
        c->type = default_criteria[i].type;
        c->set = default_criteria[i].set;
        c->clear = default_criteria[i].clear;
    }
    /* the options, as edits of the defaults */
    if (l->opt->no_separate_code) /* the headers and read-only data join the text segment */
        lk_seg_role(l, LK_ROLE_HEADER)->disabled = lk_seg_role(l, LK_ROLE_RODATA)->disabled = true;
    return 0;
}

/* The list in layout order: by rank, ties in list order (a stable
 * insertion sort: a handful of segments). */
static void order(lk_link *l)
{
    for (size_t i = 1; i < l->nsegs; i++) {
        lk_segment *g = l->segs[i];
        size_t k = i;
        for (; k > 0 && l->segs[k - 1]->rank > g->rank; k--)
            l->segs[k] = l->segs[k - 1];
        l->segs[k] = g;
    }
}

int lk_segments_check(lk_link *l)
{
    if (!l->nsegs) {
        int rc = lk_segments_default(l);
        if (rc)
            return rc;
    }
    order(l);
    for (size_t i = 0; i < l->nsegs; i++) {
        lk_segment *g = l->segs[i];
        g->index = (uint32_t)i;
        g->headers = false;
        if (g->p_align & (g->p_align - 1))
            return lk_fail(l, KEEL_E_RANGE, "segment %s: alignment %#llx is not a power of 2", g->name,
                           (unsigned long long)g->p_align);
        if (g->type != PT_LOAD && (g->has_addr || g->p_align || g->max_size || g->size_syms.n))
            return lk_fail(l, KEEL_E_RANGE,
                           "segment %s: only a loadable segment has an address, an alignment, "
                           "a maximum size or size symbols",
                           g->name);
        for (size_t k = 0; k < i; k++)
            if (g->has_addr && l->segs[k]->has_addr && !g->disabled && !l->segs[k]->disabled &&
                g->addr == l->segs[k]->addr)
                return lk_fail(l, KEEL_E_RANGE, "segments '%s' and '%s' have the same assigned virtual address",
                               l->segs[k]->name, g->name);
    }
    for (int r = LK_ROLE_HEADER; r < LK_NROLES; r++)
        if (!l->roles[r])
            return lk_fail(l, KEEL_E_FORMAT, "the segment list has no segment of role %d", r);
    if (l->roles[LK_ROLE_EXTRA]->disabled)
        return lk_fail(l, KEEL_E_FORMAT, "segment cannot be disabled: %s", l->roles[LK_ROLE_EXTRA]->name);
    /* the headers: at the start of the first loadable segment */
    for (size_t i = 0; i < l->nsegs; i++)
        if (l->segs[i]->type == PT_LOAD && !l->segs[i]->disabled && !l->segs[i]->reserve) {
            l->segs[i]->headers = true;
            break;
        }
    return 0;
}

static bool name_matches(const lk_names *list, bool glob, int fl, const char *name)
{
    for (size_t i = 0; i < list->n; i++)
        if (glob ? fnmatch(list->v[i], name, fl) == 0 : strcmp(list->v[i], name) == 0)
            return true;
    return false;
}

static bool file_part(const lk_filepat *p, const char *pat, const char *s)
{
    return p->glob ? fnmatch(pat, s, p->icase ? FNM_CASEFOLD : 0) == 0 : strcmp(pat, s) == 0;
}

/* A mapfile's FILE_* values against the file (the notes): PATH is the
 * file as given on the command line (an archive's, for its members),
 * BASENAME its last component, OBJNAME the archive member's name or a
 * plain file's basename; a value "archive(member)" matches that member
 * only.  Each kind against its own form: FILE_PATH = foo.o is not
 * dir/foo.o. */
static bool file_matches(const lk_criterion *c, const lk_file *f)
{
    if (!f) /* what the link-editor makes comes from no file */
        return false;
    /* a file's sections are placed one after another: the answer for the
     * last file saves a mapfile's many criteria most of their fnmatch
     * calls (the link is single-threaded here; the criteria are the
     * link's own, so the memo may be written) */
    lk_criterion *m = (lk_criterion *)c;
    if (c->memo_file == f)
        return c->memo_match;
    const char *base = strrchr(f->path, '/');
    base = base ? base + 1 : f->path;
    bool match = false;
    for (size_t i = 0; i < c->nfiles && !match; i++) {
        const lk_filepat *p = &c->files[i];
        if (p->member && (!f->member || !file_part(p, p->member, f->member)))
            continue;
        const char *s = p->kind == LK_FILE_PATH                                 ? f->path
                        : p->kind == LK_FILE_OBJNAME && f->member && !p->member ? f->member
                                                                                : base;
        match = file_part(p, p->file, s);
    }
    m->memo_file = f;
    m->memo_match = match;
    return match;
}

/* All but the FILE_* values */
static bool section_matches(const lk_criterion *c, const char *name, const keel_shdr *sh)
{
    return (!c->type || c->type == sh->type) && (sh->flags & c->set) == c->set && !(sh->flags & c->clear) &&
           (c->re ? lk_crit_re_matches(c, name, NULL) /* a mapfile's MATCH(r/ERE/) */
                  : !c->names.n || name_matches(&c->names, c->glob, c->name_icase ? FNM_CASEFOLD : 0, name));
}

bool lk_crit_matches(const lk_criterion *c, const lk_file *f, const char *name, const keel_shdr *sh)
{
    return section_matches(c, name, sh) && (!c->nfiles || file_matches(c, f));
}

/* The criteria that may match a section of f, in order (their indices):
 * those without FILE_* values and those whose values match f.  A file's
 * sections are placed one after another, so the list is made once per
 * file: a long mapfile of FILE_* criteria that name other files costs a
 * test per file, not per section (it was 8% of static Python's link with
 * 66 of them).  NULL (then every criterion is tried) when no criterion
 * has FILE_* values, or out of memory.  (The link is single-threaded
 * here and the list is the link's own: it may be written.) */
static const uint32_t *crit_live(const lk_link *cl, const lk_file *f, size_t *n)
{
    lk_link *l = (lk_link *)cl;
    if (l->live_ncrit == l->ncrit && l->nlive == UINT32_MAX)
        return NULL; /* (no FILE_* values: known since the criteria were last counted) */
    if (l->live_ncrit == l->ncrit && l->live_file == f) {
        *n = l->nlive;
        return l->live;
    }
    bool files = false;
    for (size_t i = 0; i < l->ncrit && !files; i++)
        files = l->crit[i].nfiles != 0;
    if (!files || l->ncrit >= UINT32_MAX) {
        l->live_ncrit = (uint32_t)l->ncrit, l->nlive = UINT32_MAX;
        return NULL;
    }
    if (l->live_cap < l->ncrit) {
        uint32_t *v = lk_alloc(&l->arena, l->ncrit * sizeof *v);
        if (!v)
            return NULL;
        l->live = v, l->live_cap = (uint32_t)l->ncrit;
    }
    uint32_t k = 0;
    for (size_t i = 0; i < l->ncrit; i++)
        if (!l->crit[i].nfiles || file_matches(&l->crit[i], f))
            l->live[k++] = (uint32_t)i;
    l->nlive = k, l->live_file = f, l->live_ncrit = (uint32_t)l->ncrit;
    *n = k;
    return l->live;
}

/* Whether c's IS_NAME values are exact names none of which has the
 * name's hash *h (computed on first need): then c cannot match, known
 * for the cost of a compare each (a mapfile of 66 IS_NAME criteria that
 * no input matches made static Python's link 6.7% slower, most of it
 * strcmp).  The hashes are made on first use (the link is
 * single-threaded here, and the criteria its own). */
static bool name_excluded(const lk_link *cl, const lk_criterion *cc, const char *name, uint32_t *h, bool *hashed)
{
    if (!cc->names.n || cc->glob || cc->re || cc->name_icase)
        return false;
    lk_criterion *c = (lk_criterion *)cc;
    if (!c->name_hash) {
        lk_link *l = (lk_link *)cl;
        if (!(c->name_hash = lk_alloc(&l->arena, c->names.n * sizeof *c->name_hash)))
            return false; /* (out of memory: the names are compared) */
        for (size_t k = 0; k < c->names.n; k++)
            c->name_hash[k] = lk_hash(c->names.v[k]);
    }
    if (!*hashed)
        *h = lk_hash(name), *hashed = true;
    for (size_t k = 0; k < c->names.n; k++)
        if (c->name_hash[k] == *h)
            return false;
    return true;
}

const lk_criterion *lk_crit_for(const lk_link *l, const lk_file *f, const char *name, const keel_shdr *sh, bool *note)
{
    *note = false;
    size_t n;
    const uint32_t *live = crit_live(l, f, &n);
    if (!live)
        n = l->ncrit;
    uint32_t h = 0;
    bool hashed = false;
    for (size_t i = 0; i < n; i++) {
        const lk_criterion *c = &l->crit[live ? live[i] : i];
        if (c->seg->disabled || name_excluded(l, c, name, &h, &hashed) || !section_matches(c, name, sh) ||
            (!live && c->nfiles && !file_matches(c, f)))
            continue;
        if (c->seg->type != PT_NOTE)
            return c;
        *note = true;
    }
    return NULL;
}

bool lk_seg_size_symbol(const lk_link *l, const char *name, uint64_t *v)
{
    for (size_t i = 0; i < l->nsegs; i++)
        for (size_t k = 0; k < l->segs[i]->size_syms.n; k++)
            if (strcmp(l->segs[i]->size_syms.v[k], name) == 0) {
                if (v)
                    *v = l->segs[i]->memsz;
                return true;
            }
    return false;
}
