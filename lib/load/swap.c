/* Live swap: replace loaded objects in a running program, as one
 * transaction (docs/loader.md, "Swapping").
 *
 * 1. The new objects are loaded beside the old ones (load.c's aside load:
 *    resolved against the namespace with the old objects hidden), with
 *    the tree's lock held to the end.
 * 2. The plan, everything allocated and every refusal found before any
 *    thread stops: each old symbol's counterpart; every other object's
 *    reference into the old objects (relocations in code, worked out
 *    now into byte patches; address words in data; GOT, stub and TLS
 *    slots) and the new target of each, a missing one refusing the swap;
 *    the variables carried over (same size, or a transfer function);
 *    a jump for each old function's entry; the memory each stopped
 *    thread needs for its TLS move.
 * 3. The new objects' constructors run.
 * 4. The world stops (swap_stop.c); if a thread is in the old objects or
 *    in bytes being rewritten, it is let go and the stop retried.  The
 *    transfer functions run (one failing refuses the swap: only the new
 *    objects were written), then what cannot fail: variables copied and
 *    their pointer words translated, references rewritten, entries made
 *    jumps, the cores serialized; each thread moves its TLS as it goes.
 * 5. The namespace takes the new objects' names, lists and edges; the old
 *    objects are retired: their code stays mapped (function pointers
 *    stored at run time still reach it, and jump on), their data is given
 *    back (PROT_NONE, never reused) unless they have constructors. */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "../elfdefs.h"
#include "swap.h"

enum { STT_SECTION_ = 3, STT_FILE_ = 4 };

typedef struct patch {
    uintptr_t dst; /* where the bytes are written (the text's alias for code) */
    uintptr_t run; /* where they are executed or read */
    uint32_t len;
    uint8_t bytes[16];
    uint8_t saved[16]; /* what was there (entries: for a rollback) */
} patch;

/* A new function's gate: calls of it wait there between the two stops. */
typedef struct gate {
    uintptr_t new_entry, old_fn;
    keel_object *owner; /* the new object */
} gate;

typedef struct copy {
    void *dst;
    const void *src;
    size_t n;
} copy;

typedef struct xfer_call {
    int (*fn)(void *, const void *, size_t);
    void *dst;
    const void *src;
    size_t oldsize;
    const char *name;
} xfer_call;

typedef struct symfix {
    keel_object *o;
    uint64_t symi;
    keel_section *to;
} symfix;

typedef struct unprot {
    uintptr_t addr;
    size_t size;
} unprot;

#define VEC(T, name)                                                                                                   \
    T *name;                                                                                                           \
    size_t n_##name, cap_##name
#define PUSH(p, name, val)                                                                                             \
    (((p)->n_##name == (p)->cap_##name && grow((void **)&(p)->name, &(p)->cap_##name, sizeof *(p)->name))              \
         ? -1                                                                                                          \
         : ((p)->name[(p)->n_##name++] = (val), 0))

static int grow(void **v, size_t *cap, size_t elem)
{
    size_t c = *cap ? 2 * *cap : 16;
    void *n = realloc(*v, c * elem);
    if (!n)
        return -1;
    *v = n;
    *cap = c;
    return 0;
}

typedef struct plan {
    keel_ns *ns;
    keel_object *const *old;
    size_t nold;
    keel_object **nw;
    size_t nnew;
    const sym_table *defs;
    sym_table locals; /* the new objects' local symbols, by name (common: not unique) */
    rl_xlate x;
    size_t cap_xsym, cap_xsec;
    VEC(patch, entries); /* the first stop: old entries jump to new ones */
    VEC(patch, gated);   /* ... and new entries to their gates */
    VEC(gate, gates);
    uintptr_t gate_rw, gate_rx; /* the flag and slots; the gates' code */
    size_t gate_rw_size, gate_rx_size;
    VEC(rl_range, stop1);  /* what no thread may be in at the first stop */
    VEC(patch, patches);   /* the second stop: code and read-only fields */
    VEC(uintptr_t, words); /* address words to translate */
    VEC(copy, copies);
    VEC(xfer_call, calls);
    VEC(symfix, fixes);
    VEC(unprot, unprots);
    VEC(rl_range, forbid);
    uintptr_t *fn_entries; /* sorted: the entries the patches rewrite (rl_world_check) */
    size_t n_fn_entries;
    VEC(rl_fwd, fwds); /* the entries now jumping into the new objects */
    uint32_t *hubs;    /* the old object's fwd entries, sorted by name (plan_old) */
    size_t cap_hubs;
    const keel_object *hubs_of;
    VEC(rl_tls_job, jobs);
    VEC(rl_tls_var, tvars);
    VEC(uint64_t, twords);
    uint32_t short_fns, rewritten;
    bool stop_failed; /* the last stop_checked: the next one is a retry */
    keel_error *err;
} plan;

static bool is_old(const plan *p, const keel_object *o)
{
    for (size_t i = 0; i < p->nold; i++)
        if (p->old[i] == o)
            return true;
    return false;
}

static int oom(plan *p) { return keel_error_set(p->err, KEEL_E_NOMEM, 0, "out of memory"); }

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int obj_symtab(const keel_object *o, keel_symtab *st)
{
    for (uint32_t i = 1; i < o->elf.shnum; i++) {
        keel_shdr sh;
        if (!keel_elf_shdr(&o->elf, i, &sh, NULL) && sh.type == SHT_SYMTAB)
            return keel_elf_symtab(&o->elf, i, st, NULL);
    }
    return -1;
}

static bool is_tls_sec(const keel_section *s)
{
    return s && (s->type == KEEL_SEC_TLS_DATA || s->type == KEEL_SEC_TLS_BSS);
}

/* A symbol's counterpart in the new objects: a global by the batch's
 * table, a local by a name unique among the new objects' locals. */
typedef struct where {
    uintptr_t addr;
    uint64_t size;
    keel_section *sec;
    bool found;
} where;

static where counterpart(const plan *p, const char *name, bool global)
{
    uint32_t h = rl_hash(name);
    const sym_entry *e = rl_sym_find(global ? p->defs : &p->locals, name, h);
    if (!e || (!global && e->common))
        return (where){0};
    return (where){e->addr, e->size, e->section, true};
}

static int add_local(plan *p, keel_object *o, const keel_symtab *st)
{
    for (uint64_t i = 1; i < st->count; i++) {
        keel_sym s;
        const char *name;
        if (keel_symtab_get(st, i, &s, NULL) || keel_symtab_name(st, &s, &name, NULL) || !*name)
            continue;
        uint8_t type = KEEL_ST_TYPE(s.info);
        if (KEEL_ST_BIND(s.info) != STB_LOCAL || type == STT_SECTION_ || type == STT_FILE_ || s.shndx == SHN_UNDEF ||
            s.shndx >= o->elf.shnum || !o->by_index[s.shndx])
            continue;
        uint32_t h = rl_hash(name);
        sym_entry *e = rl_sym_find(&p->locals, name, h);
        if (e) {
            e->common = true; /* twice: no counterpart by this name */
            continue;
        }
        if (rl_sym_reserve(&p->locals, 1))
            return oom(p);
        keel_section *sec = o->by_index[s.shndx];
        rl_sym_insert(&p->locals, &(sym_entry){.name = name,
                                               .hash = h,
                                               .type = type,
                                               .section = sec,
                                               .addr = sec->addr + s.value,
                                               .size = s.size,
                                               .object = o});
    }
    return 0;
}

/* The old symbol's address (a common one is the namespace's). */
static bool old_addr(const plan *p, const keel_object *o, const keel_sym *s, const char *name, uintptr_t *addr,
                     keel_section **sec)
{
    if (s->raw_shndx == SHN_COMMON) {
        const sym_entry *e = rl_sym_find(&p->ns->syms, name, rl_hash(name));
        if (!e || e->object != o)
            return false;
        *addr = e->addr;
        *sec = e->section;
        return true;
    }
    if (s->shndx == SHN_UNDEF || s->shndx >= o->elf.shnum || !o->by_index[s->shndx])
        return false;
    *sec = o->by_index[s->shndx];
    *addr = (*sec)->addr + s->value;
    return true;
}

static int by_old(const void *a, const void *b)
{
    const rl_xlate_ent *x = a, *y = b;
    return x->old < y->old ? -1 : x->old > y->old;
}

static int by_lo(const void *a, const void *b)
{
    const rl_range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static int push_xlate(plan *p, bool sec, rl_xlate_ent e)
{
    rl_xlate_ent **v = sec ? &p->x.sec : &p->x.sym;
    size_t *n = sec ? &p->x.nsec : &p->x.nsym, *cap = sec ? &p->cap_xsec : &p->cap_xsym;
    if (*n == *cap && grow((void **)v, cap, sizeof **v))
        return oom(p);
    (*v)[(*n)++] = e;
    return 0;
}

/* The new object holding the counterpart of old's sections: by name
 * (archive(member) or path), else the one at the same place. */
static keel_object *paired(const plan *p, size_t k)
{
    for (size_t i = 0; i < p->nnew; i++)
        if (strcmp(p->nw[i]->name, p->old[k]->name) == 0)
            return p->nw[i];
    return p->nnew == p->nold ? p->nw[k] : NULL;
}

/* The TLS job of the old object o (made on first use). */
static rl_tls_job *job_of(plan *p, const keel_object *o, const keel_object *n)
{
    for (size_t i = 0; i < p->n_jobs; i++)
        if (p->jobs[i].old_module == o->tls_module)
            return &p->jobs[i];
    rl_tls_job j = {.old_module = o->tls_module,
                    .new_module = n->tls_module,
                    .image = (const void *)n->tls_image,
                    .size = n->tls_size,
                    .align = n->tls_align};
    return PUSH(p, jobs, j) ? NULL : &p->jobs[p->n_jobs - 1];
}

static int entry_jump(plan *p, keel_object *owner, uintptr_t at, uintptr_t to)
{
    const ka_arch *arch = owner->arch;
    int64_t d = (int64_t)(to - (at + arch->jump_size));
    if (d < -(int64_t)arch->branch_reach || d > (int64_t)arch->branch_reach)
        return keel_error_set(p->err, KEEL_E_RANGE, 0, "live swap: the new code is out of a jump's reach");
    uintptr_t alias;
    if (rl_text_alias(owner, &alias, p->err))
        return p->err->code;
    patch pa = {.dst = alias + (at - owner->region[0]), .run = at, .len = arch->jump_size};
    arch->write_jump(pa.bytes, at, to);
    memcpy(pa.saved, (const void *)at, pa.len);
    rl_range r = {at, at + arch->jump_size};
    if (PUSH(p, entries, pa) || PUSH(p, forbid, r) || PUSH(p, stop1, r))
        return oom(p);
    return 0;
}

/* The old objects' symbols: translation entries, entries to redirect,
 * variables to carry over. */
/* A retired function's entry is its name's hub: the first entry of a
 * name retired jumps to the live function, and is re-pointed at each
 * later swap; an entry retired later jumps to the hub, once for all.  So
 * a swap rewrites two entries per function, however many swaps came
 * before (re-pointing every entry ever retired made each swap slower
 * than the one before), and a call through any old entry takes at most
 * two jumps.  o->fwd holds the hubs jumping into o: one per name. */
static const keel_object *hub_cmp_obj;
static int by_hub_name(const void *a, const void *b)
{
    const rl_fwd *x = &hub_cmp_obj->fwd[*(const uint32_t *)a], *y = &hub_cmp_obj->fwd[*(const uint32_t *)b];
    int c = strcmp(x->name, y->name);
    return c ? c : (int)x->global - (int)y->global;
}

static int sort_hubs(plan *p, const keel_object *o)
{
    if (o->nfwd > p->cap_hubs) {
        uint32_t *v = realloc(p->hubs, o->nfwd * sizeof *v);
        if (!v)
            return oom(p);
        p->hubs = v;
        p->cap_hubs = o->nfwd;
    }
    for (uint32_t i = 0; i < o->nfwd; i++)
        p->hubs[i] = i;
    hub_cmp_obj = o; /* under the tree's lock */
    if (o->nfwd)
        qsort(p->hubs, o->nfwd, sizeof *p->hubs, by_hub_name);
    p->hubs_of = o;
    return 0;
}

/* o's hub for the name, or NULL */
static const rl_fwd *find_hub(const plan *p, const keel_object *o, const char *name, bool global)
{
    size_t lo = 0, hi = p->hubs_of == o ? o->nfwd : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const rl_fwd *f = &o->fwd[p->hubs[mid]];
        int c = strcmp(f->name, name);
        if (!c)
            c = (int)f->global - (int)global;
        if (!c)
            return f;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static int plan_old(plan *p)
{
    for (size_t k = 0; k < p->nold; k++) {
        keel_object *o = p->old[k], *n = paired(p, k);
        keel_symtab st;
        if (obj_symtab(o, &st))
            continue;
        /* its code (a return address there is a call still running) and
         * its writable data (given back after the commit); not its
         * read-only data, which nothing changes and which stays mapped
         * for good: a string the program got from it and keeps in a
         * local (any -O0 build does) would otherwise refuse every swap */
        for (int r = 0; r < 3; r += 2)
            if (o->region_size[r] && PUSH(p, forbid, ((rl_range){o->region[r], o->region[r] + o->region_size[r]})))
                return oom(p);
        if (sort_hubs(p, o))
            return p->err->code;
        for (uint64_t i = 1; i < st.count; i++) {
            keel_sym s;
            const char *name;
            keel_section *sec;
            uintptr_t addr;
            if (keel_symtab_get(&st, i, &s, NULL) || keel_symtab_name(&st, &s, &name, NULL) || !*name)
                continue;
            uint8_t type = KEEL_ST_TYPE(s.info);
            bool global = KEEL_ST_BIND(s.info) != STB_LOCAL;
            if (type == STT_SECTION_ || type == STT_FILE_ || !old_addr(p, o, &s, name, &addr, &sec) || !sec)
                continue;
            where w = counterpart(p, name, global);
            if (w.found && w.sec && is_tls_sec(w.sec) != is_tls_sec(sec))
                w.found = false;
            if (push_xlate(p, false, (rl_xlate_ent){addr, s.size, w.found ? w.addr : 0}))
                return p->err->code;
            if (!w.found)
                continue;
            if (sec->executable && (type == STT_FUNC || type == 0 /* NOTYPE: assembly */)) {
                if (w.sec && w.sec->executable && w.size >= o->arch->jump_size &&
                    PUSH(p, gates, ((gate){w.addr, addr, w.sec->parent})))
                    return oom(p);
                if (s.size < o->arch->jump_size) {
                    p->short_fns++; /* a pointer to it stored at run time keeps the old code */
                    continue;
                }
                /* to its name's hub (re-pointed below), or it is the hub */
                const rl_fwd *hub = find_hub(p, o, name, global);
                if (entry_jump(p, o, addr, hub ? hub->entry : w.addr))
                    return p->err->code;
                rl_fwd f = {addr, o, name, global};
                if (!hub && PUSH(p, fwds, f))
                    return oom(p);
                continue;
            }
            bool tls = is_tls_sec(sec);
            if (!(sec->writable || tls) || !(w.sec && (w.sec->writable || tls)))
                continue; /* constants: the new ones' */
            /* a variable: carried over */
            char fname[300];
            snprintf(fname, sizeof fname, "keel_transfer_%s", name);
            for (char *c = fname; *c; c++)
                if (*c == '.')
                    *c = '_';
            where fn = counterpart(p, fname, true);
            if (fn.found && !tls) {
                xfer_call c = {(int (*)(void *, const void *, size_t))fn.addr, (void *)w.addr, (const void *)addr,
                               s.size, name};
                if (PUSH(p, calls, c))
                    return oom(p);
                continue;
            }
            if (w.size != s.size)
                return keel_error_set(p->err, KEEL_E_FORMAT, 0,
                                      "live swap refused: '%s' changes size from %U to %U bytes in the new "
                                      "objects%s",
                                      name, (uint64_t)s.size, (uint64_t)w.size,
                                      tls ? " (a thread-local variable: its size must stay)"
                                          : ", and they define no keel_transfer_ function for it");
            if (tls) {
                const keel_object *no = w.sec->parent;
                rl_tls_job *j = job_of(p, o, no);
                rl_tls_var v = {addr - o->tls_image, w.addr - no->tls_image, s.size};
                if (!j || PUSH(p, tvars, v))
                    return oom(p);
                continue;
            }
            if (PUSH(p, copies, ((copy){(void *)w.addr, (const void *)addr, s.size})))
                return oom(p);
        }
        /* what lies in no symbol: the same offset of the section of the
         * same name */
        for (uint32_t i = 0; n && i < o->nsections; i++) {
            const keel_section *s = &o->sections[i];
            for (uint32_t m = 0; m < n->nsections && s->size; m++)
                if (strcmp(n->sections[m].elf_name, s->elf_name) == 0 && n->sections[m].size == s->size &&
                    push_xlate(p, true, (rl_xlate_ent){s->addr, s->size, n->sections[m].addr}))
                    return p->err->code;
        }
        /* the hubs, retired entries that jumped into o: on to the new
         * functions */
        for (uint32_t f = 0; f < o->nfwd; f++) {
            where w = counterpart(p, o->fwd[f].name, o->fwd[f].global);
            if (!w.found)
                continue; /* it keeps jumping to o's: kept mapped */
            if (entry_jump(p, o->fwd[f].owner, o->fwd[f].entry, w.addr))
                return p->err->code;
            rl_fwd nf = o->fwd[f];
            if (PUSH(p, fwds, nf))
                return oom(p);
        }
    }
    qsort(p->x.sym, p->x.nsym, sizeof *p->x.sym, by_old);
    qsort(p->x.sec, p->x.nsec, sizeof *p->x.sec, by_old);
    return 0;
}

/* The TLS jobs' variables and pointer words, in place now that the
 * arrays stop growing. */
static int plan_tls(plan *p)
{
    /* vars were pushed in order of their jobs' making: regroup by module */
    for (size_t j = 0; j < p->n_jobs; j++) {
        p->jobs[j].vars = NULL;
        p->jobs[j].nvars = 0;
    }
    /* one job per old module: give each its run of tvars by module */
    rl_tls_var *all = p->tvars;
    size_t n = p->n_tvars;
    if (!p->n_jobs)
        return 0;
    rl_tls_var *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (!sorted)
        return oom(p);
    /* a var belongs to the job whose old module's template holds it: with
     * one job (the common case) all of them */
    if (p->n_jobs == 1) {
        memcpy(sorted, all, n * sizeof *sorted);
        p->jobs[0].vars = sorted;
        p->jobs[0].nvars = n;
    } else {
        free(sorted);
        return keel_error_set(p->err, KEEL_E_UNSUPPORTED, 0,
                              "live swap: thread-local variables of more than one old object in one swap");
    }
    free(p->tvars);
    p->tvars = sorted; /* owned by the job now */
    p->n_tvars = p->cap_tvars = n;
    for (size_t v = 0; v < n; v++)
        for (uint64_t w = (sorted[v].new_off + 7) & ~(uint64_t)7; w + 8 <= sorted[v].new_off + sorted[v].size; w += 8)
            if (PUSH(p, twords, w))
                return oom(p);
    p->jobs[0].words = p->twords;
    p->jobs[0].nwords = p->n_twords;
    return 0;
}

static int unprotect(plan *p, keel_object *o)
{
    for (size_t i = 0; i < p->n_unprots; i++)
        if (p->unprots[i].addr == o->region[1])
            return 0;
    if (mprotect((void *)o->region[1], o->region_size[1], PROT_READ | PROT_WRITE))
        return keel_error_set(p->err, KEEL_E_IO, 0, "live swap: %s: cannot make its read-only data writable", o->name);
    if (PUSH(p, unprots, ((unprot){o->region[1], o->region_size[1]})))
        return oom(p);
    return 0;
}

static bool in_region(const keel_object *o, int r, uintptr_t a)
{
    return o->region_size[r] && a >= o->region[r] && a - o->region[r] < o->region_size[r];
}

/* A word of o's memory to translate at the commit. */
static int word_at(plan *p, keel_object *o, uintptr_t at)
{
    if (in_region(o, 1, at) && unprotect(p, o))
        return p->err->code;
    if (PUSH(p, words, at))
        return oom(p);
    p->rewritten++;
    return 0;
}

/* One object's references into the old ones. */
static int plan_dependent(plan *p, keel_object *o)
{
    if (!o->sym_target || is_old(p, o))
        return 0;
    bool any = false;
    for (uint64_t i = 1; i < o->nsyms && !any; i++)
        any = o->sym_target[i] && is_old(p, o->sym_target[i]->parent);
    if (!any)
        return 0;
    keel_symtab st;
    if (obj_symtab(o, &st))
        return 0;
    rl_resolution *res = calloc(o->nsyms, sizeof *res);
    if (!res)
        return oom(p);
    int rc = 0;
    for (uint64_t i = 1; i < o->nsyms && !rc; i++) {
        keel_section *t = o->sym_target[i];
        if (!t || !is_old(p, t->parent))
            continue;
        keel_sym s;
        const char *name = "?";
        if (!keel_symtab_get(&st, i, &s, NULL))
            keel_symtab_name(&st, &s, &name, NULL);
        where w = counterpart(p, name, true);
        const sym_entry *d = w.found ? rl_sym_find(p->defs, name, rl_hash(name)) : NULL;
        if (!w.found || (d && (d->visibility == STV_HIDDEN || d->visibility == STV_INTERNAL)))
            rc = keel_error_set(p->err, KEEL_E_LINK, 0,
                                "live swap refused: '%s', defined in %s and used by %s, has no counterpart in the "
                                "new objects",
                                name, t->parent->name, o->name);
        else if (PUSH(p, fixes, ((symfix){o, i, w.sec})))
            rc = oom(p);
        else
            res[i] = (rl_resolution){.section = w.sec, .addr = w.addr, .size = w.size, .defined = true};
    }
    /* the relocations */
    for (uint32_t k = 1; k < o->elf.shnum && !rc; k++) {
        keel_shdr sh;
        keel_relocs rs;
        if (keel_elf_shdr(&o->elf, k, &sh, NULL) || sh.type != SHT_RELA || sh.info >= o->elf.shnum ||
            !o->by_index[sh.info] || keel_elf_relocs(&o->elf, k, &rs, NULL))
            continue;
        keel_section *sec = o->by_index[sh.info];
        for (uint64_t q = 0; q < rs.count && !rc; q++) {
            keel_rel r;
            keel_relocs_get(&rs, q, &r);
            if (r.sym >= o->nsyms || !res[r.sym].defined)
                continue;
            const ka_howto *h = o->arch->howto(r.type);
            if (!h || h->formula == KA_F_NONE || h->formula == KA_F_MARKER ||
                (h->needs & (KA_NEED_GOT | KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC | KA_NEED_TLS_DTPOFF)))
                continue; /* through a slot: below */
            uintptr_t place = sec->addr + r.offset;
            if (!sec->executable && h->formula == KA_F_ABS && h->size == sizeof(uintptr_t)) {
                rc = word_at(p, o, place); /* its value now, translated at the commit */
                continue;
            }
            /* worked out now, into a copy of the bytes around the place */
            uint8_t buf[32];
            if (r.offset > sec->size || sec->size - r.offset < 8) {
                rc = keel_error_set(p->err, KEEL_E_RANGE, 0, "live swap: %s:(%s+0x%X): the field is at the end",
                                    o->name, sec->elf_name, (uint64_t)r.offset);
                continue;
            }
            memcpy(buf + 8, (const void *)place, 8);
            rl_reloc_env env = {.obj = o,
                                .symtab = &st,
                                .sec = sec,
                                .delta = (intptr_t)((uintptr_t)(buf + 8) - place),
                                .got = 0,
                                .room = NULL,
                                .err = p->err};
            if (rl_reloc_one(&env, &r, &res[r.sym])) {
                rc = p->err->code;
                continue;
            }
            patch pa = {.run = place, .len = h->size ? h->size : 8};
            if (pa.len > 8)
                pa.len = 8;
            memcpy(pa.bytes, buf + 8, pa.len);
            if (sec->executable) {
                uintptr_t alias;
                if (rl_text_alias(o, &alias, p->err)) {
                    rc = p->err->code;
                    continue;
                }
                pa.dst = alias + (place - o->region[0]);
                if (PUSH(p, forbid, ((rl_range){place, place + pa.len})))
                    rc = oom(p);
            } else {
                pa.dst = place;
                if (in_region(o, 1, place) && unprotect(p, o))
                    rc = p->err->code;
            }
            if (!rc && PUSH(p, patches, pa))
                rc = oom(p);
            p->rewritten++;
        }
    }
    /* its slots: GOT and stub words hold addresses; TLS slots a module
     * and an offset */
    for (uint32_t k = 0; k < o->nslots && !rc; k++) {
        const keel_slot *sl = &o->slots[k];
        uintptr_t words[2] = {sl->got, sl->stub_got};
        for (int m = 0; m < 2 && !rc; m++)
            if (words[m])
                rc = word_at(p, o, words[m]);
        uintptr_t ti[2] = {sl->tls_index, sl->tlsdesc ? sl->tlsdesc + 16 : 0};
        for (int m = 0; m < 2 && !rc; m++) {
            if (!ti[m])
                continue;
            const uint64_t *cur = (const uint64_t *)ti[m];
            keel_object *owner = NULL;
            for (size_t q = 0; q < p->nold; q++)
                if (p->old[q]->tls_module && p->old[q]->tls_module == cur[0])
                    owner = p->old[q];
            if (!owner)
                continue;
            where w = counterpart(p, sl->symbol, true);
            if (!w.found || !is_tls_sec(w.sec)) {
                rc = keel_error_set(p->err, KEEL_E_LINK, 0,
                                    "live swap refused: thread-local '%s', defined in %s and used by %s, has no "
                                    "counterpart in the new objects",
                                    sl->symbol, owner->name, o->name);
                break;
            }
            const keel_object *no = w.sec->parent;
            uint64_t v[2] = {no->tls_module, w.addr - no->tls_image};
            for (int z = 0; z < 2 && !rc; z++) {
                patch pa = {.dst = ti[m] + 8 * (uintptr_t)z, .run = ti[m] + 8 * (uintptr_t)z, .len = 8};
                memcpy(pa.bytes, &v[z], 8);
                if (in_region(o, 1, pa.dst) && unprotect(p, o))
                    rc = p->err->code;
                else if (PUSH(p, patches, pa))
                    rc = oom(p);
            }
            p->rewritten++;
        }
    }
    free(res);
    return rc;
}

static int plan_dependents(plan *p, keel_ns *ns)
{
    for (keel_object *o = ns->first; o; o = o->next)
        if (plan_dependent(p, o))
            return p->err->code;
    for (keel_ns *c = ns->children; c; c = c->sibling)
        if (plan_dependents(p, c))
            return p->err->code;
    return 0;
}

/* The words of the carried-over variables that hold an address in the
 * old objects are translated too: relocation-known or stored at run time
 * alike (a word that merely equals such an address would be changed too;
 * see docs/loader.md). */
static int plan_copied_words(plan *p)
{
    for (size_t i = 0; i < p->n_copies; i++) {
        uintptr_t d = (uintptr_t)p->copies[i].dst;
        for (uintptr_t w = (d + 7) & ~(uintptr_t)7; w + 8 <= d + p->copies[i].n; w += 8)
            if (PUSH(p, words, w))
                return oom(p);
    }
    return 0;
}

static void plan_free(plan *p)
{
    free(p->nw);
    rl_sym_free(&p->locals);
    free(p->x.sym);
    free(p->x.sec);
    free(p->x.old);
    free(p->patches);
    free(p->entries);
    free(p->gated);
    free(p->gates);
    free(p->stop1);
    free(p->words);
    free(p->copies);
    free(p->calls);
    free(p->fixes);
    free(p->unprots);
    free(p->forbid);
    free(p->fn_entries);
    free(p->fwds);
    free(p->hubs);
    free(p->jobs);
    free(p->tvars);
    free(p->twords);
}

static void reprotect(plan *p)
{
    for (size_t i = 0; i < p->n_unprots; i++)
        mprotect((void *)p->unprots[i].addr, p->unprots[i].size, PROT_READ);
    p->n_unprots = 0;
}

/* The commit's part that cannot fail, with the world stopped. */
static uint32_t commit_memory(plan *p)
{
    uint32_t translated = 0;
    for (size_t i = 0; i < p->n_copies; i++)
        memcpy(p->copies[i].dst, p->copies[i].src, p->copies[i].n);
    for (size_t i = 0; i < p->n_words; i++) {
        uintptr_t v;
        bool changed = false;
        memcpy(&v, (const void *)p->words[i], sizeof v);
        v = rl_xlate_word(&p->x, v, &changed);
        if (changed) {
            memcpy((void *)p->words[i], &v, sizeof v);
            translated++;
        }
    }
    for (size_t i = 0; i < p->n_patches; i++) {
        memcpy((void *)p->patches[i].dst, p->patches[i].bytes, p->patches[i].len);
        if (p->patches[i].dst != p->patches[i].run)
            __builtin___clear_cache((char *)p->patches[i].run, (char *)p->patches[i].run + p->patches[i].len);
    }
    return translated;
}

static void write_patches(const patch *v, size_t n, bool saved)
{
    for (size_t i = 0; i < n; i++) {
        memcpy((void *)v[i].dst, saved ? v[i].saved : v[i].bytes, v[i].len);
        if (v[i].dst != v[i].run)
            __builtin___clear_cache((char *)v[i].run, (char *)v[i].run + v[i].len);
    }
}

static int by_entry(const void *a, const void *b)
{
    const gate *x = a, *y = b;
    return x->new_entry < y->new_entry ? -1 : x->new_entry > y->new_entry;
}

/* The gates, in memory of their own in the arena (never reused): a
 * read+write page or more with the flag (closed: 1) and each gate's slot
 * (where it goes on: the new function, or the old one after a rollback),
 * and read+execute code; then each new entry's jump to its gate,
 * written at the first stop. */
static int build_gates(plan *p)
{
    if (!p->n_gates)
        return 0;
    qsort(p->gates, p->n_gates, sizeof *p->gates, by_entry);
    size_t m = 0;
    for (size_t i = 0; i < p->n_gates; i++) /* aliases share an entry */
        if (!m || p->gates[m - 1].new_entry != p->gates[i].new_entry)
            p->gates[m++] = p->gates[i];
    p->n_gates = m;
    const ka_arch *arch = p->gates[0].owner->arch;
    p->gate_rw_size = 8 * (m + 1);
    p->gate_rx_size = arch->gate_size * m;
    if (rl_arena_alloc(p->ns, p->gate_rw_size, 0, &p->gate_rw, p->err) ||
        rl_arena_alloc(p->ns, p->gate_rx_size, 0, &p->gate_rx, p->err))
        return p->err->code;
    uint64_t *rw = (uint64_t *)p->gate_rw;
    rw[0] = 1; /* closed */
    for (size_t i = 0; i < m; i++) {
        uintptr_t at = p->gate_rx + i * arch->gate_size;
        rw[1 + i] = p->gates[i].new_entry;
        arch->write_gate((uint8_t *)at, at, p->gate_rw, p->gate_rw + 8 * (1 + i));
    }
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    if (mprotect((void *)p->gate_rx, (p->gate_rx_size + page - 1) & ~(page - 1), PROT_READ | PROT_EXEC))
        return keel_error_set(p->err, KEEL_E_IO, 0, "live swap: cannot make its gates executable");
    __builtin___clear_cache((char *)p->gate_rx, (char *)p->gate_rx + p->gate_rx_size);
    for (size_t i = 0; i < m; i++) {
        keel_object *o = p->gates[i].owner;
        uintptr_t alias, e = p->gates[i].new_entry;
        if (rl_text_alias(o, &alias, p->err))
            return p->err->code;
        patch pa = {.dst = alias + (e - o->region[0]), .run = e, .len = arch->jump_size};
        arch->write_jump(pa.bytes, e, p->gate_rx + i * arch->gate_size);
        memcpy(pa.saved, (const void *)e, pa.len);
        rl_range r = {e, e + arch->jump_size};
        if (PUSH(p, gated, pa) || PUSH(p, forbid, r) || PUSH(p, stop1, r))
            return oom(p);
    }
    return 0;
}

/* The gates open: to the new functions, or (a rollback) the old ones. */
static void open_gates(plan *p, bool to_old)
{
    if (!p->gate_rw)
        return; /* none built (cooperative mode) */
    uint64_t *rw = (uint64_t *)p->gate_rw;
    for (size_t i = 0; to_old && i < p->n_gates; i++)
        rw[1 + i] = p->gates[i].old_fn;
    __atomic_store_n((uint8_t *)rw, 0, __ATOMIC_RELEASE);
}

static int merge_ranges(rl_range *v, size_t n)
{
    qsort(v, n, sizeof *v, by_lo);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && v[i].lo <= v[m - 1].hi) {
            if (v[i].hi > v[m - 1].hi)
                v[m - 1].hi = v[i].hi;
        } else {
            v[m++] = v[i];
        }
    }
    return (int)m;
}

static void retire(plan *p, keel_object *o)
{
    keel_ns *ns = o->ns;
    keel_object **pp = &ns->first, *prev = NULL;
    while (*pp && *pp != o) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp)
        *pp = o->next;
    if (ns->last == o)
        ns->last = prev;
    o->next = NULL;
    rl_sym_remove_object(&ns->syms, o);
    rl_sym_remove_object(&ns->groups, o);
    rl_sym_remove_object(&ns->hidden, o);
    o->retired = true;
    o->retired_next = ns->retired;
    ns->retired = o;
    (void)p;
}

/* The entries now jumping into the new objects, kept on each, for the
 * next swap of it. */
static void keep_fwds(plan *p)
{
    for (size_t i = 0; i < p->n_fwds; i++) {
        where w = counterpart(p, p->fwds[i].name, p->fwds[i].global);
        keel_object *to = w.sec ? w.sec->parent : NULL;
        if (!to)
            continue;
        if (to->nfwd == to->capfwd) {
            size_t cap = to->capfwd;
            if (grow((void **)&to->fwd, &cap, sizeof *to->fwd))
                continue; /* out of memory: a later swap leaves this entry on the way */
            to->capfwd = (uint32_t)cap;
        }
        to->fwd[to->nfwd++] = p->fwds[i];
    }
}

static int cmp_uptr(const void *a, const void *b)
{
    uintptr_t x = *(const uintptr_t *)a, y = *(const uintptr_t *)b;
    return (x > y) - (x < y);
}

/* The function entries the patches rewrite (old, retired and new ones),
 * sorted: a stack word equal to one is a function pointer (rl_world_check). */
static int collect_entries(plan *p)
{
    size_t n = p->n_entries + p->n_gated;
    if (!(p->fn_entries = malloc((n ? n : 1) * sizeof *p->fn_entries)))
        return oom(p);
    for (size_t i = 0; i < p->n_entries; i++)
        p->fn_entries[i] = p->entries[i].run;
    for (size_t i = 0; i < p->n_gated; i++)
        p->fn_entries[p->n_entries + i] = p->gated[i].run;
    qsort(p->fn_entries, n, sizeof *p->fn_entries, cmp_uptr);
    p->n_fn_entries = n;
    return 0;
}

/* One stop, with every thread out of the ranges: 0 with the world
 * stopped; else it is let go again, after a pause that lets the threads
 * run on (out of the ranges, one hopes).  The pause and the new thread
 * list come before a retry only, not before the next stop after one that
 * succeeded (the first stop's, then the second): each stop checks the
 * thread list anyway, and on a busy machine a pause, however short,
 * costs a turn of the scheduler, milliseconds. */
static int stop_checked(plan *p, rl_world *w, const keel_swap_opts *opts, const rl_range *r, size_t n, char *why,
                        size_t size, uint32_t *attempts)
{
    bool retry = p->stop_failed;
    p->stop_failed = true; /* until it succeeds */
    if ((*attempts)++ && retry) {
        struct timespec ts = {0, 20000 + 1000 * (long)(*attempts % 100)};
        nanosleep(&ts, NULL);
        size_t before = w->nthreads;
        keel_error e;
        if (rl_world_prepare(w, opts->flags & KEEL_SWAP_COOPERATIVE, &e)) {
            snprintf(why, size, "%.250s", e.msg);
            return -1;
        }
        if (w->nthreads > before && w->njobs) { /* more threads: more TLS memory */
            rl_world_free_tls(w);               /* no handler is inside: prepare waited */
            if (rl_world_prepare_tls(w, &e)) {
                snprintf(why, size, "%.250s", e.msg);
                return -1;
            }
        }
    }
    if (rl_world_stop(w, why, size))
        return -1;
    if (rl_world_check(w, r, n, p->fn_entries, p->n_fn_entries, why, size)) {
        rl_world_release(w, false);
        return -1;
    }
    p->stop_failed = false;
    return 0;
}

int keel_swap(keel_ns *ns, keel_object *const *old, size_t nold, const keel_input *inputs, size_t count,
              const keel_swap_opts *opts, keel_object **first, keel_error *err)
{
    uint64_t t0 = now_ns();
    keel_swap_opts none = {0};
    if (!opts)
        opts = &none;
    if (!nold)
        return keel_error_set(err, KEEL_E_FORMAT, 0, "live swap: no object to replace");
    rl_write_lock(ns);
    for (size_t i = 0; i < nold; i++) {
        const char *why = !old[i] || old[i]->ns != ns ? "is not loaded in this namespace"
                          : old[i]->retired           ? "was replaced by an earlier swap"
                          : old[i]->constructing      ? "is still running its constructors"
                                                      : NULL;
        for (size_t k = 0; k < i && !why; k++)
            if (old[k] == old[i])
                why = "is named twice";
        if (why) {
            rl_unlock(ns);
            return keel_error_set(err, KEEL_E_FORMAT, 0, "live swap: %s %s", old[i] ? old[i]->name : "(null)", why);
        }
    }
    if (ns->flags & KEEL_NS_INERT) {
        rl_unlock(ns);
        return keel_error_set(err, KEEL_E_FORMAT, 0, "live swap: the namespace never runs its code (inert)");
    }
    rl_aside *a = NULL;
    int rc = rl_aside_load(ns, inputs, count, old, nold, &a, err);
    if (rc) {
        rl_unlock(ns);
        return rc;
    }
    plan p = {.ns = ns, .old = old, .nold = nold, .err = err};
    p.defs = rl_aside_defs(a);
    p.nnew = rl_aside_objects(a, NULL);
    p.nw = malloc((p.nnew ? p.nnew : 1) * sizeof *p.nw);
    rl_world *w = rl_world_new();
    if (!p.nw || !w)
        rc = oom(&p);
    if (!rc) {
        rl_aside_objects(a, p.nw);
        for (size_t i = 0; i < p.nnew && !rc; i++) {
            keel_symtab st;
            if (!obj_symtab(p.nw[i], &st))
                rc = add_local(&p, p.nw[i], &st);
        }
    }
    if (!rc)
        rc = plan_old(&p);
    if (!rc)
        rc = plan_dependents(&p, ns);
    if (!rc)
        rc = plan_copied_words(&p);
    if (!rc)
        rc = plan_tls(&p);
    /* the old regions, for translation, and the ranges no thread may be in */
    if (!rc) {
        p.x.old = malloc(3 * nold * sizeof *p.x.old);
        if (!p.x.old)
            rc = oom(&p);
        for (size_t i = 0; i < nold && !rc; i++)
            for (int r = 0; r < 3; r++)
                if (old[i]->region_size[r])
                    p.x.old[p.x.nold++] = (rl_range){old[i]->region[r], old[i]->region[r] + old[i]->region_size[r]};
    }
    bool coop = opts->flags & KEEL_SWAP_COOPERATIVE;
    /* cooperative threads wait at their safe points, outside the old code
     * (or the check says otherwise): one stop does it all, no gates (a
     * thread held at one would never reach its safe point) */
    if (!rc && !coop)
        rc = build_gates(&p);
    if (!rc) {
        p.n_forbid = (size_t)merge_ranges(p.forbid, p.n_forbid);
        p.n_stop1 = (size_t)merge_ranges(p.stop1, p.n_stop1);
        rc = collect_entries(&p);
    }
    if (!rc) {
        rc = rl_world_prepare(w, opts->flags & KEEL_SWAP_COOPERATIVE, err);
    }
    if (!rc) {
        w->jobs = p.jobs;
        w->njobs = p.n_jobs;
        w->xlate = &p.x;
        rc = rl_world_prepare_tls(w, err);
    }
    if (rc) {
        reprotect(&p);
        rl_aside_discard(a);
        rl_world_free(w);
        plan_free(&p);
        rl_unlock(ns);
        return rc;
    }
    /* the new objects' constructors: before the commit, on the new objects
     * alone (their names are not yet the namespace's), so that what they
     * make is there when the state of the old ones is carried over it */
    rl_aside_construct(a);
    unsigned max = opts->max_attempts ? opts->max_attempts : 1000;
    char why[300] = "";
    bool committed = false, refused = false;
    uint64_t stopped = 0;
    uint32_t attempts = 0, translated = 0;
    /* The first stop: the old entries jump to the new ones, and those to
     * their gates, closed.  Calls of the old code from then on wait at
     * the gates, so the calls still in the old code run out and the
     * second stop finds every thread out of it (in a tight loop calling
     * the old code, a stop at a random moment rarely would). */
    bool gated = false;
    while (!gated && !coop && attempts < max) {
        if (stop_checked(&p, w, opts, p.stop1, p.n_stop1, why, sizeof why, &attempts))
            continue;
        write_patches(p.entries, p.n_entries, false);
        write_patches(p.gated, p.n_gated, false);
        rl_world_sync_core(w);
        rl_world_release(w, false);
        gated = true;
    }
    /* The second stop: the commit. */
    while ((gated || coop) && !committed && !refused && attempts < max) {
        if (stop_checked(&p, w, opts, p.forbid, p.n_forbid, why, sizeof why, &attempts))
            continue;
        uint64_t s0 = now_ns();
        /* the transfer functions: they write the new objects only */
        for (size_t i = 0; i < p.n_calls && !refused; i++) {
            int r = p.calls[i].fn(p.calls[i].dst, p.calls[i].src, p.calls[i].oldsize);
            if (r) {
                snprintf(why, sizeof why, "keel_transfer_%s failed (returned %d)", p.calls[i].name, r);
                refused = true;
            }
        }
        if (refused) { /* the first stop undone, in this one */
            write_patches(p.entries, p.n_entries, true);
            open_gates(&p, true);
            rl_world_sync_core(w);
            rl_world_release(w, false);
            gated = false;
            break;
        }
        translated = commit_memory(&p);
        if (coop)
            write_patches(p.entries, p.n_entries, false);
        write_patches(p.gated, p.n_gated, true); /* the new entries as they were */
        rl_world_tls_self(w);
        rl_world_sync_core(w);
        open_gates(&p, false);
        stopped = now_ns() - s0;
        rl_world_release(w, w->njobs != 0);
        committed = true;
    }
    /* no second stop in time: the first one undone (the gates lead to the
     * old functions), in a stop that needs only to avoid those bytes */
    for (unsigned tries = 0; gated && !committed; tries++) {
        if (stop_checked(&p, w, opts, p.stop1, p.n_stop1, why, sizeof why, &attempts)) {
            if (tries > 100000)
                abort(); /* cannot happen: the first stop succeeded on the same ranges */
            continue;
        }
        write_patches(p.entries, p.n_entries, true);
        open_gates(&p, true);
        rl_world_sync_core(w);
        rl_world_release(w, false);
        gated = false;
    }
    if (!committed) {
        reprotect(&p);
        rl_aside_discard(a);
        rl_world_free(w);
        plan_free(&p);
        rl_unlock(ns);
        if (refused)
            return keel_error_set(err, KEEL_E_FORMAT, 0, "live swap refused: %s", why);
        return keel_error_set(err, KEEL_E_FORMAT, 0, "live swap refused after %U attempts: %s", (uint64_t)attempts,
                              why);
    }
    reprotect(&p);
    /* the namespace: the old objects out, the new ones in, the edges */
    for (size_t i = 0; i < nold; i++) {
        retire(&p, old[i]);
        rl_exit_recs_adopt(old[i], p.nw, p.nnew, &p.x);
    }
    keel_object *head = p.nnew ? p.nw[0] : NULL;
    keep_fwds(&p); /* while the batch's table lives */
    rl_aside_commit(a);
    for (size_t i = 0; i < p.n_fixes; i++) {
        symfix *f = &p.fixes[i];
        f->o->sym_target[f->symi] = f->to;
    }
    for (size_t i = 0; i < p.n_fixes; i++)
        for (uint32_t s = 0; s < p.fixes[i].o->nsections; s++)
            if (p.fixes[i].o->sections[s].deps_built)
                rl_deps_reset(&p.fixes[i].o->sections[s]);
    for (size_t i = 0; i < nold; i++) {
        free(old[i]->fwd);
        old[i]->fwd = NULL;
        old[i]->nfwd = old[i]->capfwd = 0;
    }
    rl_unlock(ns);
    /* what the old objects held: their names lent to dlopen, frames, TLS
     * module; their writable data given back (a stale pointer to an old
     * variable faults), unless constructors may have registered
     * destructors with it (glibc's exit would run them) or holds
     * .data.rel.ro (vtables: C++ objects made before point there, and
     * the loader keeps it writable, as in the object).  Their code and
     * read-only data stay: function pointers and C++ objects' vtable
     * pointers made before the swap lead there, and on through the
     * entries' jumps. */
    void (*dereg)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "__deregister_frame");
    for (size_t i = 0; i < nold; i++) {
        keel_object *o = old[i];
        rl_export_release(o);
        for (uint32_t f = 0; dereg && f < o->neh_frames; f++)
            dereg(o->eh_frames[f]);
        o->neh_frames = 0;
        if (o->tls_module)
            rl_tls_unregister(o->tls_module);
        bool relro = false; /* vtables and typeinfo: C++ objects point there */
        for (uint32_t k = 0; k < o->nsections && !relro; k++)
            relro = strncmp(o->sections[k].elf_name, ".data.rel.ro", 12) == 0;
        if (!o->nctors && !relro && o->region_size[2])
            mmap((void *)o->region[2], o->region_size[2], PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    }
    if (first)
        *first = head;
    if (opts->stats) {
        keel_swap_stats *st = opts->stats;
        *st = (keel_swap_stats){.stopped_ns = stopped,
                                .attempts = attempts,
                                .rewritten = p.rewritten,
                                .entries = (uint32_t)p.n_fwds,
                                .short_fns = p.short_fns,
                                .transferred = (uint32_t)(p.n_copies + p.n_calls + p.n_tvars),
                                .translated = translated,
                                .threads = (uint32_t)w->nthreads,
                                .sync_core = w->sync_core};
    }
    rl_world_free(w);
    plan_free(&p);
    if (opts->stats)
        opts->stats->total_ns = now_ns() - t0;
    return 0;
}

keel_object *keel_ns_object(keel_ns *ns, const char *name)
{
    rl_read_lock(ns);
    keel_object *o = ns->first;
    while (o && strcmp(o->name, name) != 0)
        o = o->next;
    rl_unlock(ns);
    return o;
}

bool keel_section_retired(const keel_section *s) { return s->parent->retired; }
