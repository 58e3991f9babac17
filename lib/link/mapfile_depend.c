/* A mapfile's DEPEND_VERSIONS obj { ALLOW = v; REQUIRE = v; }
 * (docs/linker.md, "Mapfiles: the layout"), on Linux's symbol versions:
 *
 * - obj is a shared library of the link, by its DT_SONAME or the last
 *   component of its file name; one that no input has is an error;
 * - ALLOW = v: the output may bind only to the library's symbols of
 *   version v, of the versions v inherits (its Verdaux parents, at any
 *   depth) and of its base version; a reference that resolved to another
 *   version is refused, as Solaris' link-editor does ("symbol belongs to
 *   unavailable version"): GNU ld has no such check;
 * - REQUIRE = v: .gnu.version_r names v for the library although no
 *   import binds to it (version_need.c adds it), so ld.so refuses to run
 *   the output with an older library that lacks v.
 *
 * Each version named must be one the library defines (.gnu.version_d).
 * Checked once the symbols are resolved (lk_depend_check, from
 * lk_mapfile_check); REQUIRE is written by lk_verneed_plan. */
#include <string.h>

#include "internal.h"
#include "dso.h"
#include "mapfile.h"

/* One version definition of a library: its index and names (the first its
 * own, the others the versions it inherits). */
typedef struct dv_def {
    uint16_t ndx;
    uint16_t flags;
    const char **names;
    uint16_t nnames;
} dv_def;

static uint16_t rd16(const lk_dso *d, const uint8_t *p)
{
    uint16_t x;
    memcpy(&x, p, 2);
    return d->elf.byteorder == 2 ? (uint16_t)((x >> 8) | (x << 8)) : x;
}

static uint32_t rd32(const lk_dso *d, const uint8_t *p)
{
    uint32_t x;
    memcpy(&x, p, 4);
    return d->elf.byteorder == 2 ? __builtin_bswap32(x) : x;
}

/* The library's version definitions, each entry checked against its
 * section (Elf_Verdef: vd_version 2, vd_flags 2, vd_ndx 2, vd_cnt 2,
 * vd_hash 4, vd_aux 4, vd_next 4; Elf_Verdaux: vda_name 4, vda_next 4). */
static int defs_of(lk_link *l, const lk_dso *d, dv_def **out, size_t *n)
{
    const keel_versions *v = &d->vers;
    *out = NULL, *n = 0;
    if (!v->verdef || !v->verdef_num)
        return 0;
    dv_def *defs = lk_zalloc(&l->arena, (size_t)v->verdef_num * sizeof *defs);
    if (!defs)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    *out = defs;
    uint64_t off = 0;
    for (uint32_t k = 0; k < v->verdef_num; k++) {
        if (off > v->verdef_size || v->verdef_size - off < 20)
            return lk_fail(l, KEEL_E_FORMAT, "%s: .gnu.version_d: entry %u at %#llx runs past the section", d->path, k,
                           (unsigned long long)off);
        const uint8_t *e = v->verdef + off;
        dv_def *f = &defs[(*n)++];
        f->flags = rd16(d, e + 2), f->ndx = rd16(d, e + 4) & 0x7fff;
        uint16_t cnt = rd16(d, e + 6);
        uint32_t vd_aux = rd32(d, e + 12), vd_next = rd32(d, e + 16);
        if (cnt && !(f->names = lk_alloc(&l->arena, cnt * sizeof *f->names)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        uint64_t aux = off + vd_aux;
        for (uint16_t a = 0; a < cnt; a++) {
            if (aux > v->verdef_size || v->verdef_size - aux < 8)
                return lk_fail(l, KEEL_E_FORMAT, "%s: .gnu.version_d: entry %u: auxiliary entry out of range", d->path,
                               k);
            keel_error e2;
            if (keel_strtab_get(&v->strings, rd32(d, v->verdef + aux), &f->names[f->nnames], &e2))
                return lk_fail(l, KEEL_E_FORMAT, "%s: .gnu.version_d: entry %u: %s", d->path, k, e2.msg);
            f->nnames++;
            uint32_t next = rd32(d, v->verdef + aux + 4);
            if (!next)
                break;
            aux += next;
        }
        if (!vd_next)
            break;
        off += vd_next;
    }
    return 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* The shared library DEPEND_VERSIONS names: its soname, else its file's
 * name */
static lk_dso *dso_named(const lk_link *l, const char *name)
{
    for (size_t i = 0; i < l->ndsos; i++)
        if (l->dsos[i]->soname && strcmp(l->dsos[i]->soname, name) == 0)
            return l->dsos[i];
    for (size_t i = 0; i < l->ndsos; i++)
        if (strcmp(base_name(l->dsos[i]->path), name) == 0)
            return l->dsos[i];
    return NULL;
}

/* the definition named (not the base: it is the library's own name) */
static const dv_def *def_named(const dv_def *defs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (!(defs[i].flags & 1 /* VER_FLG_BASE */) && defs[i].nnames && strcmp(defs[i].names[0], name) == 0)
            return &defs[i];
    return NULL;
}

/* allowed[ndx]: the version and those it inherits, at any depth (each
 * marked once: the walk ends) */
static void allow(const dv_def *defs, size_t n, const dv_def *v, bool *allowed, size_t nallowed)
{
    if (v->ndx >= nallowed || allowed[v->ndx])
        return;
    allowed[v->ndx] = true;
    for (uint16_t p = 1; p < v->nnames; p++) {
        const dv_def *parent = def_named(defs, n, v->names[p]);
        if (parent)
            allow(defs, n, parent, allowed, nallowed);
    }
}

static const mf_directive *directive(const lk_link *l, size_t i) { return &((const mf_directive *)l->mf)[i]; }

/* the ALLOW check of library d, whose first DEPEND_VERSIONS is directive
 * k: the imports of the objects that resolved to d, each of a version
 * allowed */
static int check_allow(lk_link *l, size_t k, const lk_dso *d, const dv_def *defs, size_t n)
{
    uint16_t max = 1;
    for (size_t i = 0; i < n; i++)
        if (defs[i].ndx > max)
            max = defs[i].ndx;
    bool *allowed = lk_zalloc(&l->arena, (size_t)max + 1);
    if (!allowed)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    allowed[0] = allowed[1] = true; /* local, and the base version (unversioned) */
    bool any = false;
    for (size_t i = k; i < l->nmf; i++) { /* every DEPEND_VERSIONS of d: their ALLOWs add up */
        const mf_directive *m = directive(l, i);
        if (m->key != MF_K_DEPEND_VERSIONS || dso_named(l, m->name) != d)
            continue;
        for (size_t a = 0; a < m->nattrs; a++)
            for (size_t x = 0; m->attrs[a].key == MF_K_ALLOW && x < m->attrs[a].nv; x++) {
                const dv_def *v = def_named(defs, n, m->attrs[a].v[x].str);
                if (v) /* (checked by the caller) */
                    allow(defs, n, v, allowed, (size_t)max + 1);
                any = true;
            }
    }
    if (!any) /* no ALLOW: every version may be bound to */
        return 0;
    /* the imports are in no sorted list (lk_sorted_symbols: definitions):
     * the table, the offender first by name (the same message every run) */
    const lk_sym *bad = NULL;
    for (size_t i = 0; i < l->syms.cap; i++) {
        const lk_sym *s = l->syms.v[i];
        uint16_t vi = s ? s->dso_version & 0x7fff : 0;
        if (!s || s->state != LK_SHARED || s->dso != d || !s->ref || vi > max || allowed[vi])
            continue;
        if (!bad || strcmp(s->name, bad->name) < 0)
            bad = s;
    }
    if (bad) {
        uint16_t vi = bad->dso_version & 0x7fff;
        const char *vname = "?";
        for (size_t f = 0; f < n; f++)
            if (defs[f].ndx == vi && defs[f].nnames)
                vname = defs[f].names[0];
        const mf_directive *m = directive(l, k);
        return lk_fail(l, KEEL_E_INDEX,
                       "%s: undefined reference to '%s': symbol belongs to unavailable version %s (%s) "
                       "(%s: line %u: DEPEND_VERSIONS ALLOW)",
                       bad->ref->name, bad->name, d->path, vname, m->file, m->line);
    }
    return 0;
}

int lk_depend_check(lk_link *l)
{
    for (size_t k = 0; k < l->nmf; k++) {
        const mf_directive *m = directive(l, k);
        if (m->key != MF_K_DEPEND_VERSIONS)
            continue;
        lk_dso *d = dso_named(l, m->name);
        if (!d)
            return lk_fail(l, KEEL_E_INDEX,
                           "%s: line %u: DEPEND_VERSIONS %s: no shared library of that name (DT_SONAME or file "
                           "name) is an input of the link",
                           m->file, m->line, m->name);
        dv_def *defs;
        size_t n;
        int rc = defs_of(l, d, &defs, &n);
        if (rc)
            return rc;
        bool first = true;
        for (size_t i = 0; i < k; i++) /* (one ALLOW check per library: at its first directive) */
            first &= !(directive(l, i)->key == MF_K_DEPEND_VERSIONS && dso_named(l, directive(l, i)->name) == d);
        for (size_t a = 0; a < m->nattrs; a++) {
            const mf_attr *at = &m->attrs[a];
            for (size_t x = 0; x < at->nv; x++) {
                if (!def_named(defs, n, at->v[x].str))
                    return lk_fail(l, KEEL_E_INDEX,
                                   "%s: line %u: DEPEND_VERSIONS %s: %s = %s: %s defines no such version", m->file,
                                   at->line ? at->line : m->line, m->name, mf_key_name(at->key), at->v[x].str, d->path);
                if (at->key == MF_K_REQUIRE && !d->is_needed)
                    return lk_fail(l, KEEL_E_RANGE,
                                   "%s: line %u: DEPEND_VERSIONS %s: REQUIRE = %s: the output does not need %s "
                                   "(--as-needed, and nothing refers to it)",
                                   m->file, at->line ? at->line : m->line, m->name, at->v[x].str, d->path);
            }
        }
        if (first && (rc = check_allow(l, k, d, defs, n)))
            return rc;
    }
    return 0;
}

int lk_depend_required(lk_link *l, int (*fn)(lk_link *, void *, const lk_dso *, const char *, uint16_t), void *ctx)
{
    for (size_t k = 0; k < l->nmf; k++) {
        const mf_directive *m = directive(l, k);
        const lk_dso *d = m->key == MF_K_DEPEND_VERSIONS ? dso_named(l, m->name) : NULL;
        if (!d)
            continue;
        dv_def *defs;
        size_t n;
        int rc = defs_of(l, d, &defs, &n);
        if (rc)
            return rc;
        for (size_t a = 0; a < m->nattrs; a++)
            for (size_t x = 0; m->attrs[a].key == MF_K_REQUIRE && x < m->attrs[a].nv; x++) {
                const dv_def *v = def_named(defs, n, m->attrs[a].v[x].str);
                if (v && (rc = fn(l, ctx, d, v->names[0], v->ndx)))
                    return rc;
            }
    }
    return 0;
}
