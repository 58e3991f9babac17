/* Unloading: refused while other objects depend on the object, unless the
 * caller asks for a cascade; destructors run, frames are deregistered,
 * the dependents lists are dropped, and the memory returns to PROT_NONE.  The
 * address space is not reused: a stale pointer into unloaded code faults
 * rather than running something else. */
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "internal.h"
#include "jit_names.h"

typedef void (*init_fn)(int, char **, char **);

/* One array, forwards (constructors) or backwards (destructors); .ctors
 * and .dtors run the other way round. */
static void run_list(const ctor_list *l, bool backwards)
{
    uintptr_t *f = (uintptr_t *)l->addr;
    bool rev = l->reverse != backwards;
    for (uint64_t i = 0; i < l->count; i++) {
        uintptr_t fn = f[rev ? l->count - 1 - i : i];
        if (fn && fn != (uintptr_t)-1)
            ((init_fn)fn)(0, NULL, NULL);
    }
}

typedef struct list_item {
    const ctor_list *list;
    size_t seq; /* load order, then section order */
} list_item;

static int by_priority(const void *a, const void *b)
{
    const list_item *x = a, *y = b;
    if (x->list->priority != y->list->priority)
        return x->list->priority < y->list->priority ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* As a linked program's .init_array and .fini_array: the linker sorts the
 * arrays by priority (the unprioritised ones last, in input order) into
 * one array; constructors run it forwards, destructors backwards. */
static void run_sorted(keel_object *const *objs, size_t n, bool init)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += init ? objs[i]->nctors : objs[i]->ndtors;
    list_item *v = malloc((count ? count : 1) * sizeof *v);
    if (!v) { /* out of memory: object by object, which is close */
        for (size_t i = 0; i < n; i++) {
            const keel_object *o = objs[init ? i : n - 1 - i];
            uint32_t m = init ? o->nctors : o->ndtors;
            for (uint32_t k = 0; k < m; k++)
                run_list(init ? &o->ctors[k] : &o->dtors[m - 1 - k], !init);
        }
        return;
    }
    count = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t m = init ? objs[i]->nctors : objs[i]->ndtors;
        for (uint32_t k = 0; k < m; k++, count++)
            v[count] = (list_item){init ? &objs[i]->ctors[k] : &objs[i]->dtors[k], count};
    }
    qsort(v, count, sizeof *v, by_priority);
    for (size_t i = 0; i < count; i++)
        run_list(v[init ? i : count - 1 - i].list, !init);
    free(v);
}

void rl_run_init(keel_object *const *objs, size_t n) { run_sorted(objs, n, true); }
void rl_run_fini(keel_object *const *objs, size_t n) { run_sorted(objs, n, false); }

/* What the object registered with __cxa_atexit (C++ static destructors,
 * atexit handlers) runs now, as at a dlclose. */
void rl_object_cxa_finalize(keel_object *o)
{
    void (*finalize)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "__cxa_finalize");
    if (finalize && o->constructed)
        finalize((void *)o->dso_handle);
}

void rl_object_finalize(keel_object *o)
{
    if (!o->constructed)
        return;
    rl_object_cxa_finalize(o);
    rl_run_fini(&o, 1);
    o->constructed = false;
}

void rl_object_free(keel_object *o, bool detach)
{
    rl_export_release(o);     /* before its pages go: no library binds to them anew */
    rl_jit_names_unloaded(o); /* out of gdb's JIT list (jit_names.c) */
    if (o->tls_module)
        rl_tls_unregister(o->tls_module);
    if (o->neh_frames) {
        void (*dereg)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "__deregister_frame");
        for (uint32_t i = 0; dereg && i < o->neh_frames; i++)
            dereg(o->eh_frames[i]);
    }
    for (uint32_t i = 0; i < o->nsections; i++) {
        free(o->sections[i].deps.v);
        free(o->sections[i].users.v);
    }
    for (int r = 0; r < 3 && detach; r++)
        if (o->region_size[r])
            mmap((void *)o->region[r], o->region_size[r], PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    rl_text_alias_free(o);
    if (o->file_map)
        munmap(o->file_map, o->file_size);
    rl_pool_put(&o->ns->pool, o->chunk);
    rl_exit_recs_free(o);
    free(o->slots);
    free(o->ctors);
    free(o->dtors);
    free(o->eh_frames);
    free(o->fwd);
    free(o->name);
    free(o);
}

static void unlink_object(keel_ns *ns, keel_object *o)
{
    keel_object **pp = &ns->first, *prev = NULL;
    while (*pp && *pp != o) {
        prev = *pp;
        pp = &(*pp)->next;
    }
    if (*pp)
        *pp = o->next;
    if (ns->last == o)
        ns->last = prev;
    rl_sym_remove_object(&ns->syms, o);
    rl_sym_remove_object(&ns->groups, o);
    rl_sym_remove_object(&ns->hidden, o);
}

static int by_seq(const void *a, const void *b)
{
    const keel_object *x = *(keel_object *const *)a, *y = *(keel_object *const *)b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* With a cascade, everything that depends on the object goes too, cycles
 * included (a batch's objects may use one another): all leave their
 * namespaces at once, then their destructors run as a program's would
 * (what they registered with __cxa_atexit, then their .fini_arrays as one
 * array), then they are freed. */
int keel_unload(keel_ns *ns, keel_object *obj, bool cascade, keel_error *err)
{
    if (obj->ns != ns)
        return keel_error_set(err, KEEL_E_FORMAT, 0, "%s is not loaded in this namespace", obj->name);
    rl_write_lock(ns); /* the tree's: dependents in child namespaces leave too */
    size_t n = 0;
    keel_object **all = rl_dependents_closure(obj, &n);
    if (!all) {
        rl_unlock(ns);
        return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory unloading %s", obj->name);
    }
    if (n > 1 && !cascade) {
        rl_unlock(ns);
        int rc = keel_error_set(err, KEEL_E_FORMAT, 0, "%s is still used by %s%s", obj->name, all[1]->name,
                                n > 2 ? " (and others)" : "");
        free(all);
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (__atomic_load_n(&all[i]->constructing, __ATOMIC_ACQUIRE)) {
            rl_unlock(ns);
            int rc = keel_error_set(err, KEEL_E_FORMAT, 0, "%s is still running its constructors", all[i]->name);
            free(all);
            return rc;
        }
    for (size_t i = 0; i < n; i++) {
        unlink_object(all[i]->ns, all[i]); /* a dependent may live in a child namespace */
        rl_index_remove(all[i]->ns, all[i]);
    }
    rl_edges_changed(ns);
    rl_unlock(ns);
    qsort(all, n, sizeof *all, by_seq);
    for (size_t i = n; i-- > 0;)
        rl_object_cxa_finalize(all[i]);
    keel_object **run = malloc(n * sizeof *run);
    size_t nrun = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i]->constructed) {
            if (run)
                run[nrun++] = all[i];
            else
                rl_run_fini(&all[i], 1); /* out of memory: object by object */
            all[i]->constructed = false;
        }
    rl_run_fini(run, nrun);
    free(run);
    for (size_t i = 0; i < n; i++)
        rl_object_free(all[i], true);
    free(all);
    return 0;
}
