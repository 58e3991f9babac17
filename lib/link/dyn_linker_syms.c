/* The link-editor's own symbols in .dynsym, as ld.bfd exports them: the
 * ones its default script defines with default visibility -- _edata,
 * edata, _end, end, __bss_start, etext, _etext, __etext -- and
 * __start_SEC/__stop_SEC (protected, -z start-stop-visibility's default).
 * A shared object exports those an input references (ld.bfd defines
 * only referenced ones, and hides the script's others there); an
 * executable with -E also exports _edata, _end and __bss_start, which its
 * script always defines.  A version script's local: hides them as it
 * hides any other, a hidden reference (glibc's to _end) too.  Never the hidden ones (__ehdr_start, the array
 * bounds, __rela_iplt_*), nor _GLOBAL_OFFSET_TABLE_ and _DYNAMIC, which
 * ld.bfd keeps local.  __executable_start too in an executable; a
 * shared object's script does not define it (ld.bfd leaves it undefined
 * there, keel defines it: it stays out of .dynsym). */
#include <stdlib.h>
#include <string.h>

#include "dyn.h"
#include "export_policy.h"
#include "version_script.h"
#include "../elfdefs.h"

static const char *const script_syms[] = {"_edata",      "edata", "_end",   "end",
                                          "__bss_start", "etext", "_etext", "__etext"};

static bool start_stop(const char *name) { return !strncmp(name, "__start_", 8) || !strncmp(name, "__stop_", 7); }

static bool exportable(const lk_link *l, const char *name)
{
    if (!l->opt->shared && !strcmp(name, "__executable_start"))
        return true; /* (an executable's script PROVIDEs it) */
    for (size_t i = 0; i < sizeof script_syms / sizeof script_syms[0]; i++)
        if (!strcmp(name, script_syms[i]))
            return true;
    return start_stop(name);
}

static int by_name(const void *a, const void *b)
{
    return strcmp((*(lk_sym *const *)a)->name, (*(lk_sym *const *)b)->name);
}

int lk_dyn_linker_symbols(lk_link *l, lk_sym ***out, size_t *n)
{
    *n = 0;
    *out = NULL;
    if (!l->opt->shared && !l->opt->export_dynamic)
        return 0;
    static const char *const always[] = {"_edata", "_end", "__bss_start"};
    for (size_t i = 0; !l->opt->shared && i < 3; i++) /* an executable's script defines them, referenced or not */
        if (!lk_sym_intern(&l->syms, &l->arena, always[i], lk_hash(always[i])))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    size_t cap = 0;
    for (size_t i = 0; i < l->syms.cap; i++)
        cap += l->syms.v[i] && l->syms.v[i]->state < LK_COMMON;
    lk_sym **v = lk_alloc(&l->arena, (cap + 1) * sizeof *v);
    if (!v)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    const lk_policy *p = l->policy;
    for (size_t i = 0; i < l->syms.cap; i++) {
        lk_sym *s = l->syms.v[i];
        uint64_t value;
        if (!s || s->defsym || (s->state != LK_UNDEF && s->state != LK_UNDEF_WEAK) || s->dynsym ||
            !exportable(l, s->name) || !lk_linker_value(l, s->name, &value) || *n >= cap || s->pol_vis == STV_HIDDEN ||
            s->pol_vis == STV_INTERNAL) /* (glibc's hidden references to _end) */
            continue;
        lk_vmatch m = {0};
        if (p && p->vers.n && lk_vs_match(&p->vers, s->name, &m))
            return -1;
        if (m.node && m.local)
            continue;
        s->pol_ver = m.node ? (uint16_t)(m.node->index + 1) : 0;
        s->pol_flags |= LK_POL_DONE | LK_POL_EXPORTED;
        v[(*n)++] = s;
    }
    qsort(v, *n, sizeof *v, by_name); /* (the table's order is its hashing's) */
    *out = v;
    return 0;
}

void lk_dyn_linker_entry(const lk_link *l, const lk_sym *s, uint64_t value, uint8_t *other, uint16_t *shndx)
{
    *other = start_stop(s->name) ? STV_PROTECTED : STV_DEFAULT;
    /* the output section it marks: one that ends there for an end
     * (_edata, __stop_SEC...), else the one it is in */
    bool end = strcmp(s->name, "__bss_start") && !!strncmp(s->name, "__start_", 8);
    const lk_osec *in = NULL, *ends = NULL;
    for (size_t g = 0; g < l->nsegs; g++)
        for (size_t i = 0; i < l->segs[g]->nsecs; i++) {
            const lk_osec *o = l->segs[g]->secs[i];
            if (!(o->flags & SHF_ALLOC) || (o->flags & SHF_TLS) || !o->index)
                continue;
            if (!in && value >= o->addr && value < o->addr + o->size)
                in = o;
            if (value == o->addr + o->size && o->size)
                ends = o;
        }
    const lk_osec *o = end && ends ? ends : in ? in : ends;
    *shndx = o ? (uint16_t)o->index : (uint16_t)SHN_ABS;
}
