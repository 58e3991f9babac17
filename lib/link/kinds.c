/* What kind of output section each name becomes: input sections of one
 * output name join one output section whatever their flags, as GNU ld
 * joins them, with the union of their flags ("aw", "a" and "ax" make one
 * "awx" section) and the strongest type (an init, fini or preinit array
 * over PROGBITS, data over NOBITS).  A union that is both writable and
 * executable is refused: keel never maps a page both writable and
 * executable (GNU ld makes an RWX segment of it, with a warning). */
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"

/* The flags that choose a segment and an output section. */
#define KIND_FLAGS (SHF_WRITE | SHF_ALLOC | SHF_EXECINSTR | SHF_TLS)

struct lk_kind {
    const char *name;
    uint32_t hash;
    uint32_t type;
    uint64_t flags;
    /* the first input that made it writable, and executable: for the message */
    const lk_file *wfile, *xfile;
    uint32_t wsec, xsec;
};

static bool is_array(uint32_t type)
{
    return type == SHT_INIT_ARRAY || type == SHT_FINI_ARRAY || type == SHT_PREINIT_ARRAY;
}

static lk_kind *find(const lk_link *l, const char *name, uint32_t hash)
{
    if (!l->kinds.cap)
        return NULL;
    for (size_t i = hash & (l->kinds.cap - 1);; i = (i + 1) & (l->kinds.cap - 1)) {
        lk_kind *k = l->kinds.v[i];
        if (!k || (k->hash == hash && strcmp(k->name, name) == 0))
            return k;
    }
}

static int grow(lk_link *l)
{
    size_t cap = l->kinds.cap ? 2 * l->kinds.cap : 256;
    lk_kind **v = lk_zalloc(&l->arena, cap * sizeof *v);
    if (!v)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t i = 0; i < l->kinds.cap; i++)
        if (l->kinds.v[i]) {
            size_t k = l->kinds.v[i]->hash & (cap - 1);
            while (v[k])
                k = (k + 1) & (cap - 1);
            v[k] = l->kinds.v[i];
        }
    l->kinds.v = v;
    l->kinds.cap = cap;
    return 0;
}

int lk_kind_add(lk_link *l, const char *name, const lk_file *f, uint32_t shndx, uint32_t type, uint64_t flags)
{
    uint32_t hash = lk_hash(name);
    lk_kind *k = find(l, name, hash);
    if (!k) {
        if ((l->kinds.n + 1) * 2 > l->kinds.cap && grow(l))
            return l->err->code;
        if (!(k = lk_zalloc(&l->arena, sizeof *k)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        k->name = name;
        k->hash = hash;
        k->type = type;
        size_t i = hash & (l->kinds.cap - 1);
        while (l->kinds.v[i])
            i = (i + 1) & (l->kinds.cap - 1);
        l->kinds.v[i] = k;
        l->kinds.n++;
    } else if (is_array(type) || (k->type == SHT_NOBITS && type != SHT_NOBITS)) {
        k->type = type;
    }
    flags &= KIND_FLAGS;
    if ((flags & SHF_WRITE) && !k->wfile)
        k->wfile = f, k->wsec = shndx;
    if ((flags & SHF_EXECINSTR) && !k->xfile)
        k->xfile = f, k->xsec = shndx;
    k->flags |= flags;
    const uint64_t wx = SHF_ALLOC | SHF_WRITE | SHF_EXECINSTR;
    if ((k->flags & wx) == wx) {
        const char *why = "keel never maps a page both writable and executable (GNU ld would make an RWX segment)";
        if ((flags & wx) == wx) /* this input alone */
            k->wfile = k->xfile = f, k->wsec = k->xsec = shndx;
        keel_shdr sh;
        const char *wname = "?", *xname = "?";
        if (!keel_elf_shdr(&k->wfile->elf, k->wsec, &sh, NULL))
            keel_elf_section_name(&k->wfile->elf, &sh, &wname, NULL);
        if (!keel_elf_shdr(&k->xfile->elf, k->xsec, &sh, NULL))
            keel_elf_section_name(&k->xfile->elf, &sh, &xname, NULL);
        if (k->wfile == k->xfile && k->wsec == k->xsec)
            return lk_fail(l, KEEL_E_UNSUPPORTED, "%s: section '%s' is writable and executable: %s", f->name, wname,
                           why);
        return lk_fail(l, KEEL_E_UNSUPPORTED,
                       "%s: section '%s' is writable and %s: section '%s' is executable, and both go to output section "
                       "'%s', which would be writable and executable: %s",
                       k->wfile->name, wname, k->xfile->name, xname, name, why);
    }
    return 0;
}

void lk_kind_get(const lk_link *l, const char *name, keel_shdr *sh)
{
    const lk_kind *k = find(l, name, lk_hash(name));
    if (!k)
        return;
    sh->type = k->type;
    sh->flags = (sh->flags & ~(uint64_t)KIND_FLAGS) | k->flags;
}
