/* Unloading: refused while other objects depend on the object, unless the
 * caller asks for a cascade; destructors run, frames are deregistered,
 * edges leave the other ends, and the memory returns to PROT_NONE.  The
 * address space is not reused: a stale pointer into unloaded code faults
 * rather than running something else. */
#include <dlfcn.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "internal.h"

typedef void (*fini_fn)(void);

static void run_dtors(keel_object *o)
{
    /* in the reverse order of construction */
    for (uint32_t k = o->ndtors; k-- > 0;) {
        const ctor_list *l = &o->dtors[k];
        uintptr_t *f = (uintptr_t *)l->addr;
        for (uint64_t i = 0; i < l->count; i++) {
            uintptr_t fn = f[l->reverse ? i : l->count - 1 - i];
            if (fn && fn != (uintptr_t)-1)
                ((fini_fn)fn)();
        }
    }
}

static void drop_edges_to(dep_list *l, const keel_object *gone)
{
    uint32_t w = 0;
    for (uint32_t i = 0; i < l->n; i++)
        if (l->v[i].section->parent != gone)
            l->v[w++] = l->v[i];
    l->n = w;
}

void ld_object_destroy(keel_object *o, bool run)
{
    if (run && o->constructed) {
        void (*finalize)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "__cxa_finalize");
        if (finalize)
            finalize((void *)o->dso_handle);
        run_dtors(o);
    }
    if (o->tls_module)
        ld_tls_unregister(o->tls_module);
    if (o->neh_frames) {
        void (*dereg)(void *) = (void (*)(void *))dlsym(RTLD_DEFAULT, "__deregister_frame");
        for (uint32_t i = 0; dereg && i < o->neh_frames; i++)
            dereg(o->eh_frames[i]);
    }
    for (uint32_t i = 0; i < o->nsections; i++) {
        keel_section *s = &o->sections[i];
        /* the other ends forget this object */
        for (uint32_t k = 0; k < s->deps.n; k++)
            drop_edges_to((dep_list *)&s->deps.v[k].section->users, o);
        for (uint32_t k = 0; k < s->users.n; k++)
            drop_edges_to((dep_list *)&s->users.v[k].section->deps, o);
    }
    for (uint32_t i = 0; i < o->nsections; i++) {
        free(o->sections[i].deps.v);
        free(o->sections[i].users.v);
    }
    size_t total = o->text_size + o->ro_size + o->rw_size;
    if (o->base && total)
        mmap((void *)o->base, total, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
    if (o->file_map)
        munmap(o->file_map, o->file_size);
    free(o->sections);
    free(o->by_index);
    free(o->list);
    free(o->ctors);
    free(o->dtors);
    free(o->eh_frames);
    free(o->name);
    free(o);
}

static bool has_dependents(const keel_object *o)
{
    for (uint32_t i = 0; i < o->nsections; i++)
        for (uint32_t k = 0; k < o->sections[i].users.n; k++)
            if (o->sections[i].users.v[k].section->parent != o)
                return true;
    return false;
}

static keel_object *first_dependent(const keel_object *o)
{
    for (uint32_t i = 0; i < o->nsections; i++)
        for (uint32_t k = 0; k < o->sections[i].users.n; k++)
            if (o->sections[i].users.v[k].section->parent != o)
                return o->sections[i].users.v[k].section->parent;
    return NULL;
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
    ld_sym_remove_object(&ns->syms, o);
    ld_sym_remove_object(&ns->groups, o);
}

int keel_unload(keel_ns *ns, keel_object *obj, bool cascade, keel_error *err)
{
    pthread_rwlock_wrlock(&ns->lock);
    if (has_dependents(obj) && !cascade) {
        keel_object *d = first_dependent(obj);
        pthread_rwlock_unlock(&ns->lock);
        return keel_error_set(err, KEEL_E_FORMAT, 0, "%s is still used by %s (and perhaps others)", obj->name,
                              d->name);
    }
    /* a cascade unloads the dependents first, the latest loaded first */
    keel_object *d;
    while ((d = first_dependent(obj))) {
        pthread_rwlock_unlock(&ns->lock);
        int rc = keel_unload(ns, d, true, err);
        if (rc)
            return rc;
        pthread_rwlock_wrlock(&ns->lock);
    }
    unlink_object(ns, obj);
    ld_index_rebuild(ns);
    pthread_rwlock_unlock(&ns->lock);
    ld_object_destroy(obj, true);
    return 0;
}
