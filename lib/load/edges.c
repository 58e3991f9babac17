/* Dependency edges, recovered on demand.
 *
 * Every relocation that reaches another object's section is an edge.  The
 * loader keeps, per object, the section each of its symbols resolved to
 * (o->sym_target) and the objects' relocation records stay mapped, so an
 * edge is exactly recoverable at any time; it is materialised only when
 * asked for.  Loading libpython's 179 objects makes some 67,000 edges:
 * building them eagerly cost a third of the load time and 4 MB.
 *
 * A section's dependencies never change once it is loaded (it is not
 * relocated again), so they are built once.  Its dependents grow with each
 * load into the namespace or its children, so all of them are built at
 * once by a walk over every dependency, and rebuilt after each load or
 * unload; an array returned stays valid until its section is unloaded.
 *
 * Everything here runs with the tree's lock held (internal.h): shared by
 * the two questions, alone by loads and unloads.  edges_lock is taken
 * inside it, so that two threads asking at once do not build the same
 * arrays together. */
#include <stdlib.h>

#include "internal.h"

static pthread_mutex_t edges_lock = PTHREAD_MUTEX_INITIALIZER;

/* The edges of one section, from its relocations (edges_lock held). */
static void build_deps(keel_section *s)
{
    if (s->deps_built)
        return;
    keel_object *o = s->parent;
    keel_relocs rs;
    s->deps_built = true;
    if (!s->rela || !o->sym_target || keel_elf_relocs(&o->elf, s->rela, &rs, NULL))
        return;
    uint32_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint64_t k = 0; k < rs.count; k++) {
            keel_rel r;
            keel_relocs_get(&rs, k, &r);
            const ka_howto *h = o->arch->howto(r.type);
            if (!h || h->formula == KA_F_NONE || h->formula == KA_F_MARKER || r.sym >= o->nsyms)
                continue;
            keel_section *t = o->sym_target[r.sym];
            if (!t || t->parent == o)
                continue;
            if (pass == 1)
                s->deps.v[n] = (keel_dep){t, r.type, r.offset, r.addend};
            n++;
        }
        if (pass == 0) {
            if (!n || !(s->deps.v = malloc(n * sizeof *s->deps.v)))
                return; /* out of memory: no edges rather than a failure nobody can report */
            s->deps.cap = n;
            n = 0;
        }
    }
    s->deps.n = n;
}

static void each_object(keel_ns *ns, void (*fn)(keel_object *, void *), void *arg)
{
    for (keel_object *o = ns->first; o; o = o->next)
        fn(o, arg);
    for (keel_ns *c = ns->children; c; c = c->sibling)
        each_object(c, fn, arg);
}

static void count_users(keel_object *o, void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < o->nsections; i++) {
        keel_section *s = &o->sections[i];
        build_deps(s);
        for (uint32_t k = 0; k < s->deps.n; k++)
            ((keel_section *)s->deps.v[k].section)->users.cap++;
    }
}

static void fill_users(keel_object *o, void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < o->nsections; i++) {
        keel_section *s = &o->sections[i];
        for (uint32_t k = 0; k < s->deps.n; k++) {
            keel_dep d = s->deps.v[k];
            keel_section *t = (keel_section *)d.section;
            d.section = s;
            if (t->users.v && t->users.n < t->users.cap)
                t->users.v[t->users.n++] = d;
        }
    }
}

static void alloc_users(keel_object *o, void *arg)
{
    (void)arg;
    for (uint32_t i = 0; i < o->nsections; i++) {
        keel_section *s = &o->sections[i];
        s->users.n = 0;
        s->users.v = s->users.cap ? malloc(s->users.cap * sizeof *s->users.v) : NULL;
    }
}

/* A dropped dependents array that keel_section_dependents handed out may
 * still be in a reader's hands (it is returned without a lock held): it is
 * kept until the tree of namespaces goes.  The others (every section's array is
 * built at once, for a question about one) are freed, so that loading and
 * unloading over and over does not grow. */
static void drop_users(keel_object *o, void *arg)
{
    rl_tree *root = arg;
    for (uint32_t i = 0; i < o->nsections; i++) {
        void *v = o->sections[i].users.v;
        bool out = o->sections[i].users_out;
        o->sections[i].users = (dep_list){0};
        o->sections[i].users_out = false;
        if (!v)
            continue;
        if (!out) {
            free(v);
            continue;
        }
        if (root->ngrave == root->capgrave) {
            size_t cap = root->capgrave ? 2 * root->capgrave : 64;
            void **g = realloc(root->grave, cap * sizeof *g);
            if (!g) {
                free(v); /* out of memory: the reader's risk, not a leak */
                continue;
            }
            root->grave = g;
            root->capgrave = cap;
        }
        root->grave[root->ngrave++] = v;
    }
}

/* Dependents point from anywhere below the root namespace. */
static keel_ns *root_of(keel_ns *ns)
{
    while (ns->parent)
        ns = ns->parent;
    return ns;
}

static void ensure_users(keel_ns *ns)
{
    keel_ns *root = root_of(ns);
    if (root->users_built)
        return;
    each_object(root, drop_users, root->tree);
    each_object(root, count_users, NULL);
    each_object(root, alloc_users, NULL);
    each_object(root, fill_users, NULL);
    root->users_built = true;
}

void rl_edges_changed(keel_ns *ns)
{
    pthread_mutex_lock(&edges_lock);
    keel_ns *root = root_of(ns);
    if (root->users_built) {
        each_object(root, drop_users, root->tree);
        root->users_built = false;
    }
    pthread_mutex_unlock(&edges_lock);
}

/* Whether x has an edge into an object of the closure being built (marked
 * in_closure; edges_lock held).  Only an object with a symbol resolved into
 * one can have such an edge: its symbol targets say so cheaply, and only
 * then are its relocations read for the exact answer.  An unload thus
 * costs a pass over the namespace's symbol targets, not the dependents of
 * every section built and dropped again. */
static bool uses_closure(keel_object *x)
{
    bool candidate = false;
    for (uint64_t i = 0; i < x->nsyms && !candidate; i++) {
        const keel_section *t = x->sym_target[i];
        candidate = t && t->parent != x && t->parent->in_closure;
    }
    for (uint32_t i = 0; candidate && i < x->nsections; i++) {
        keel_section *s = &x->sections[i];
        build_deps(s);
        for (uint32_t k = 0; k < s->deps.n; k++)
            if (s->deps.v[k].section->parent->in_closure)
                return true;
    }
    return false;
}

typedef struct closure {
    keel_object **v;
    size_t n, cap;
    bool grew, oom;
} closure;

static void join_closure(keel_object *x, void *arg)
{
    closure *c = arg;
    if (c->oom || x->in_closure || !uses_closure(x))
        return;
    if (c->n == c->cap) {
        keel_object **w = realloc(c->v, 2 * c->cap * sizeof *w);
        if (!w) {
            c->oom = true;
            return;
        }
        c->v = w;
        c->cap *= 2;
    }
    x->in_closure = true;
    c->v[c->n++] = x;
    c->grew = true;
}

/* o and every object that depends on it, directly or not (dependents of
 * dependents, cycles included), o first, anywhere below the root
 * namespace; NULL when out of memory. */
keel_object **rl_dependents_closure(keel_object *o, size_t *count)
{
    closure c = {.v = malloc(16 * sizeof(keel_object *)), .cap = 16};
    if (!c.v)
        return NULL;
    pthread_mutex_lock(&edges_lock);
    o->in_closure = true;
    c.v[c.n++] = o;
    do {
        c.grew = false;
        each_object(root_of(o->ns), join_closure, &c);
    } while (c.grew && !c.oom);
    for (size_t i = 0; i < c.n; i++)
        c.v[i]->in_closure = false;
    pthread_mutex_unlock(&edges_lock);
    if (c.oom) {
        free(c.v);
        return NULL;
    }
    *count = c.n;
    return c.v;
}

void rl_ns_link(keel_ns *ns)
{
    if (!ns->parent)
        return;
    ns->sibling = ns->parent->children;
    ns->parent->children = ns;
}

void rl_ns_unlink(keel_ns *ns)
{
    if (ns->parent)
        for (keel_ns **pp = &ns->parent->children; *pp; pp = &(*pp)->sibling)
            if (*pp == ns) {
                *pp = ns->sibling;
                break;
            }
    for (keel_ns *c = ns->children; c; c = c->sibling)
        c->parent = NULL; /* orphans: their parent is going */
}

/* s stays loaded while it is asked about (the caller's part), so its
 * namespace and lock are there; the lock keeps the rest of the tree
 * still. */
size_t keel_section_deps(const keel_section *s, const keel_dep **deps)
{
    const keel_ns *ns = s->parent->ns;
    rl_read_lock(ns);
    pthread_mutex_lock(&edges_lock);
    build_deps((keel_section *)s);
    *deps = s->deps.v;
    size_t n = s->deps.n;
    pthread_mutex_unlock(&edges_lock);
    rl_unlock(ns);
    return n;
}

size_t keel_section_dependents(const keel_section *s, const keel_dep **deps)
{
    keel_ns *ns = s->parent->ns;
    rl_read_lock(ns);
    pthread_mutex_lock(&edges_lock);
    ensure_users(ns);
    ((keel_section *)s)->users_out = true;
    *deps = s->users.v;
    size_t n = s->users.n;
    pthread_mutex_unlock(&edges_lock);
    rl_unlock(ns);
    return n;
}

/* A swap re-pointed some of the section's symbols (swap.c): its
 * dependencies are built again when next asked for.  The old array may be
 * in a reader's hands (keel_section_deps): it goes to the tree's grave. */
void rl_deps_reset(keel_section *s)
{
    pthread_mutex_lock(&edges_lock);
    void *v = s->deps.v;
    s->deps = (dep_list){0};
    s->deps_built = false;
    if (v) {
        rl_tree *root = s->parent->ns->tree;
        void **g = root->ngrave < root->capgrave
                       ? root->grave
                       : realloc(root->grave, (root->capgrave ? 2 * root->capgrave : 64) * sizeof *g);
        if (g) {
            if (g != root->grave || root->ngrave == root->capgrave)
                root->capgrave = root->capgrave ? 2 * root->capgrave : 64;
            root->grave = g;
            root->grave[root->ngrave++] = v;
        } /* else out of memory: kept, not freed (a reader may hold it) */
    }
    pthread_mutex_unlock(&edges_lock);
}
