/* The runtime loader under threads (include/keel/load.h, "Threads"):
 * threads load and unload objects (and create and destroy a namespace)
 * while others look up symbols, addresses, dependents and object lists,
 * for a bounded time.  Run plain and under
 * ThreadSanitizer (make TSAN=1) by tests/load_stress.t.
 *
 * Usage: load_stress DIR SECONDS FACTS.  DIR holds base.o churn_a.o
 * churn_b.o pair1.o pair2.o (tests/progs/load_stress/); FACTS, from
 * readelf -r, lists every relocation against base_fn in the objects that
 * come and go ("dep FILE TYPE OFFSET ADDEND"): each dependent a reader sees
 * must be one of them, and there are never more than the objects loaded
 * at once can make.
 *
 * The readers keep to the API's lifetime rules: they use sections and
 * objects only of base.o, which stays; of the objects that come and go
 * they use only what a lookup returns by value (an address, an offset,
 * whether a section is there).  Prints TAP lines (no plan). */
#include <keel/load.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef struct fact {
    char file[32];
    uint32_t type;
    uint64_t offset;
    int64_t addend;
} fact;

static fact facts[64];
static size_t nfacts;
static size_t max_dependents; /* with every churner's objects loaded at once */
static const char *dir;
static double seconds;

/* DIR/name, in memory of its own (the churners build theirs at once). */
static char *path_of(const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* ------------------------------------------------------------- the state */

typedef struct shared {
    keel_ns *root, *child;
    const keel_object *base;
    const keel_section *base_sec; /* base_fn's section */
    void *base_fn, *base_data;
    size_t base_nsections;
    int done; /* atomic: the churners have finished */
} shared;

typedef struct churner {
    shared *sh;
    keel_ns *ns;
    const char *what;
    const char *files[2];
    size_t nfiles;
    bool cascade;
    bool own_ns; /* a child namespace of ns created and destroyed each time */
    long loads, failures;
    char msg[512];
} churner;

typedef struct reader {
    shared *sh;
    long rounds, failures, seen_a, seen_b, seen_dependents;
    char msg[256];
} reader;

static void *churn(void *arg)
{
    churner *c = arg;
    keel_input in[2] = {{.path = path_of(c->files[0])}, {.path = c->nfiles > 1 ? path_of(c->files[1]) : NULL}};
    double start = now();
    for (int i = 0; i < 100000 && in[0].path && now() - start < seconds; i++) {
        keel_error err;
        keel_object *o = NULL;
        keel_ns *ns = c->own_ns ? keel_ns_create(c->ns, KEEL_NS_INERT, &err) : c->ns;
        if (!ns || keel_load(ns, in, c->nfiles, &o, &err) || !o) {
            c->failures++;
            snprintf(c->msg, sizeof c->msg, "load: %s", err.msg);
            if (c->own_ns)
                keel_ns_destroy(ns);
            continue;
        }
        c->loads++;
        /* the batch's own view of a name, and the namespace's, agree */
        void *mine = keel_program_symbol(o, "churn_b_fn");
        if (c->own_ns && (!mine || mine != keel_symbol(ns, "churn_b_fn"))) {
            c->failures++;
            snprintf(c->msg, sizeof c->msg, "keel_program_symbol(churn_b_fn) is not keel_symbol's");
        }
        if (c->own_ns) {
            keel_ns_destroy(ns); /* its objects go with it */
            continue;
        }
        if (keel_unload(ns, o, c->cascade, &err)) {
            c->failures++;
            snprintf(c->msg, sizeof c->msg, "unload: %s", err.msg);
        }
    }
    free((char *)in[0].path);
    free((char *)in[1].path);
    return NULL;
}

static bool known_dependent(const keel_dep *d)
{
    if (!d->section)
        return false;
    for (size_t i = 0; i < nfacts; i++)
        if (facts[i].type == d->type && facts[i].offset == d->offset && facts[i].addend == d->addend)
            return true;
    return false;
}

#define FAIL(...) (snprintf(r->msg, sizeof r->msg, __VA_ARGS__), r->failures++)

/* An object that comes and goes: if its symbol is there, the section at
 * its address is one that starts there, or none (it just went). */
static bool look_at(reader *r, keel_ns *ns, const char *name, long *seen)
{
    void *a = keel_symbol(ns, name);
    if (!a)
        return true;
    uint64_t off = 99;
    const keel_section *s = keel_section_at(ns, (uintptr_t)a, &off);
    if (s && off != 0)
        return FAIL("keel_section_at(%s) gave offset %llu", name, (unsigned long long)off), false;
    *seen += s != NULL;
    return true;
}

static void *read_loop(void *arg)
{
    reader *r = arg;
    shared *sh = r->sh;
    uintptr_t fn = (uintptr_t)sh->base_fn;
    while (!__atomic_load_n(&sh->done, __ATOMIC_ACQUIRE)) {
        r->rounds++;
        if (keel_symbol(sh->root, "base_fn") != sh->base_fn || keel_symbol(sh->child, "base_data") != sh->base_data)
            FAIL("keel_symbol(base_fn or base_data) changed");
        uint64_t off = 0;
        if (keel_section_at(sh->root, fn + 1, &off) != sh->base_sec || off != 1)
            FAIL("keel_section_at(base_fn + 1) is not base_fn's section at offset 1");
        void *p = NULL;
        keel_error err;
        if (keel_symbol_prefix(sh->root, "base_f", &p, &err) || p != sh->base_fn)
            FAIL("keel_symbol_prefix(base_f): %.200s", err.msg);
        look_at(r, sh->root, "churn_a_fn", &r->seen_a);
        look_at(r, sh->child, "churn_b_fn", &r->seen_b);
        look_at(r, sh->root, "pair2_fn", &r->seen_a);
        const keel_dep *d;
        size_t n = keel_section_dependents(sh->base_sec, &d);
        if (n > max_dependents)
            FAIL("base_fn has %zu dependents, more than the %zu relocations against it of the objects that can be "
                 "loaded at once",
                 n, max_dependents);
        for (size_t i = 0; i < n && i <= max_dependents; i++)
            if (!known_dependent(&d[i]))
                FAIL("a dependent of base_fn that no relocation made (type %u, offset 0x%llx)", d[i].type,
                     (unsigned long long)d[i].offset);
        r->seen_dependents += n;
        if (keel_section_deps(sh->base_sec, &d) != 0)
            FAIL("base_fn has dependencies");
        if (keel_ns_next_object(sh->root, NULL) != sh->base)
            FAIL("base.o is not the first object");
        if (keel_program_symbol(sh->base, "base_data") != sh->base_data)
            FAIL("keel_program_symbol(base.o, base_data) changed");
        (void)keel_ns_next_object(sh->root, sh->base); /* there or gone: not used */
        const keel_section *const *secs;
        if (keel_object_sections(sh->base, &secs) != sh->base_nsections || secs[0] == NULL)
            FAIL("base.o's sections changed");
        if (strcmp(keel_section_name(sh->base_sec), "base_fn") != 0 || keel_section_object(sh->base_sec) != sh->base)
            FAIL("base_fn's section changed");
    }
    return NULL;
}

/* ------------------------------------------------------------------ main */

static void read_facts(const char *file)
{
    FILE *f = fopen(file, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
        unsigned type;
        unsigned long long off;
        long long add;
        char obj[32];
        if (sscanf(line, "dep %31s %u %llx %lld", obj, &type, &off, &add) == 4 &&
            nfacts < sizeof facts / sizeof *facts) {
            facts[nfacts] = (fact){"", type, off, add};
            memcpy(facts[nfacts++].file, obj, sizeof obj);
        }
    }
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: load_stress DIR SECONDS FACTS\n");
        return 2;
    }
    dir = argv[1];
    seconds = atof(argv[2]);
    read_facts(argv[3]);
    ok(nfacts > 0, "%zu relocations against base_fn in the objects that come and go", nfacts);

    keel_error err;
    shared sh = {0};
    sh.root = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    sh.child = sh.root ? keel_ns_create(sh.root, KEEL_NS_INERT, &err) : NULL;
    keel_object *base = NULL;
    char *base_path = path_of("base.o");
    if (!ok(sh.child && keel_load_file(sh.root, base_path, &base, &err) == 0, "base.o loads")) {
        printf("# %s\n", err.msg);
        return 1;
    }
    free(base_path);
    sh.base = base;
    sh.base_fn = keel_symbol(sh.root, "base_fn");
    sh.base_data = keel_symbol(sh.root, "base_data");
    uint64_t off;
    sh.base_sec = keel_section_at(sh.root, (uintptr_t)sh.base_fn, &off);
    const keel_section *const *secs;
    sh.base_nsections = keel_object_sections(base, &secs);
    ok(sh.base_fn && sh.base_data && sh.base_sec && strcmp(keel_section_name(sh.base_sec), "base_fn") == 0,
       "base_fn and base_data are found, base_fn in its own section");

    enum { NCHURN = 4 };
    churner c[NCHURN] = {
        {.sh = &sh, .ns = sh.root, .what = "churn_a.o into the root namespace", .files = {"churn_a.o"}, .nfiles = 1},
        {.sh = &sh, .ns = sh.child, .what = "churn_b.o into a child namespace", .files = {"churn_b.o"}, .nfiles = 1},
        {.sh = &sh,
         .ns = sh.root,
         .what = "the batch pair1.o pair2.o, unloaded with a cascade",
         .files = {"pair1.o", "pair2.o"},
         .nfiles = 2,
         .cascade = true},
        {.sh = &sh,
         .ns = sh.root,
         .what = "churn_b.o into a child namespace created and destroyed each time",
         .files = {"churn_b.o"},
         .nfiles = 1,
         .own_ns = true},
    };
    for (int i = 0; i < NCHURN; i++)
        for (size_t k = 0; k < c[i].nfiles; k++)
            for (size_t f = 0; f < nfacts; f++)
                max_dependents += strcmp(facts[f].file, c[i].files[k]) == 0;
    reader r[3] = {{.sh = &sh}, {.sh = &sh}, {.sh = &sh}};
    pthread_t ct[NCHURN], rt[3];
    double start = now();
    for (int i = 0; i < 3; i++)
        pthread_create(&rt[i], NULL, read_loop, &r[i]);
    for (int i = 0; i < NCHURN; i++)
        pthread_create(&ct[i], NULL, churn, &c[i]);
    for (int i = 0; i < NCHURN; i++)
        pthread_join(ct[i], NULL);
    __atomic_store_n(&sh.done, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 3; i++)
        pthread_join(rt[i], NULL);
    double took = now() - start;

    for (int i = 0; i < NCHURN; i++)
        if (!ok(c[i].loads > 0 && c[i].failures == 0, "%s: loaded and unloaded %ld times in %.1f s", c[i].what,
                c[i].loads, took))
            printf("# %ld failures, the last: %s\n", c[i].failures, c[i].msg);
    long rounds = 0, a = 0, b = 0, deps = 0;
    for (int i = 0; i < 3; i++) {
        rounds += r[i].rounds, a += r[i].seen_a, b += r[i].seen_b, deps += r[i].seen_dependents;
        if (!ok(r[i].rounds > 0 && r[i].failures == 0, "reader %d: %ld rounds of lookups, all right", i, r[i].rounds))
            printf("# %ld failures, the last: %s\n", r[i].failures, r[i].msg);
    }
    printf("# readers made %ld rounds and saw a churning object's section %ld + %ld times, %ld dependents of "
           "base_fn in all\n",
           rounds, a, b, deps);
    const keel_dep *d;
    ok(keel_ns_next_object(sh.root, NULL) == base && keel_ns_next_object(sh.root, base) == NULL &&
           keel_ns_next_object(sh.child, NULL) == NULL && keel_section_dependents(sh.base_sec, &d) == 0 &&
           !keel_symbol(sh.root, "churn_a_fn") && !keel_symbol(sh.child, "churn_b_fn"),
       "afterwards base.o alone is loaded, without dependents");
    keel_ns_destroy(sh.child);
    keel_ns_destroy(sh.root);
    return tap_failed ? 1 : 0;
}
