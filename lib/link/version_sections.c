/* .gnu.version_d and .gnu.version from the symbol policy (export_policy.c),
 * as ld.bfd writes them, for the dynamic outputs' writer to call:
 *
 *   .gnu.version_d: the base entry (VER_FLG_BASE, index 1, the object's
 *   own name: its soname, else its file name without the directory),
 *   then each named node of the version scripts in script order (index
 *   2, 3...), then the nodes an executable made for NAME@VER
 *   definitions; each Elf64_Verdef (20 bytes) followed by its
 *   Elf64_Verdaux entries (8 bytes each): its own name, then its
 *   parents', the last written first.  sh_info and DT_VERDEFNUM: the
 *   count.
 *
 *   .gnu.version: one half-word per .dynsym entry: 0 for the null entry
 *   and what is not exported, else the symbol's node, with the hidden
 *   bit (0x8000) for NAME@VER. */
#include <string.h>

#include "export_policy.h"
#include "verout.h"
#include "version_sections.h"
#include "dyn.h"

/* The SysV ELF hash, as vd_hash holds it. */
static uint32_t elf_hash(const char *s, size_t n)
{
    uint32_t h = 0;
    for (size_t i = 0; i < n; i++) {
        h = (h << 4) + (uint8_t)s[i];
        uint32_t g = h & 0xf0000000u;
        if (g)
            h ^= g >> 24;
        h &= ~g;
    }
    return h;
}

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* --default-symver: the version of every unversioned export, named as the
 * base (after it, before the scripts' nodes: index 2), else NULL. */
const char *lk_default_version(const lk_link *l)
{
    if (!l->opt->default_symver)
        return NULL;
    if (l->opt->soname)
        return l->opt->soname;
    const char *out = l->opt->output ? l->opt->output : "a.out", *slash = strrchr(out, '/');
    return slash ? slash + 1 : out;
}

/* How many nodes there are after the base. */
static size_t node_count(const lk_policy *p, const lk_link *l)
{
    return p->vers.n + p->nmade + (lk_default_version(l) != NULL);
}

/* The k-th node after the base: the default version, a script's named
 * node, or a made one. */
static bool node_at(const lk_link *l, size_t k, const char **name, const lk_vnode **node)
{
    const lk_policy *p = l->policy;
    *node = NULL;
    if (!p)
        return false;
    if (lk_default_version(l)) {
        if (k == 0) {
            *name = lk_default_version(l);
            return true;
        }
        k--;
    }
    if (k < p->vers.n) {
        *node = p->vers.nodes[k];
        *name = (*node)->name;
        return *name != NULL;
    }
    if (k - p->vers.n < p->nmade) {
        *name = p->made[k - p->vers.n];
        return true;
    }
    return false;
}

size_t lk_verdef_count(const lk_link *l)
{
    const lk_policy *p = l->policy;
    if (!p)
        return 0;
    size_t named = p->nmade + (lk_default_version(l) != NULL);
    for (size_t k = 0; k < p->vers.n; k++)
        named += p->vers.nodes[k]->name != NULL;
    return named ? named + 1 : 0;
}

const char *lk_verdef_name(const lk_link *l, size_t k)
{
    const char *name;
    const lk_vnode *n;
    return node_at(l, k, &name, &n) ? name : NULL;
}

uint64_t lk_verdef_size(const lk_link *l)
{
    size_t count = lk_verdef_count(l);
    if (!count)
        return 0;
    /* the base (--default-symver's version shares its name's entry) */
    uint64_t size = lk_default_version(l) ? 20 : 20 + 8;
    const lk_policy *p = l->policy;
    for (size_t k = 0; k < node_count(p, l); k++) {
        const char *name;
        const lk_vnode *n;
        if (node_at(l, k, &name, &n))
            size += 20 + 8 * (1 + (n ? n->ndeps : 0));
    }
    return size;
}

/* One Elf64_Verdef and its Elf64_Verdaux entries at out; the size written. */
static uint64_t verdef(uint8_t *out, uint16_t flags, uint16_t ndx, const char *name, const lk_vnode *n, bool last,
                       lk_dynstr_fn *str, void *ctx)
{
    size_t ndeps = n ? n->ndeps : 0;
    uint64_t size = 20 + 8 * (1 + ndeps);
    put16(out, 1); /* VER_DEF_CURRENT */
    put16(out + 2, flags);
    put16(out + 4, ndx);
    put16(out + 6, (uint16_t)(1 + ndeps));
    put32(out + 8, elf_hash(name, strlen(name)));
    put32(out + 12, 20);
    put32(out + 16, last ? 0 : (uint32_t)size);
    uint8_t *aux = out + 20;
    for (size_t d = 0; d <= ndeps; d++, aux += 8) {
        /* the parents last written first, as ld.bfd lists them */
        const char *s = d ? n->deps[ndeps - d]->name : name;
        put32(aux, str(ctx, s, strlen(s)));
        put32(aux + 4, d < ndeps ? 8 : 0);
    }
    return size;
}

int lk_write_verdef(const lk_link *l, const char *base, lk_dynstr_fn *str, void *ctx, uint8_t *out, uint64_t size)
{
    if (size != lk_verdef_size(l) || !size)
        return -1;
    const lk_policy *p = l->policy;
    size_t total = node_count(p, l), last = 0;
    for (size_t k = 0; k < total; k++) {
        const char *name;
        const lk_vnode *n;
        if (node_at(l, k, &name, &n))
            last = k;
    }
    uint64_t at = verdef(out, 1 /* VER_FLG_BASE */, 1, base, NULL, false, str, ctx);
    size_t k = 0;
    if (lk_default_version(l)) {
        /* as ld.bfd: the base, then the default version (index 2, the
         * same name), both naming one Elf64_Verdaux after them */
        at = 20 + verdef(out + 20, 0, 2, base, NULL, last == 0, str, ctx); /* (over the base's Verdaux) */
        put32(out + 12, 40); /* the base's vd_aux: the default's Verdaux */
        put32(out + 16, 20); /* its vd_next */
        k = 1;
    }
    for (; k < total; k++) {
        const char *name;
        const lk_vnode *n;
        if (node_at(l, k, &name, &n))
            at += verdef(out + at, 0, (uint16_t)(k + 2), name, n, k == last, str, ctx);
    }
    return at == size ? 0 : -1;
}

void lk_write_versym(const lk_link *l, lk_sym *const *dynsyms, size_t n, uint8_t *out)
{
    put16(out, 0); /* the null entry: VER_NDX_LOCAL */
    for (size_t i = 0; i < n; i++) {
        bool own = dynsyms[i]->pol_flags & LK_POL_VERNAME; /* a version's own symbol (version_def.c) */
        uint16_t v = own ? (uint16_t)(dynsyms[i]->pol_ver + 1)
                         : lk_verneed_index(l, dynsyms[i]); /* an import's: .gnu.version_r's (version_need.c) */
        if (!own && dynsyms[i]->state >= LK_COMMON) {
            lk_symver sv = lk_sym_version(l, dynsyms[i]);
            v = (uint16_t)(sv.index | (sv.hidden ? 0x8000 : 0));
        }
        put16(out + 2 * (i + 1), v);
    }
}
