/* Namespaces: creation, the symbol index, lookups by name, by prefix and
 * by address.  Lookups take their tree's lock shared, so they are safe
 * while another thread loads or unloads; whatever they read of a section
 * (its address, for an offset) is read before the lock is let go. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "internal.h"

/* Eight bytes a step, then a final mix so that the low bits (a table's
 * index) depend on every byte.  A byte at a time (FNV-1a) was 9% of a
 * sqlite load's instructions: every name is hashed two or three times
 * (its reference, the archive index, its resolution), 12,000 hashes. */
uint32_t rl_hash(const char *s)
{
    size_t len = strlen(s), n = len;
    uint64_t h = 0x9e3779b97f4a7c15u ^ len, w = 0;
    const char *p = s;
    for (; n > 8; n -= 8, p += 8) {
        memcpy(&w, p, 8);
        h = (h ^ w) * 0xff51afd7ed558ccdu;
        h ^= h >> 32;
    }
    if (len >= 8) /* the last 8 bytes, overlapping the word before */
        memcpy(&w, s + len - 8, 8);
    else
        for (size_t i = 0; i < len; i++)
            w |= (uint64_t)(uint8_t)s[i] << (8 * i);
    h = (h ^ w) * 0xff51afd7ed558ccdu;
    h ^= h >> 33; /* MurmurHash3's finaliser */
    h *= 0xc4ceb9fe1a85ec53u;
    h ^= h >> 33;
    return (uint32_t)h;
}

sym_entry *rl_sym_find(const sym_table *t, const char *name, uint32_t hash)
{
    if (!t->cap)
        return NULL;
    for (size_t i = hash & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        sym_entry *e = &t->v[i];
        if (!e->name)
            return NULL;
        if (e->hash == hash && strcmp(e->name, name) == 0)
            return e;
    }
}

static sym_entry *place(sym_table *t, const sym_entry *e)
{
    size_t i = e->hash & (t->cap - 1);
    while (t->v[i].name)
        i = (i + 1) & (t->cap - 1);
    t->v[i] = *e;
    return &t->v[i];
}

static sym_entry *table_alloc(sym_table *t, size_t cap)
{
    if (cap > SIZE_MAX / sizeof(sym_entry))
        return NULL;
    return t->scratch ? rl_scratch_alloc(t->scratch, cap * sizeof(sym_entry)) : rl_bulk_alloc(cap * sizeof(sym_entry));
}

static void table_free(sym_table *t, sym_entry *v, size_t cap)
{
    if (!t->scratch)
        rl_bulk_free(v, cap * sizeof *v);
}

void rl_sym_free(sym_table *t)
{
    table_free(t, t->v, t->cap);
    t->v = NULL;
    t->cap = t->n = 0;
}

int rl_sym_reserve(sym_table *t, size_t more)
{
    size_t want = t->n + more, cap = t->cap ? t->cap : 64;
    while (want * 2 > cap)
        cap *= 2;
    if (cap == t->cap)
        return 0;
    sym_entry *old = t->v;
    size_t oldcap = t->cap;
    if (!(t->v = table_alloc(t, cap))) {
        t->v = old;
        return KEEL_E_NOMEM;
    }
    t->cap = cap;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].name)
            place(t, &old[i]);
    table_free(t, old, oldcap);
    return 0;
}

sym_entry *rl_sym_insert(sym_table *t, const sym_entry *e)
{
    t->n++;
    return place(t, e);
}

/* Remove slot i without a tombstone: the entries after it in its run move
 * back where their probe would find them (deletion for linear probing),
 * so that unloading neither allocates nor leaves the table slower. */
static void remove_at(sym_table *t, size_t i)
{
    size_t mask = t->cap - 1;
    for (size_t j = i;;) {
        j = (j + 1) & mask;
        if (!t->v[j].name)
            break;
        size_t home = t->v[j].hash & mask;
        /* v[j] may fill the hole unless its home lies cyclically in (i, j] */
        bool between = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!between) {
            t->v[i] = t->v[j];
            i = j;
        }
    }
    t->v[i] = (sym_entry){0};
    t->n--;
}

void rl_sym_remove_object(sym_table *t, const keel_object *o)
{
    /* A slot that was just filled from later in its run is looked at again.
     * An entry moved back across the table's end comes from a slot already
     * passed, so it is not o's. */
    for (size_t i = 0; i < t->cap;) {
        if (t->v[i].name && t->v[i].object == o)
            remove_at(t, i);
        else
            i++;
    }
}

void rl_read_lock(const keel_ns *ns) { pthread_rwlock_rdlock(&ns->tree->lock); }
static _Thread_local const rl_tree *writing;
void rl_write_lock(keel_ns *ns)
{
    pthread_rwlock_wrlock(&ns->tree->lock);
    writing = ns->tree;
}
void rl_unlock(const keel_ns *ns)
{
    if (writing == ns->tree)
        writing = NULL;
    pthread_rwlock_unlock(&ns->tree->lock);
}
const rl_tree *rl_tree_writing(void) { return writing; }

static rl_tree *tree_new(void)
{
    rl_tree *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    /* Writers first: a steady stream of lookups must not keep a load out
     * for ever.  Nothing takes the lock twice in one thread (loaded code
     * runs, constructors and destructors, only after it is let go), so
     * the non-recursive kind is safe. */
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
#ifdef __GLIBC__
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
#endif
    pthread_rwlock_init(&t->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    t->refs = 1;
    return t;
}

static void tree_free(rl_tree *t)
{
    for (size_t i = 0; i < t->ngrave; i++)
        free(t->grave[i]);
    free(t->grave);
    pthread_rwlock_destroy(&t->lock);
    free(t);
}

keel_ns *keel_ns_create(keel_ns *parent, unsigned flags, keel_error *err)
{
    keel_ns *ns = calloc(1, sizeof *ns);
    rl_tree *tree = ns && !parent ? tree_new() : NULL;
    if (!ns || (!parent && !tree)) {
        free(ns);
        keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory creating a namespace");
        return NULL;
    }
    ns->parent = parent;
    /* KEEL_EXPORT_EAGER=1 makes every exporting namespace lend at each
     * load, as without KEEL_NS_EXPORT_LAZY (keel run's programs too) */
    const char *eager = (flags & KEEL_NS_EXPORT_LAZY) ? getenv("KEEL_EXPORT_EAGER") : NULL;
    if (eager && strcmp(eager, "1") == 0)
        flags &= ~(unsigned)KEEL_NS_EXPORT_LAZY;
    ns->flags = flags;
    rl_pool_init(&ns->pool);
    if (parent) {
        ns->tree = parent->tree;
        rl_write_lock(parent);
        ns->tree->refs++;
        rl_ns_link(ns);
        rl_unlock(parent);
    } else {
        ns->tree = tree;
    }
    rl_host_register(ns);
    return ns;
}

/* Every object's destructors as a program's exit runs them: what they
 * registered with __cxa_atexit, last loaded first, then all their
 * .fini_arrays as one linked array.  Each runs once. */
void keel_ns_finalize(keel_ns *ns)
{
    if (!ns)
        return;
    size_t n = 0;
    for (keel_object *o = ns->first; o; o = o->next)
        n++;
    keel_object **all = malloc((n ? n : 1) * sizeof *all);
    if (all) {
        n = 0;
        for (keel_object *o = ns->first; o; o = o->next)
            if (o->constructed)
                all[n++] = o;
        for (size_t i = n; i-- > 0;)
            rl_object_cxa_finalize(all[i]);
        rl_run_fini(all, n);
        for (size_t i = 0; i < n; i++)
            all[i]->constructed = false;
        free(all);
    } else { /* out of memory: one by one, from the last */
        for (keel_object *last = NULL; last != ns->first;) {
            keel_object *o = ns->first;
            while (o->next != last)
                o = o->next;
            rl_object_finalize(o);
            last = o;
        }
    }
}

/* The namespace leaves its tree (its children become roots of their own,
 * and keep sharing the lock), then goes; nobody may use it meanwhile. */
void keel_ns_destroy(keel_ns *ns)
{
    if (!ns)
        return;
    rl_host_unregister(ns);
    rl_write_lock(ns);
    rl_edges_changed(ns); /* the parents' dependents lists may point here */
    rl_ns_unlink(ns);
    rl_unlock(ns);
    keel_ns_finalize(ns);
    for (keel_object *o = ns->first, *next; o; o = next) {
        next = o->next;
        rl_object_free(o, false);
    }
    for (keel_object *o = ns->retired, *next; o; o = next) { /* swap.c's */
        next = o->retired_next;
        rl_object_cxa_finalize(o); /* its exit records do nothing, and glibc forgets them */
        rl_object_free(o, false);
    }
    ns->first = ns->last = ns->retired = NULL;
    rl_pool_destroy(&ns->pool);
    for (size_t i = 0; i < ns->narchives; i++)
        munmap(ns->archives[i].map, ns->archives[i].size);
    free(ns->archives);
    if (ns->arena)
        munmap((void *)ns->arena, ns->arena_size);
    rl_sym_free(&ns->syms);
    rl_sym_free(&ns->groups);
    rl_sym_free(&ns->hidden);
    free(ns->by_addr);
    rl_tree *tree = ns->tree;
    rl_write_lock(ns);
    bool last = --tree->refs == 0;
    rl_unlock(ns);
    if (last)
        tree_free(tree);
    free(ns);
}

void *keel_symbol(const keel_ns *ns, const char *name)
{
    uint32_t h = rl_hash(name);
    void *addr = NULL;
    rl_read_lock(ns);
    for (const keel_ns *n = ns; n; n = n->parent) {
        sym_entry *e = rl_sym_find(&n->syms, name, h);
        if (e) {
            addr = (void *)e->addr;
            break;
        }
    }
    rl_unlock(ns);
    return addr;
}

/* The batch's own definition of a name, hidden ones included: the
 * namespace's table, or among the hidden ones (several batches may each
 * have one of that name, all in the run the hash starts). */
static const sym_entry *program_def(const keel_ns *ns, const char *name, uint32_t h, uint64_t batch)
{
    const sym_entry *e = rl_sym_find(&ns->syms, name, h);
    if (e && e->object->batch == batch)
        return e;
    const sym_table *t = &ns->hidden;
    for (size_t i = t->cap ? h & (t->cap - 1) : 0; t->cap && t->v[i].name; i = (i + 1) & (t->cap - 1))
        if (t->v[i].hash == h && t->v[i].object->batch == batch && strcmp(t->v[i].name, name) == 0)
            return &t->v[i];
    return NULL;
}

/* A batch is one program, as a linker's output is: visibility limits
 * binding across its edge, not inside it, so its hidden main is its main. */
void *keel_program_symbol(const keel_object *obj, const char *name)
{
    const keel_ns *ns = obj->ns;
    uint32_t h = rl_hash(name);
    rl_read_lock(ns);
    const sym_entry *e = program_def(ns, name, h, obj->batch);
    for (const keel_ns *n = ns; n && !e; n = n->parent)
        e = rl_sym_find(&n->syms, name, h);
    void *addr = e ? (void *)e->addr : NULL;
    rl_unlock(ns);
    return addr;
}

int keel_symbol_prefix(const keel_ns *ns, const char *prefix, void **addr, keel_error *err)
{
    size_t len = strlen(prefix), found = 0;
    char list[sizeof err->msg] = "";
    size_t used = 0, listed = 0;
    rl_read_lock(ns);
    for (const keel_ns *n = ns; n; n = n->parent) {
        for (size_t i = 0; i < n->syms.cap; i++) {
            const sym_entry *e = &n->syms.v[i];
            if (!e->name || strncmp(e->name, prefix, len) != 0)
                continue;
            if (found++ == 0)
                *addr = (void *)e->addr;
            size_t l = strlen(e->name);
            if (used + l + 3 < sizeof list - 48) { /* room left for the rest of the message */
                memcpy(list + used, used ? ", " : "", used ? 2 : 0);
                used += used ? 2 : 0;
                memcpy(list + used, e->name, l + 1);
                used += l;
                listed++;
            }
        }
    }
    rl_unlock(ns);
    if (found == 1)
        return 0;
    *addr = NULL;
    if (!found)
        return keel_error_set(err, KEEL_E_INDEX, 0, "no symbol starts with '%s'", prefix);
    if (listed < found)
        snprintf(list + used, sizeof list - used, " and %zu more", found - listed);
    return keel_error_set(err, KEEL_E_INDEX, 0, "%U symbols start with '%s': %s", (uint64_t)found, prefix, list);
}

static int by_address(const void *a, const void *b)
{
    uintptr_t x = (*(keel_section *const *)a)->addr, y = (*(keel_section *const *)b)->addr;
    return x < y ? -1 : x > y;
}

/* The address index.  A namespace's arena only grows upward, so a batch's
 * sections all lie above those already indexed: a load sorts just its own
 * and appends them (room reserved before the commit, which cannot fail),
 * and an unload filters its object out in place. */
int rl_index_reserve(keel_ns *ns, size_t more)
{
    if (ns->nby_addr + more <= ns->capby_addr)
        return 0;
    size_t cap = ns->nby_addr + more;
    keel_section **v = realloc(ns->by_addr, (cap ? cap : 1) * sizeof *v);
    if (!v)
        return KEEL_E_NOMEM;
    ns->by_addr = v;
    ns->capby_addr = cap;
    return 0;
}

void rl_index_append(keel_ns *ns, keel_object *from)
{
    size_t start = ns->nby_addr;
    for (keel_object *o = from; o; o = o->next)
        for (uint32_t i = 0; i < o->nsections; i++)
            if (o->sections[i].size)
                ns->by_addr[ns->nby_addr++] = &o->sections[i];
    if (ns->nby_addr == start)
        return; /* nothing new (a batch of archives that gave nothing) */
    qsort(ns->by_addr + start, ns->nby_addr - start, sizeof *ns->by_addr, by_address);
    if (start && ns->nby_addr > start && ns->by_addr[start]->addr < ns->by_addr[start - 1]->addr)
        qsort(ns->by_addr, ns->nby_addr, sizeof *ns->by_addr, by_address); /* not above: sort it all */
}

void rl_index_remove(keel_ns *ns, const keel_object *o)
{
    size_t w = 0;
    for (size_t i = 0; i < ns->nby_addr; i++)
        if (ns->by_addr[i]->parent != o)
            ns->by_addr[w++] = ns->by_addr[i];
    ns->nby_addr = w;
}

/* The section holding addr (the tree's lock held). */
static const keel_section *section_at(const keel_ns *ns, uintptr_t addr)
{
    size_t lo = 0, hi = ns->nby_addr;
    while (lo < hi) { /* the last section starting at or below addr */
        size_t mid = lo + (hi - lo) / 2;
        if (ns->by_addr[mid]->addr <= addr)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && addr - ns->by_addr[lo - 1]->addr < ns->by_addr[lo - 1]->size)
        return ns->by_addr[lo - 1];
    return NULL;
}

/* The offset is worked out under the lock: once it is let go, another
 * thread may unload the section. */
const keel_section *keel_section_at(const keel_ns *ns, uintptr_t addr, uint64_t *offset)
{
    rl_read_lock(ns);
    const keel_section *hit = section_at(ns, addr);
    if (hit && offset)
        *offset = addr - hit->addr;
    rl_unlock(ns);
    return hit;
}

/* host.c's two, called by loaded code (its atexit, __cxa_atexit, ...),
 * which may be a swap's constructors, run while this thread holds the
 * tree's lock to write: a read lock then fails (EDEADLK), and its unlock
 * let the swap's own lock go, in the middle of the swap (the swap's last
 * unlock then broke the lock, and the next swap waited for ever).  So
 * the tree this thread already holds is read as it is. */
uintptr_t rl_handle_at(const keel_ns *ns, uintptr_t addr)
{
    bool held = rl_tree_writing() == ns->tree;
    if (!held)
        rl_read_lock(ns);
    const keel_section *hit = section_at(ns, addr);
    uintptr_t h = hit ? hit->parent->dso_handle : 0;
    if (!held)
        rl_unlock(ns);
    return h;
}

keel_object *rl_object_at(const keel_ns *ns, uintptr_t addr)
{
    bool held = rl_tree_writing() == ns->tree;
    if (!held)
        rl_read_lock(ns);
    const keel_section *hit = section_at(ns, addr);
    keel_object *o = hit ? hit->parent : NULL;
    if (!held)
        rl_unlock(ns);
    return o;
}

const keel_object *keel_ns_next_object(const keel_ns *ns, const keel_object *prev)
{
    rl_read_lock(ns);
    const keel_object *o = prev ? prev->next : ns->first;
    rl_unlock(ns);
    return o;
}
