/* What a mapfile's edits may leave unusable, refused once every section is
 * placed (docs/linker.md, "Mapfiles: the layout"): a link that writes a
 * program the kernel or ld.so cannot run, silently, is worse than one that
 * fails.  Each refusal names the mapfile line that caused it when one did
 * ("FILE: line N: ..."):
 *   - an allocated section in a segment that is not loaded (a NULL
 *     segment: the built-in data segment disabled sends .data, .got and
 *     .dynamic to extra), or in a loadable one without the access it
 *     needs (EXECUTE for code: text disabled sends .text to the read-only
 *     rodata segment; WRITE for writable data, TLS templates excepted,
 *     which are only read);
 *   - the ELF and program headers left out of every PT_LOAD (HDR_NOALLOC,
 *     NOHDR) in a program whose start-up reads them through AT_PHDR: one
 *     with an interpreter (ld.so), or one linked with a C library
 *     (__libc_start_main: glibc's and musl's static start-up find their
 *     TLS image there). */
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
#include "dyn.h"
#include "mapfile.h"

/* The last directive of the mapfiles naming segment seg (NULL: any
 * directive) with attribute key (MF_K_NONE: the directive itself, of that
 * directive key dkey); its file and line in *file, *line. */
static bool cause(const lk_link *l, const char *seg, unsigned dkey, unsigned key, const char **file, uint32_t *line)
{
    bool found = false;
    for (size_t i = 0; i < l->nmf; i++) {
        const mf_directive *d = &((const mf_directive *)l->mf)[i];
        if (seg && (!d->name || strcmp(d->name, seg) != 0 ||
                    (d->key != MF_K_LOAD_SEGMENT && d->key != MF_K_NULL_SEGMENT && d->key != MF_K_NOTE_SEGMENT)))
            continue;
        if (!seg && d->key != dkey)
            continue;
        if (key == MF_K_NONE) {
            *file = d->file, *line = d->line, found = true;
            continue;
        }
        for (size_t k = 0; k < d->nattrs; k++)
            if (d->attrs[k].key == key)
                *file = d->file, *line = d->attrs[k].line, found = true;
    }
    return found;
}

/* The input section that stands for output section o (its first piece's),
 * else o itself as the link-editor made it: its name, header and file. */
static void sample(const lk_osec *o, const lk_file **f, const char **name, keel_shdr *sh)
{
    *f = NULL, *name = o->name;
    *sh = (keel_shdr){.type = o->type, .flags = o->flags};
    for (size_t i = 0; i < o->npieces; i++) {
        const lk_piece *p = &o->pieces[i];
        keel_shdr s;
        const char *n;
        if (p->file && !keel_elf_shdr(&p->file->elf, p->shndx, &s, NULL) &&
            !keel_elf_section_name(&p->file->elf, &s, &n, NULL)) {
            *f = p->file, *name = n, *sh = s;
            return;
        }
    }
}

/* The segment a mapfile disabled that a criterion tried before the one
 * that placed the section would have given it (the first such: bss,
 * disabled by default, is passed over); NULL if none.  Its DISABLE's
 * file and line in *file, *line. */
static const lk_segment *disabled_for(const lk_link *l, const lk_file *f, const char *name, const keel_shdr *sh,
                                      const char **file, uint32_t *line)
{
    for (size_t i = 0; i < l->ncrit; i++) {
        const lk_criterion *c = &l->crit[i];
        if (c->seg->type == PT_NOTE || !lk_crit_matches(c, f, name, sh))
            continue;
        if (!c->seg->disabled)
            return NULL;
        if (cause(l, c->seg->name, 0, MF_K_DISABLE, file, line))
            return c->seg;
    }
    return NULL;
}

static int refuse(lk_link *l, const lk_segment *g, const lk_osec *o, const char *what)
{
    const lk_file *f;
    const char *name, *file;
    keel_shdr sh;
    uint32_t line;
    sample(o, &f, &name, &sh);
    char from[300] = "";
    if (f)
        snprintf(from, sizeof from, " (%s%s%s%s)", f->path, f->member ? "(" : "", f->member ? f->member : "",
                 f->member ? ")" : "");
    const lk_segment *off = disabled_for(l, f, name, &sh, &file, &line);
    if (off)
        return lk_fail(l, KEEL_E_RANGE, "%s: line %u: segment %s is disabled: its section %s%s goes to segment %s, %s",
                       file, line, off->name, o->name, from, g->name, what);
    if ((g->type == PT_LOAD && !g->flags_auto && cause(l, g->name, 0, MF_K_FLAGS, &file, &line)) ||
        cause(l, g->name, 0, MF_K_ASSIGN_SECTION, &file, &line))
        return lk_fail(l, KEEL_E_RANGE, "%s: line %u: segment %s: section %s%s goes to it, %s", file, line, g->name,
                       o->name, from, what);
    return lk_fail(l, KEEL_E_RANGE, "segment %s: section %s%s goes to it, %s", g->name, o->name, from, what);
}

/* A section the link-editor makes keeps its type and flags (its writer
 * counts on them): a criterion that names it with OUTPUT_SECTION's TYPE or
 * FLAGS is refused (one that takes it by its flags alone edits the inputs
 * it takes, not it). */
static int made_kept(lk_link *l, const lk_osec *o)
{
    for (size_t i = 0; i < o->npieces; i++)
        if (o->pieces[i].file)
            return 0;
    keel_shdr sh = {.type = o->type, .flags = o->flags};
    bool note;
    const lk_criterion *c = lk_crit_for(l, NULL, o->name, &sh, &note);
    if (!c || !c->mf_file || (!c->names.n && !c->re) || (!c->os_type && !c->os_set && !c->os_clear))
        return 0;
    return lk_fail(l, KEEL_E_UNSUPPORTED,
                   "%s: line %u: OUTPUT_SECTION TYPE or FLAGS: section %s is the link-editor's, which keeps its "
                   "type and flags",
                   c->mf_file, c->mf_line, o->name);
}

static int check_headers(lk_link *l)
{
    if (lk_seg_headers(l))
        return 0;
    const char *why = NULL;
    if (l->dyn && l->dyn->interp)
        why = "ld.so reads them through AT_PHDR";
    else {
        const lk_sym *s = lk_sym_find(&l->syms, "__libc_start_main", lk_hash("__libc_start_main"));
        if (s) /* crt1.o refers to it */
            why = "the C library's start-up (__libc_start_main) reads them through AT_PHDR";
    }
    if (!why)
        return 0;
    const char *file = "mapfile";
    uint32_t line = 0;
    const char *what = "HDR_NOALLOC";
    if (!l->hdr_noalloc) {
        what = "NOHDR";
        for (size_t i = 0; i < l->nsegs; i++)
            if (l->segs[i]->nohdr && cause(l, l->segs[i]->name, 0, MF_K_NOHDR, &file, &line))
                break;
    } else
        cause(l, NULL, MF_K_HDR_NOALLOC, MF_K_NONE, &file, &line);
    return lk_fail(l, KEEL_E_RANGE,
                   "%s: line %u: %s: the ELF and program headers would be in no loadable segment, and %s: "
                   "the program could not start",
                   file, line, what, why);
}

int lk_mapfile_check(lk_link *l)
{
    if (!l->nmf)
        return 0;
    int drc = lk_depend_check(l); /* DEPEND_VERSIONS (mapfile_depend.c) */
    if (drc)
        return drc;
    for (size_t s = 0; s < l->nsegs; s++) {
        const lk_segment *g = l->segs[s];
        uint32_t pf = g->type == PT_LOAD ? lk_seg_flags(g) : 0;
        for (size_t i = 0; i < g->nsecs; i++) {
            const lk_osec *o = g->secs[i];
            if (!(o->flags & SHF_ALLOC))
                continue;
            int rc = l->mf_retypes ? made_kept(l, o) : 0;
            if (rc)
                return rc;
            if (g->type != PT_LOAD)
                rc = refuse(l, g, o, "which is not loaded: the section would be at no address");
            else if ((o->flags & SHF_EXECINSTR) && !(pf & PF_X))
                rc = refuse(l, g, o, "which is not executable (its code could not run)");
            else if ((o->flags & SHF_WRITE) && !(o->flags & SHF_TLS) && !(pf & PF_W))
                rc = refuse(l, g, o, "which is not writable (its data could not be written)");
            if (rc)
                return rc;
        }
    }
    return check_headers(l);
}
