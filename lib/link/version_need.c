/* .gnu.version_r: the versions an output needs from the shared libraries
 * it imports from, as ld.bfd writes them (issue 13, "join").  One
 * Elf64_Verneed (16 bytes) per library that defines a versioned import,
 * each followed by its Elf64_Vernaux entries (16 bytes: the name's ELF
 * hash, flags 0, the version index the imports' .gnu.version entries
 * carry, the name in .dynstr).  Indexes are given in .dynsym order of
 * first use, after the output's own version definitions (verout's
 * .gnu.version_d); each list is written newest first, as ld.bfd chains
 * them.  An import without a named version (the library's base, or an
 * unversioned library) is VER_NDX_GLOBAL. */
#include <string.h>

#include "dyn.h"
#include "dso.h"
#include "verout.h"
#include "version_sections.h"
#include "../elfdefs.h"

typedef struct vn_aux {
    const char *name;
    uint16_t index;
    uint32_t name_off;
} vn_aux;

typedef struct vn_file {
    const lk_dso *dso;
    uint16_t *map; /* the library's version index -> the output's (0: not needed yet) */
    size_t nmap;
    vn_aux *aux; /* in order of first use */
    size_t naux, capaux;
} vn_file;

struct lk_verneed {
    vn_file **by_dso; /* per l->dsos index, or NULL */
    vn_file **files;  /* in order of first use */
    size_t nfiles;
    uint64_t size;
};

/* The SysV ELF hash, as vna_hash holds it. */
static uint32_t elf_hash(const char *s)
{
    uint32_t h = 0;
    for (; *s; s++) {
        h = (h << 4) + (uint8_t)*s;
        uint32_t g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

/* The named version an import resolved to, or NULL */
static const char *version_of(const lk_sym *s, uint16_t *index)
{
    const lk_dso *d = s->dso;
    keel_sym sym;
    keel_symver sv;
    if (s->state != LK_SHARED || !d || !d->has_dynsym || s->dso_version < 2 ||
        keel_symtab_get(&d->dynsym, s->dso_index, &sym, NULL) ||
        keel_versions_get(&d->vers, s->dso_index, &sym, &sv, NULL) || !sv.name || sv.index < 2)
        return NULL;
    *index = sv.index;
    return sv.name;
}

/* the file entry of library dso, made on first use */
static vn_file *file_of(lk_link *l, struct lk_verneed *v, const lk_dso *dso)
{
    vn_file *f = v->by_dso[dso->index];
    if (f)
        return f;
    if (!(f = lk_zalloc(&l->arena, sizeof *f)))
        return NULL;
    f->dso = dso;
    f->nmap = (size_t)dso->vers.verdef_num + 2;
    if (!(f->map = lk_zalloc(&l->arena, f->nmap * sizeof *f->map)))
        return NULL;
    v->by_dso[dso->index] = f;
    v->files[v->nfiles++] = f;
    return f;
}

struct need_ctx {
    struct lk_verneed *v;
    uint16_t *next;
    uint64_t *at;
};

/* DEPEND_VERSIONS REQUIRE = name: a Vernaux for it, unless an import's
 * version made one */
static int require(lk_link *l, void *ctx, const lk_dso *dso, const char *name, uint16_t vi)
{
    struct need_ctx *c = ctx;
    vn_file *f = file_of(l, c->v, dso);
    if (!f)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t k = 0; k < f->naux; k++)
        if (strcmp(f->aux[k].name, name) == 0)
            return 0;
    if (!(f->aux = lk_grow(&l->arena, f->aux, f->naux, &f->capaux, sizeof *f->aux, 8)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    if (vi < f->nmap)
        f->map[vi] = *c->next;
    f->aux[f->naux++] = (vn_aux){name, (*c->next)++, (uint32_t)*c->at};
    *c->at += strlen(name) + 1;
    return *c->at > UINT32_MAX ? lk_fail(l, KEEL_E_RANGE, ".dynstr: more than 4 GiB of names") : 0;
}

int lk_verneed_plan(lk_link *l, uint64_t *at)
{
    lk_dyn *d = l->dyn;
    struct lk_verneed *v = lk_zalloc(&l->arena, sizeof *v);
    if (!v || !(v->by_dso = lk_zalloc(&l->arena, (l->ndsos + 1) * sizeof *v->by_dso)) ||
        !(v->files = lk_zalloc(&l->arena, (l->ndsos + 1) * sizeof *v->files)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    d->verneed = v;
    size_t defs = lk_verdef_count(l); /* (joins verout's .gnu.version_d at merge: its base and nodes first) */
    uint16_t next = (uint16_t)((defs ? defs : 1) + 1);
    for (size_t i = 0; i < d->ndsyms; i++) {
        lk_sym *s = d->dsyms[i];
        uint16_t vi;
        const char *name = version_of(s, &vi);
        if (!name)
            continue;
        const lk_dso *dso = s->dso;
        vn_file *f = v->by_dso[dso->index];
        if (!f) {
            if (!(f = lk_zalloc(&l->arena, sizeof *f)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            f->dso = dso;
            f->nmap = (size_t)dso->vers.verdef_num + 2;
            if (!(f->map = lk_zalloc(&l->arena, f->nmap * sizeof *f->map)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            v->by_dso[dso->index] = f;
            v->files[v->nfiles++] = f;
        }
        if (vi >= f->nmap || f->map[vi])
            continue;
        if (!(f->aux = lk_grow(&l->arena, f->aux, f->naux, &f->capaux, sizeof *f->aux, 8)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        f->map[vi] = next;
        f->aux[f->naux++] = (vn_aux){name, next++, (uint32_t)*at};
        *at += strlen(name) + 1;
        if (*at > UINT32_MAX)
            return lk_fail(l, KEEL_E_RANGE, ".dynstr: more than 4 GiB of names");
    }
    /* a mapfile's DEPEND_VERSIONS REQUIRE, after the imports' versions */
    struct need_ctx nc = {v, &next, at};
    int drc = l->nmf ? lk_depend_required(l, require, &nc) : 0;
    if (drc)
        return drc;
    /* -z pack-relative-relocs: glibc refuses DT_RELR without a need of
     * libc.so.6's GLIBC_ABI_DT_RELR, which ld.bfd adds (relr.c) */
    for (size_t k = 0; lk_relr_needs_glibc_version(l) && k < l->ndsos; k++) {
        const lk_dso *dso = l->dsos[k];
        if (!dso->is_needed || !dso->soname || strcmp(dso->soname, "libc.so.6") != 0)
            continue;
        vn_file *f = v->by_dso[dso->index];
        if (!f) {
            if (!(f = lk_zalloc(&l->arena, sizeof *f)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            f->dso = dso;
            v->by_dso[dso->index] = f;
            v->files[v->nfiles++] = f;
        }
        if (!(f->aux = lk_grow(&l->arena, f->aux, f->naux, &f->capaux, sizeof *f->aux, 8)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        f->aux[f->naux++] = (vn_aux){"GLIBC_ABI_DT_RELR", next++, (uint32_t)*at};
        *at += sizeof "GLIBC_ABI_DT_RELR";
        break;
    }
    for (size_t i = 0; i < v->nfiles; i++)
        v->size += 16 + 16 * (uint64_t)v->files[i]->naux;
    return 0;
}

uint64_t lk_verneed_size(const lk_link *l) { return l->dyn->verneed ? l->dyn->verneed->size : 0; }
size_t lk_verneed_count(const lk_link *l) { return l->dyn->verneed ? l->dyn->verneed->nfiles : 0; }

uint16_t lk_verneed_index(const lk_link *l, const lk_sym *s)
{
    const struct lk_verneed *v = l->dyn ? l->dyn->verneed : NULL;
    uint16_t vi;
    if (!v || !version_of(s, &vi))
        return 1; /* VER_NDX_GLOBAL */
    const vn_file *f = v->by_dso[s->dso->index];
    return f && vi < f->nmap && f->map[vi] ? f->map[vi] : 1;
}

static void put16(uint8_t *p, uint16_t x) { memcpy(p, &x, 2); }
static void put32(uint8_t *p, uint32_t x) { memcpy(p, &x, 4); }

/* The soname's place in .dynstr: its DT_NEEDED string */
static uint32_t file_off(const lk_link *l, const lk_dso *dso)
{
    const lk_dyn *d = l->dyn;
    for (size_t i = 0, k = 0; i < l->ndsos && k < d->nneeded; i++)
        if (l->dsos[i]->is_needed) {
            if (l->dsos[i] == dso)
                return d->needed_off[k];
            k++;
        }
    return 0;
}

void lk_write_verneed(const lk_link *l, uint8_t *out)
{
    const struct lk_verneed *v = l->dyn->verneed;
    uint64_t at = 0;
    for (size_t n = v->nfiles; n-- > 0;) { /* newest first */
        const vn_file *f = v->files[n];
        put16(out + at, 1); /* vn_version */
        put16(out + at + 2, (uint16_t)f->naux);
        put32(out + at + 4, file_off(l, f->dso));
        put32(out + at + 8, 16);
        put32(out + at + 12, n ? (uint32_t)(16 + 16 * f->naux) : 0);
        at += 16;
        for (size_t k = f->naux; k-- > 0;) {
            const vn_aux *a = &f->aux[k];
            put32(out + at, elf_hash(a->name));
            put16(out + at + 4, 0);
            put16(out + at + 6, a->index);
            put32(out + at + 8, a->name_off);
            put32(out + at + 12, k ? 16 : 0);
            at += 16;
        }
    }
}

void lk_verneed_fill_strings(const lk_link *l, uint8_t *dynstr)
{
    const struct lk_verneed *v = l->dyn->verneed;
    for (size_t i = 0; v && i < v->nfiles; i++)
        for (size_t k = 0; k < v->files[i]->naux; k++)
            memcpy(dynstr + v->files[i]->aux[k].name_off, v->files[i]->aux[k].name,
                   strlen(v->files[i]->aux[k].name) + 1);
}
