/* The versions a dynamic output defines, as ld.bfd writes them: the
 * sections .gnu.version_d and .gnu.version (their bytes are
 * version_sections.c's), the absolute symbol ld.bfd adds to .dynsym for
 * each version (named as it, of that version: `V1 (ABS, OBJECT)'), the
 * strings they name in .dynstr, the tags DT_VERDEF, DT_VERDEFNUM and
 * DT_VERSYM, and --no-undefined-version's check.  .gnu.version is made
 * when .gnu.version_d or .gnu.version_r (the imports' versions,
 * version_need.c's lk_verneed_count) is. */
#include <string.h>

#include "export_policy.h"
#include "verout.h"
#include "../elfdefs.h"
#include "version_sections.h"
#include "../arch/arch.h"

int lk_verdef_symbols(lk_link *l, lk_sym **dsyms, size_t *n)
{
    size_t count = lk_verdef_count(l);
    for (size_t k = 0; count && k < count - 1; k++) {
        const char *name = lk_verdef_name(l, k);
        lk_sym *s = lk_zalloc(&l->arena, sizeof *s);
        if (!s)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        s->name = name;
        s->state = LK_DEFINED;
        s->type = STT_OBJECT;
        s->pol_flags = LK_POL_DONE | LK_POL_EXPORTED | LK_POL_VERNAME;
        s->pol_ver = (uint16_t)(k + 1); /* (lk_sym_version: index k + 2) */
        s->dynsym = (uint32_t)(*n + 1);
        dsyms[(*n)++] = s;
    }
    return 0;
}

uint32_t lk_dynstr_add(lk_link *l, const char *s, size_t len, uint64_t *at)
{
    lk_dyn *d = l->dyn;
    /* few strings (the versions, the run path): a linear search */
    for (size_t i = 0; i < d->nxstr; i++)
        if (strncmp(d->xstr[i], s, len) == 0 && d->xstr[i][len] == 0)
            return d->xoff[i];
    size_t cap = d->capxstr;
    const char **v = lk_grow(&l->arena, d->xstr, d->nxstr, &cap, sizeof *v, 8);
    uint32_t *o = v ? lk_grow(&l->arena, d->xoff, d->nxstr, &d->capxstr, sizeof *o, 8) : NULL;
    char *copy = o ? lk_strndup(&l->arena, s, len) : NULL;
    if (!copy || *at + len + 1 > UINT32_MAX)
        return 0;
    d->xstr = v, d->xoff = o;
    d->xstr[d->nxstr] = copy;
    d->xoff[d->nxstr++] = (uint32_t)*at;
    *at += len + 1;
    return (uint32_t)(*at - len - 1);
}

/* Register a string .dynstr already holds (a version's symbol's name). */
static int known(lk_link *l, const char *s, uint32_t off)
{
    lk_dyn *d = l->dyn;
    size_t cap = d->capxstr;
    const char **v = lk_grow(&l->arena, d->xstr, d->nxstr, &cap, sizeof *v, 8);
    uint32_t *o = v ? lk_grow(&l->arena, d->xoff, d->nxstr, &d->capxstr, sizeof *o, 8) : NULL;
    if (!o)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    d->xstr = v, d->xoff = o;
    d->xstr[d->nxstr] = s;
    d->xoff[d->nxstr++] = off;
    return 0;
}

/* The base version's name: the soname, else the output's file name. */
static const char *base_name(const lk_link *l)
{
    if (l->opt->soname)
        return l->opt->soname;
    const char *out = l->opt->output ? l->opt->output : "a.out", *slash = strrchr(out, '/');
    return slash ? slash + 1 : out;
}

/* --no-undefined-version: each name a named node's global: list gives
 * exactly must be defined (ld.bfd's words: `NAME: undefined version: V'). */
static int check_defined(lk_link *l)
{
    const lk_policy *p = l->policy;
    if (!l->opt->no_undefined_version || !p)
        return 0;
    for (size_t k = 0; k < p->vers.n; k++) {
        const lk_vnode *n = p->vers.nodes[k];
        for (size_t i = 0; n->name && i < n->npats; i++) {
            const lk_vpat *q = &n->pats[i];
            if (!q->global || !q->literal || q->lang != LK_VLANG_C)
                continue; /* (a C++ name is matched demangled: not checked here) */
            const lk_sym *s = lk_sym_find(&l->syms, q->pattern, lk_hash(q->pattern));
            if (!s || s->state < LK_COMMON)
                return lk_fail(l, KEEL_E_FORMAT, "%s: undefined version: %s", q->pattern, n->name);
        }
    }
    return 0;
}

int lk_dyn_strings(lk_link *l, uint64_t *at)
{
    lk_dyn *d = l->dyn;
    int rc = check_defined(l);
    if (rc)
        return rc;
    /* the versions' symbols' names are the versions' names */
    /* (first: a Verdaux names its version where the version's symbol
     * does, which readelf takes for that symbol) */
    for (size_t i = 0; i < d->ndsyms; i++)
        if ((d->dsyms[i]->pol_flags & LK_POL_VERNAME) && (rc = known(l, d->dsyms[i]->name, d->name_off[i])))
            return rc;
    if (l->opt->soname && (rc = known(l, l->opt->soname, d->soname_off)))
        return rc;
    if (lk_verdef_count(l)) {
        const char *base = base_name(l);
        if (!lk_dynstr_add(l, base, strlen(base), at))
            return lk_fail(l, KEEL_E_NOMEM, ".dynstr: out of memory");
    }
    const char *runpath = lk_runpath(l);
    if (runpath && !(d->runpath_off = lk_dynstr_add(l, runpath, strlen(runpath), at)))
        return lk_fail(l, KEEL_E_NOMEM, ".dynstr: out of memory");
    return 0;
}

int lk_dyn_verout_place(lk_link *l, uint32_t *seq)
{
    lk_dyn *d = l->dyn;
    int rc = 0;
    uint64_t vd = lk_verdef_size(l);
    if (vd || lk_verneed_count(l))
        rc = lk_dyn_section(l, seq, &d->versym, ".gnu.version", SHT_GNU_versym, SHF_ALLOC,
                            2 * ((uint64_t)d->ndsyms + 1), 2);
    if (!rc && vd)
        rc = lk_dyn_section(l, seq, &d->verdef, ".gnu.version_d", SHT_GNU_verdef, SHF_ALLOC, vd, 8);
    return rc;
}

static uint32_t find_string(void *ctx, const char *s, size_t len)
{
    const lk_dyn *d = ((lk_link *)ctx)->dyn;
    for (size_t i = 0; i < d->nxstr; i++)
        if (strncmp(d->xstr[i], s, len) == 0 && d->xstr[i][len] == 0)
            return d->xoff[i];
    return 0; /* (lk_dyn_strings added every name the writer asks) */
}

void lk_dyn_verout_fill(lk_link *l, uint8_t *buf)
{
    lk_dyn *d = l->dyn;
    for (size_t i = 0; i < d->nxstr; i++)
        memcpy(buf + d->dynstr->offset + d->xoff[i], d->xstr[i], strlen(d->xstr[i]) + 1);
    if (d->verdef)
        lk_write_verdef(l, base_name(l), find_string, l, buf + d->verdef->offset, d->verdef->size);
    if (d->versym)
        lk_write_versym(l, d->dsyms, d->ndsyms, buf + d->versym->offset);
}

uint64_t lk_verout_tag_value(const lk_link *l, uint64_t tag)
{
    const lk_dyn *d = l->dyn;
    switch (tag) {
    case DT_VERSYM: return d->versym->addr;
    case DT_VERDEF: return d->verdef->addr;
    case DT_VERDEFNUM: return lk_verdef_count(l);
    case DT_RPATH:
    case DT_RUNPATH: return d->runpath_off;
    case DT_RELR: return d->relr->addr;
    case DT_RELRSZ: return d->relr->size;
    case DT_RELRENT: return l->arch->word_size;
    default: return 0;
    }
}

void lk_verout_shdr(const lk_link *l, const lk_osec *o, keel_shdr *sh)
{
    const lk_dyn *d = l->dyn;
    if (o == d->versym)
        sh->link = d->dynsym->index, sh->entsize = 2;
    else if (o == d->verdef)
        sh->link = d->dynstr->index, sh->info = (uint32_t)lk_verdef_count(l);
    else if (o == d->relr)
        sh->entsize = l->arch->word_size;
}
