/* The relocation scan's first part, on two threads: which relocations
 * the scan (scan.c) has anything to do for.  Most have nothing: a
 * PC-relative reference to a symbol the output defines needs no GOT slot,
 * no IPLT entry and no dynamic relocation, and finding that out (its
 * symbol read, whether it is an IFUNC, whether it is preemptible) was
 * most of a dynamic link's scan: 143,000 relocations of Python as a PIE,
 * 64 million instructions on one thread.  Each answer here reads only
 * what the scan does not change (the symbols' resolution and policy, the
 * layout of the inputs), writes nothing but its own byte, and says "may
 * need" whenever it is not sure (a global not looked up yet, any GOT or
 * TLS form, an IFUNC): the scan then does exactly what it did for the
 * others, in the same order, so its result is that of the scan of every
 * relocation. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "dyn.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

/* Whether lk_ifunc_target_sym may answer yes (it is never asked to look
 * a name up here: a global not looked up yet may) */
static bool maybe_ifunc(const lk_file *f, uint64_t symi, const keel_sym *sym)
{
    if (KEEL_ST_BIND(sym->info) == STB_LOCAL || sym->shndx != SHN_UNDEF)
        return KEEL_ST_TYPE(sym->info) == STT_GNU_IFUNC;
    const lk_sym *s = f->gsym && symi < f->symtab.count ? f->gsym[symi] : NULL;
    return !s || (s->def && (s->state == LK_DEFINED || s->state == LK_WEAK) && s->type == STT_GNU_IFUNC);
}

/* Whether the scan may do anything for relocation r of section rela */
static bool may_need(lk_link *l, lk_file *f, uint32_t rela, const keel_rel *r)
{
    const ka_howto *h = l->arch->howto(r->type);
    if (h && h->formula != KA_F_MARKER &&
        (h->needs & (KA_NEED_GOT | KA_NEED_TLS_IE | KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC)))
        return true; /* a GOT or TLS form: scan_one's */
    keel_sym sym;
    if (keel_symtab_get(&f->symtab, r->sym, &sym, NULL))
        return false; /* (a bad index: nothing for note_ifunc or lk_dyn_scan; the write pass says it) */
    if (maybe_ifunc(f, r->sym, &sym))
        return true;
    return l->dyn && !lk_dyn_scan_needless(l, f, rela, r, &sym);
}

typedef struct filter {
    lk_link *l;
    uint8_t *need;      /* per relocation, in the scan's order */
    const size_t *base; /* per file: its first relocation's index in need */
    size_t from, to;    /* the files this thread does */
} filter;

static void *filter_files(void *arg)
{
    filter *t = arg;
    for (size_t fi = t->from; fi < t->to; fi++) {
        lk_file *f = t->l->files[fi];
        uint8_t *need = t->need + t->base[fi];
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_relocs rs;
            keel_shdr tsh;
            if (!lk_linked_relocs(f, i, &rs, &tsh))
                continue;
            for (uint64_t k = 0; k < rs.count; k++) {
                keel_rel r;
                keel_relocs_get(&rs, k, &r);
                *need++ = may_need(t->l, f, i, &r);
            }
        }
    }
    return NULL;
}

/* Below this many relocations a thread costs more than it saves. */
enum { FEW_RELOCS = 20000 };

uint8_t *lk_scan_filter(lk_link *l)
{
    size_t *base = malloc((l->nfiles + 1) * sizeof *base), n = 0;
    if (!base)
        return NULL;
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        base[fi] = n;
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_relocs rs;
            keel_shdr tsh;
            if (lk_linked_relocs(f, i, &rs, &tsh))
                n += rs.count;
        }
    }
    base[l->nfiles] = n;
    uint8_t *need = n >= FEW_RELOCS && sysconf(_SC_NPROCESSORS_ONLN) > 1 ? malloc(n) : NULL;
    if (!need) { /* (few, or no memory: the scan asks of every relocation) */
        free(base);
        return NULL;
    }
    /* the files split where half the relocations are */
    size_t mid = 0;
    while (mid < l->nfiles && base[mid + 1] <= n / 2)
        mid++;
    filter main = {l, need, base, 0, mid}, helper = {l, need, base, mid, l->nfiles};
    pthread_t th;
    bool threaded = !pthread_create(&th, NULL, filter_files, &helper);
    filter_files(&main);
    if (threaded)
        pthread_join(th, NULL);
    else
        filter_files(&helper);
    free(base);
    return need;
}
