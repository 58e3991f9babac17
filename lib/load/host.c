/* The host process as the last resort for names, and the few functions a
 * normal link takes from libc_nonshared.a rather than libc.so: they need
 * the calling module's __dso_handle, which for loaded code is its object's,
 * found from the return address. */
#include <dlfcn.h>
#include <link.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "swap.h"

/* Every namespace, for finding the object that holds a return address.
 * Its lock comes before the namespaces' (caller_handle takes both), so a
 * namespace enters and leaves it without holding its own. */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static keel_ns *registry;

void rl_host_register(keel_ns *ns)
{
    pthread_mutex_lock(&registry_lock);
    ns->registry_next = registry;
    registry = ns;
    pthread_mutex_unlock(&registry_lock);
}

/* One lender at a time (the wrappers below); it comes before the
 * registry's lock and the namespaces', and a namespace leaves the
 * registry only under it, so a lender walks the registry without holding
 * the registry's lock while it waits for a tree's. */
static pthread_mutex_t lend_lock = PTHREAD_MUTEX_INITIALIZER;

void rl_host_unregister(keel_ns *ns)
{
    pthread_mutex_lock(&lend_lock);
    pthread_mutex_lock(&registry_lock);
    for (keel_ns **pp = &registry; *pp; pp = &(*pp)->registry_next)
        if (*pp == ns) {
            *pp = ns->registry_next;
            break;
        }
    pthread_mutex_unlock(&registry_lock);
    pthread_mutex_unlock(&lend_lock);
}

/* Lend every namespace's waiting objects, the oldest namespace first (the
 * registry is newest first).  Namespaces registered meanwhile enter at
 * the head, before the one read; none leaves while lend_lock is held.
 * Not from a thread that holds a tree's lock (a swap's constructors, an
 * unload's destructors): it would wait for itself; what waits stays so
 * until the next dlopen. */
static void lend_all(void)
{
    if (rl_tree_writing())
        return;
    pthread_mutex_lock(&lend_lock);
    pthread_mutex_lock(&registry_lock);
    keel_ns *head = registry;
    pthread_mutex_unlock(&registry_lock);
    size_t n = 0;
    for (keel_ns *ns = head; ns; ns = ns->registry_next)
        n++;
    keel_ns **order = malloc((n ? n : 1) * sizeof *order);
    size_t k = 0;
    for (keel_ns *ns = head; order && ns; ns = ns->registry_next)
        order[n - 1 - k++] = ns;
    for (size_t i = 0; i < n; i++) {
        keel_ns *ns = order ? order[i] : NULL;
        if (!order) /* out of memory: newest first, still all of them */
            for (ns = head, k = 0; k < i; k++)
                ns = ns->registry_next;
        if (!__atomic_load_n(&ns->lend_pending, __ATOMIC_ACQUIRE))
            continue;
        rl_write_lock(ns);
        rl_export_pending(ns);
        rl_unlock(ns);
    }
    free(order);
    pthread_mutex_unlock(&lend_lock);
}

/* What loaded code gets for dlopen and dlmopen (in a namespace that falls
 * back to the host): the names of every batch loaded so far are lent
 * first, then the host's function is called, as a tail call, so that it
 * sees loaded code's return address as its caller, as it would have.  A
 * program that never calls dlopen never writes an export object. */
static void *(*host_dlopen)(const char *, int);
static void *(*host_dlmopen)(Lmid_t, const char *, int);
static void *(*host_dlsym)(void *, const char *);
static void *(*host_dlvsym)(void *, const char *, const char *);

static void *lend_dlopen(const char *file, int mode)
{
    if (__atomic_load_n(&rl_lend_waiting, __ATOMIC_ACQUIRE))
        lend_all();
    return host_dlopen(file, mode);
}

static void *lend_dlmopen(Lmid_t lmid, const char *file, int mode)
{
    if (__atomic_load_n(&rl_lend_waiting, __ATOMIC_ACQUIRE))
        lend_all();
    return host_dlmopen(lmid, file, mode);
}

/* dlsym and dlvsym too: a program linked with -E finds its own names in
 * the global scope (dlsym(RTLD_DEFAULT, ...)) without any dlopen. */
static void *lend_dlsym(void *handle, const char *name)
{
    if (__atomic_load_n(&rl_lend_waiting, __ATOMIC_ACQUIRE))
        lend_all();
    return host_dlsym(handle, name);
}

static void *lend_dlvsym(void *handle, const char *name, const char *version)
{
    if (__atomic_load_n(&rl_lend_waiting, __ATOMIC_ACQUIRE))
        lend_all();
    return host_dlvsym(handle, name, version);
}

/* The __dso_handle of the loaded object holding code address pc. */
static void *caller_handle(void *pc)
{
    uintptr_t h = 0;
    pthread_mutex_lock(&registry_lock);
    for (keel_ns *ns = registry; ns && !h; ns = ns->registry_next)
        h = rl_handle_at(ns, (uintptr_t)pc);
    pthread_mutex_unlock(&registry_lock);
    return (void *)h;
}

extern int __cxa_atexit(void (*fn)(void *), void *arg, void *dso);
extern int __cxa_at_quick_exit(void (*fn)(void *), void *dso);
extern int __register_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void), void *dso);

/* What loaded code registers to run at exit (C++ static destructors,
 * atexit handlers) goes to glibc through a record of ours, under the
 * object's own handle, so that __cxa_finalize still runs it at an unload.
 * The record lets a live swap keep a replaced object's handlers from
 * running: their state lives on in the new object, whose own handlers
 * run instead (run twice, a container's destructor frees its buffer
 * twice). */
typedef struct rl_exit_rec {
    void (*fn)(void *);
    void (*fn0)(void); /* an atexit handler's (fn NULL) */
    void *arg;
    keel_object *o;
    struct rl_exit_rec *next;
    bool at_run; /* registered after the object's constructors (swap.c) */
} rl_exit_rec;

static void run_exit_rec(void *p)
{
    rl_exit_rec *r = p;
    if (__atomic_load_n(&r->o->retired, __ATOMIC_ACQUIRE))
        return;
    if (r->fn)
        r->fn(r->arg);
    else
        r->fn0();
}

/* A swap's new objects while this thread runs their constructors: they
 * are not yet in their namespace, and what they register must still be
 * theirs (a record), or the next swap could not keep it from running: a
 * global's destructor registered so ran at exit as well as its
 * successor's, on the same carried-over state (a container's buffer
 * freed twice). */
static _Thread_local keel_object *const *constructing;
static _Thread_local size_t nconstructing;

void rl_host_constructing(keel_object *const *v, size_t n)
{
    constructing = v;
    nconstructing = n;
}

/* The loaded object holding code address pc, or NULL. */
static keel_object *caller_object(void *pc)
{
    keel_object *o = NULL;
    for (size_t i = 0; i < nconstructing && !o; i++)
        if ((uintptr_t)pc - constructing[i]->region[0] < constructing[i]->region_size[0])
            o = constructing[i];
    if (o)
        return o;
    /* A swap's constructors run holding their tree's lock, which comes
     * after the registry's: another thread may hold the registry while it
     * waits for that tree.  So then the registry is only tried, and if it
     * cannot be had, what they register goes to glibc as it is. */
    if (!rl_tree_writing())
        pthread_mutex_lock(&registry_lock);
    else
        for (int tries = 0; pthread_mutex_trylock(&registry_lock); tries++) {
            if (tries == 100)
                return NULL;
            sched_yield();
        }
    for (keel_ns *ns = registry; ns && !o; ns = ns->registry_next)
        o = rl_object_at(ns, (uintptr_t)pc);
    pthread_mutex_unlock(&registry_lock);
    return o;
}

/* fn(arg) at exit, or at the unload of the object whose code at pc
 * registers it (dso: its handle, or NULL: the object's own). */
static int register_exit(void *pc, void (*fn)(void *), void (*fn0)(void), void *arg, void *dso)
{
    keel_object *o = caller_object(pc);
    if (!o) /* (not loaded code: as it asked) */
        return fn ? __cxa_atexit(fn, arg, dso) : atexit(fn0);
    rl_exit_rec *r = malloc(sizeof *r);
    if (!r)
        return -1;
    *r = (rl_exit_rec){fn,
                       fn0,
                       arg,
                       o,
                       __atomic_load_n(&o->exit_recs, __ATOMIC_RELAXED),
                       __atomic_load_n(&o->constructed, __ATOMIC_ACQUIRE)};
    while (!__atomic_compare_exchange_n(&o->exit_recs, &r->next, r, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
        ;
    return __cxa_atexit(run_exit_rec, r, dso ? dso : (void *)o->dso_handle);
}

/* The new object (of nw) whose regions hold a, or NULL. */
static keel_object *holder(keel_object *const *nw, size_t nnew, uintptr_t a)
{
    for (size_t i = 0; i < nnew; i++)
        for (int r = 0; r < 3; r++)
            if (nw[i]->region_size[r] && a - nw[i]->region[r] < nw[i]->region_size[r])
                return nw[i];
    return NULL;
}

/* A swap's old object's records, once the new objects are committed.
 * Those its constructors registered (a global's destructor) the new
 * object's constructors registered again, for the new variable.  But one
 * its code registered as it ran (a function-local static's destructor,
 * at the static's first use; an atexit handler registered once) the new
 * code never registers again: the static's guard variable, or the
 * program's own flag, is carried over as set.  So such a record, when its
 * argument (or, for an argument not in the old objects, its function)
 * has a counterpart in a new object, becomes that object's, translated:
 * it runs at exit on the carried-over state, in the order it was
 * registered.  The others stay the retired object's, and never run. */
void rl_exit_recs_adopt(keel_object *old, keel_object *const *nw, size_t nnew, const rl_xlate *x)
{
    rl_exit_rec **pp = &old->exit_recs;
    while (*pp) {
        rl_exit_rec *r = *pp;
        bool by_arg = false, by_fn = false;
        uintptr_t arg = rl_xlate_word(x, (uintptr_t)r->arg, &by_arg);
        uintptr_t fn = rl_xlate_word(x, r->fn ? (uintptr_t)r->fn : (uintptr_t)r->fn0, &by_fn);
        keel_object *to = !r->at_run ? NULL : by_arg ? holder(nw, nnew, arg) : by_fn ? holder(nw, nnew, fn) : NULL;
        if (!to) {
            pp = &r->next;
            continue;
        }
        *pp = r->next;
        r->arg = (void *)arg;
        if (r->fn)
            r->fn = (void (*)(void *))fn;
        else
            r->fn0 = (void (*)(void))fn;
        __atomic_store_n(&r->o, to, __ATOMIC_RELEASE);
        r->next = __atomic_load_n(&to->exit_recs, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&to->exit_recs, &r->next, r, true, __ATOMIC_RELEASE, __ATOMIC_RELAXED))
            ;
    }
}

void rl_exit_recs_free(keel_object *o)
{
    for (rl_exit_rec *r = o->exit_recs, *next; r; r = next) {
        next = r->next;
        free(r);
    }
    o->exit_recs = NULL;
}

static int shim_cxa_atexit(void (*fn)(void *), void *arg, void *dso)
{
    return register_exit(__builtin_return_address(0), fn, NULL, arg, dso);
}

static int shim_atexit(void (*fn)(void)) { return register_exit(__builtin_return_address(0), NULL, fn, NULL, NULL); }

static int shim_at_quick_exit(void (*fn)(void))
{
    return __cxa_at_quick_exit((void (*)(void *))(void (*)(void))fn, caller_handle(__builtin_return_address(0)));
}

static int shim_pthread_atfork(void (*prepare)(void), void (*parent)(void), void (*child)(void))
{
    return __register_atfork(prepare, parent, child, caller_handle(__builtin_return_address(0)));
}

/* The size of the host's symbol at addr (for a size relocation): ld.so knows
 * it from the symbol table entry. */
bool rl_host_symbol_size(uintptr_t addr, uint64_t *size)
{
    Dl_info info;
    const ElfW(Sym) *sym = NULL;
    if (!dladdr1((void *)addr, &info, (void **)&sym, RTLD_DL_SYMENT) || !sym || (uintptr_t)info.dli_saddr != addr)
        return false;
    *size = sym->st_size;
    return true;
}

void *rl_host_symbol(const keel_ns *ns, const char *name)
{
    bool host = false;
    for (; ns && !host; ns = ns->parent)
        host = ns->flags & KEEL_NS_HOST;
    if (!host)
        return NULL;
    if (strcmp(name, "atexit") == 0)
        return (void *)shim_atexit;
    if (strcmp(name, "__cxa_atexit") == 0)
        return (void *)shim_cxa_atexit;
    if (strcmp(name, "pthread_atfork") == 0)
        return (void *)shim_pthread_atfork;
    if (strcmp(name, "at_quick_exit") == 0)
        return (void *)shim_at_quick_exit;
    void *p = dlsym(RTLD_DEFAULT, name);
    /* the host's function as loaded code would have had it (a sanitizer's
     * interceptor, say), behind the lender; set before it is handed out */
    if (p && name[0] == 'd' && name[1] == 'l') {
        if (strcmp(name, "dlopen") == 0) {
            __atomic_store_n(&host_dlopen, (void *(*)(const char *, int))p, __ATOMIC_RELEASE);
            return (void *)lend_dlopen;
        }
        if (strcmp(name, "dlmopen") == 0) {
            __atomic_store_n(&host_dlmopen, (void *(*)(Lmid_t, const char *, int))p, __ATOMIC_RELEASE);
            return (void *)lend_dlmopen;
        }
        if (strcmp(name, "dlsym") == 0) {
            __atomic_store_n(&host_dlsym, (void *(*)(void *, const char *))p, __ATOMIC_RELEASE);
            return (void *)lend_dlsym;
        }
        if (strcmp(name, "dlvsym") == 0) {
            __atomic_store_n(&host_dlvsym, (void *(*)(void *, const char *, const char *))p, __ATOMIC_RELEASE);
            return (void *)lend_dlvsym;
        }
    }
    if (!p && name[0] == '_' && name[1] == '_') {
        /* The compiler's runtime helpers (__popcountdi2, __divti3...): a
         * normal link takes them from libgcc; the host may not have it
         * loaded yet. */
        static void *libgcc;
        if (!__atomic_load_n(&libgcc, __ATOMIC_ACQUIRE))
            __atomic_store_n(&libgcc, dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_GLOBAL), __ATOMIC_RELEASE);
        void *h = __atomic_load_n(&libgcc, __ATOMIC_ACQUIRE);
        p = h ? dlsym(h, name) : NULL;
    }
    return p;
}
