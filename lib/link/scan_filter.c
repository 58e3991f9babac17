/* The relocation scan's first part, on two threads: what the scan
 * (scan.c) has to do for each relocation.  Most need nothing: a
 * PC-relative reference to a symbol the output defines needs no GOT slot,
 * no IPLT entry and no dynamic relocation, and finding that out (its
 * symbol read, whether it is an IFUNC, whether it is preemptible) was
 * most of a dynamic link's scan: 143,000 relocations of Python as a PIE,
 * 64 million instructions on one thread.  Of the others, an absolute
 * word that needs a RELATIVE relocation is only counted (counted here,
 * then), and of -shared's calls to a preemptible function only the first
 * in the scan's order makes its PLT entry (found here: the least index,
 * kept atomically in the symbol; the others do nothing).  Each answer
 * reads only what the scan does not change (the symbols' resolution and
 * policy, the layout of the inputs), writes nothing but its own byte
 * (and the symbol's least call), and says "scan it" whenever it is not
 * sure (a global not looked up yet, any GOT or TLS form, an IFUNC,
 * whatever may warn or fail): the scan then does what it did for those,
 * in the same order, so its result is that of the scan of every
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

/* What the scan is to do for relocation r of section rela, its index idx
 * among all (LK_DS_*: scan.c reads the answers); *relative counts the
 * RELATIVE relocations answered here, which the scan will not count */
static uint8_t classify(lk_link *l, lk_file *f, uint32_t rela, const keel_rel *r, uint32_t idx, size_t *relative)
{
    const ka_howto *h = l->arch->howto(r->type);
    if (h && h->formula != KA_F_MARKER &&
        (h->needs & (KA_NEED_GOT | KA_NEED_TLS_IE | KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC)))
        return LK_DS_SCAN; /* a GOT or TLS form: scan_one's */
    keel_sym sym;
    if (keel_symtab_get(&f->symtab, r->sym, &sym, NULL))
        return LK_DS_NOTHING; /* (a bad index: nothing for note_ifunc or lk_dyn_scan; the write pass says it) */
    if (maybe_ifunc(f, r->sym, &sym))
        return LK_DS_SCAN;
    int c = l->dyn ? lk_dyn_scan_class(l, f, rela, r, &sym) : LK_DS_NOTHING;
    if (c == LK_DS_RELATIVE)
        ++*relative;
    if (c == LK_DS_PLT) { /* the first call in the scan's order is the one scanned: atomically the least */
        lk_sym *s = f->gsym[r->sym];
        uint32_t seen = __atomic_load_n(&s->scan_plt, __ATOMIC_RELAXED);
        while ((!seen || idx + 1 < seen) &&
               !__atomic_compare_exchange_n(&s->scan_plt, &seen, idx + 1, true, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
            ;
    }
    return (uint8_t)c;
}

typedef struct filter {
    lk_link *l;
    uint8_t *need;      /* per relocation, in the scan's order */
    const size_t *base; /* per file: its first relocation's index in need */
    size_t from, to;    /* the files this thread does */
    size_t relative;    /* the RELATIVE relocations it counted */
} filter;

static void *filter_files(void *arg)
{
    filter *t = arg;
    for (size_t fi = t->from; fi < t->to; fi++) {
        lk_file *f = t->l->files[fi];
        size_t at = t->base[fi];
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_relocs rs;
            keel_shdr tsh;
            if (!lk_linked_relocs(f, i, &rs, &tsh))
                continue;
            for (uint64_t k = 0; k < rs.count; k++, at++) {
                keel_rel r;
                keel_relocs_get(&rs, k, &r);
                t->need[at] = classify(t->l, f, i, &r, (uint32_t)at, &t->relative);
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
    /* (an index is a uint32_t: scan_plt) */
    uint8_t *need = n >= FEW_RELOCS && n < UINT32_MAX && sysconf(_SC_NPROCESSORS_ONLN) > 1 ? malloc(n) : NULL;
    if (!need) { /* (few, or no memory: the scan asks of every relocation) */
        free(base);
        return NULL;
    }
    /* the files split where half the relocations are */
    size_t mid = 0;
    while (mid < l->nfiles && base[mid + 1] <= n / 2)
        mid++;
    filter main = {l, need, base, 0, mid, 0}, helper = {l, need, base, mid, l->nfiles, 0};
    pthread_t th;
    bool threaded = !pthread_create(&th, NULL, filter_files, &helper);
    filter_files(&main);
    if (threaded)
        pthread_join(th, NULL);
    else
        filter_files(&helper);
    if (l->dyn)
        l->dyn->ndata += main.relative + helper.relative;
    free(base);
    return need;
}
