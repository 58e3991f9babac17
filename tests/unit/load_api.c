/* The runtime loader's API (include/keel/load.h) on purpose-built objects
 * (tests/progs/load_api/, compiled by tests/load_api.t).
 *
 * Usage: load_api FACTS DIR.  DIR holds the objects; FACTS is what readelf
 * says about them, prepared by load_api.t:
 *   obj PATH NALLOC              an object and its number of SHF_ALLOC sections
 *   sym PATH NAME ELFSEC VALUE SECSIZE TYPE KEELNAME
 *                                a global definition: its section's ELF name,
 *                                its offset in it, the section's size, the
 *                                section's kind (T R D B) and the name keel
 *                                must give it ("-": not checked here)
 *   edge FROM TYPE OFFSET ADDEND TO
 *                                a relocation in the section holding global
 *                                FROM against TO, defined in another object
 *                                of the graph batch (ga.o gb.o gc.o)
 *   expect KEY TEXT              an expected error message (or its prefix)
 *
 * Prints TAP lines without a plan ("ok N - ...", "not ok N - ... # TODO why"),
 * which load_api.t passes on (a known loader bug would be a TODO point). */
#include <keel/load.h>
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ TAP */

static int test_no, failed;

static int vreport(int cond, const char *todo, const char *fmt, va_list ap)
{
    printf("%s %d - ", cond ? "ok" : "not ok", ++test_no);
    vprintf(fmt, ap);
    if (todo)
        printf(" # TODO %s", todo);
    printf("\n");
    if (!cond && !todo)
        failed++;
    fflush(stdout);
    return cond;
}

static int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(cond, NULL, fmt, ap);
    va_end(ap);
    return cond;
}

/* A diagnostic line per line of text ("# ..."). */
static void diag(const char *fmt, ...)
{
    char buf[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    for (char *p = buf, *nl;; p = nl + 1) {
        nl = strchr(p, '\n');
        printf("# %.*s\n", nl ? (int)(nl - p) : (int)strlen(p), p);
        if (!nl || !nl[1])
            break;
    }
}

/* ---------------------------------------------------------------- facts */

typedef struct fobj {
    char path[512];
    unsigned nalloc;
} fobj;

typedef struct fsym {
    char obj[512], name[128], elfsec[256], keelname[256];
    uint64_t value, secsize;
    char type;
} fsym;

typedef struct fedge {
    char from[128], to[128];
    uint32_t type;
    uint64_t offset;
    int64_t addend;
} fedge;

typedef struct fexpect {
    char key[64], text[600];
} fexpect;

static fobj *objs;
static fsym *syms;
static fedge *edges;
static fexpect *expects;
static size_t nobjs, nsyms, nedges, nexpects;
static const char *dir;

static void *grow(void *v, size_t n, size_t size)
{
    void *p = realloc(v, (n + 1) * size);
    if (!p) {
        perror("realloc");
        exit(2);
    }
    return p;
}

static void read_facts(const char *file)
{
    FILE *f = fopen(file, "r");
    char line[2048];
    if (!f) {
        perror(file);
        exit(2);
    }
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (strncmp(line, "obj ", 4) == 0) {
            objs = grow(objs, nobjs, sizeof *objs);
            fobj *o = &objs[nobjs++];
            if (sscanf(line, "obj %511s %u", o->path, &o->nalloc) != 2)
                goto bad;
        } else if (strncmp(line, "sym ", 4) == 0) {
            syms = grow(syms, nsyms, sizeof *syms);
            fsym *s = &syms[nsyms++];
            if (sscanf(line, "sym %511s %127s %255s %" SCNx64 " %" SCNx64 " %c %255s", s->obj, s->name, s->elfsec,
                       &s->value, &s->secsize, &s->type, s->keelname) != 7)
                goto bad;
        } else if (strncmp(line, "edge ", 5) == 0) {
            edges = grow(edges, nedges, sizeof *edges);
            fedge *e = &edges[nedges++];
            if (sscanf(line, "edge %127s %" SCNu32 " %" SCNx64 " %" SCNd64 " %127s", e->from, &e->type, &e->offset,
                       &e->addend, e->to) != 5)
                goto bad;
        } else if (strncmp(line, "expect ", 7) == 0) {
            expects = grow(expects, nexpects, sizeof *expects);
            fexpect *x = &expects[nexpects++];
            int n = 0;
            if (sscanf(line, "expect %63s %n", x->key, &n) != 1 || !n)
                goto bad;
            snprintf(x->text, sizeof x->text, "%s", line + n);
        } else if (line[0]) {
            goto bad;
        }
    }
    fclose(f);
    return;
bad:
    fprintf(stderr, "%s: bad line: %s\n", file, line);
    exit(2);
}

static const char *expect(const char *key)
{
    for (size_t i = 0; i < nexpects; i++)
        if (strcmp(expects[i].key, key) == 0)
            return expects[i].text;
    fprintf(stderr, "no expected text '%s' in the facts\n", key);
    exit(2);
}

static const fobj *fact_obj(const char *path)
{
    for (size_t i = 0; i < nobjs; i++)
        if (strcmp(objs[i].path, path) == 0)
            return &objs[i];
    fprintf(stderr, "no object '%s' in the facts\n", path);
    exit(2);
}

/* DIR/name, in one of a few rotating buffers. */
static const char *P(const char *name)
{
    static char b[8][1024];
    static int i;
    i = (i + 1) % 8;
    snprintf(b[i], sizeof b[i], "%s/%s", dir, name);
    return b[i];
}

typedef struct buffer {
    void *data;
    size_t size;
} buffer;

static buffer slurp(const char *path)
{
    buffer b = {NULL, 0};
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(2);
    }
    fseek(f, 0, SEEK_END);
    b.size = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    b.data = malloc(b.size ? b.size : 1);
    if (!b.data || fread(b.data, 1, b.size, f) != b.size) {
        perror(path);
        exit(2);
    }
    fclose(f);
    return b;
}

/* -------------------------------------------------------------- helpers */

static const char *type_name(int t)
{
    static const char *const n[] = {"text",     "rodata",           "data",       "bss",       "tls data", "tls bss",
                                    "eh_frame", "gcc_except_table", "init_array", "fini_array"};
    return t >= 0 && t < (int)(sizeof n / sizeof n[0]) ? n[t] : "?";
}

static int type_of_letter(char c)
{
    return c == 'T' ? KEEL_SEC_TEXT : c == 'R' ? KEEL_SEC_RODATA : c == 'D' ? KEEL_SEC_DATA : KEEL_SEC_BSS;
}

/* The section holding a symbol found by name, and the offset in it. */
static const keel_section *sec_of(const keel_ns *ns, const char *name, uint64_t *off)
{
    void *a = keel_symbol(ns, name);
    uint64_t o = 0;
    const keel_section *s = a ? keel_section_at(ns, (uintptr_t)a, &o) : NULL;
    if (off)
        *off = o;
    return s;
}

static const keel_object *find_object(const keel_ns *ns, const char *name)
{
    for (const keel_object *o = keel_ns_next_object(ns, NULL); o; o = keel_ns_next_object(ns, o))
        if (strcmp(keel_object_name(o), name) == 0)
            return o;
    return NULL;
}

static size_t count_objects(const keel_ns *ns)
{
    size_t n = 0;
    for (const keel_object *o = keel_ns_next_object(ns, NULL); o; o = keel_ns_next_object(ns, o))
        n++;
    return n;
}

static int load(keel_ns *ns, const char *const *names, size_t n, keel_object **first, keel_error *err)
{
    keel_input in[8];
    memset(in, 0, sizeof in);
    for (size_t i = 0; i < n; i++)
        in[i].path = P(names[i]);
    memset(err, 0, sizeof *err);
    return keel_load(ns, in, n, first, err);
}

static bool contains(const char *hay, const char *needle) { return strstr(hay, needle) != NULL; }
static bool starts(const char *s, const char *prefix) { return strncmp(s, prefix, strlen(prefix)) == 0; }

/* Everything the API shows of a namespace, as text: objects, sections
 * (address, size, edges), the address index at each section's ends and
 * beyond the last, the symbols in names, and the whole symbol table
 * through an empty prefix. */
static char *snapshot(const keel_ns *ns, const char *const *names)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    uintptr_t top = 0;
    if (!f)
        exit(2);
    for (const keel_object *o = keel_ns_next_object(ns, NULL); o; o = keel_ns_next_object(ns, o)) {
        const keel_section *const *v;
        size_t n = keel_object_sections(o, &v);
        fprintf(f, "object %p %s: %zu sections\n", (const void *)o, keel_object_name(o), n);
        for (size_t i = 0; i < n; i++) {
            const keel_section *s = v[i];
            const keel_dep *d;
            uintptr_t a = keel_section_addr(s);
            uint64_t sz = keel_section_size(s), o1 = 0, o2 = 0;
            fprintf(f, "  section %p %s type %d global %d at %#" PRIxPTR " size %#" PRIx64 " object %p\n",
                    (const void *)s, keel_section_name(s), keel_section_type(s), keel_section_global(s), a, sz,
                    (const void *)keel_section_object(s));
            size_t nd = keel_section_deps(s, &d);
            for (size_t k = 0; k < nd; k++)
                fprintf(f, "    dep %p %u %#" PRIx64 " %" PRId64 "\n", (const void *)d[k].section, d[k].type,
                        d[k].offset, d[k].addend);
            nd = keel_section_dependents(s, &d);
            for (size_t k = 0; k < nd; k++)
                fprintf(f, "    dependent %p %u %#" PRIx64 " %" PRId64 "\n", (const void *)d[k].section, d[k].type,
                        d[k].offset, d[k].addend);
            if (sz) {
                const keel_section *x = keel_section_at(ns, a, &o1), *y = keel_section_at(ns, a + sz - 1, &o2);
                fprintf(f, "    at %p+%#" PRIx64 " %p+%#" PRIx64 "\n", (const void *)x, o1, (const void *)y, o2);
                if (a + sz > top)
                    top = a + sz;
            }
        }
    }
    /* where a failed batch would have been placed */
    for (uintptr_t p = top; top && p < top + 64 * 4096; p += 512)
        if (keel_section_at(ns, p, NULL))
            fprintf(f, "section at %#" PRIxPTR "\n", p);
    for (size_t i = 0; names && names[i]; i++)
        fprintf(f, "symbol %s %p\n", names[i], keel_symbol(ns, names[i]));
    void *a;
    keel_error e;
    memset(&e, 0, sizeof e);
    int rc = keel_symbol_prefix(ns, "", &a, &e);
    fprintf(f, "all symbols: %d %s\n", rc, rc ? e.msg : "one");
    fclose(f);
    return buf;
}

/* Print the first differing line of two snapshots. */
static void diff_snapshots(const char *a, const char *b)
{
    while (*a && *b) {
        size_t la = strcspn(a, "\n"), lb = strcspn(b, "\n");
        if (la != lb || memcmp(a, b, la) != 0) {
            diag("before: %.*s", (int)la, a);
            diag("after:  %.*s", (int)lb, b);
            return;
        }
        a += la + (a[la] == '\n');
        b += lb + (b[lb] == '\n');
    }
    diag("before: %s", *a ? a : "(end)");
    diag("after:  %s", *b ? b : "(end)");
}

static void same_snapshot(const char *before, const char *after, const char *what)
{
    if (!ok(strcmp(before, after) == 0,
            "%s: the namespace is exactly as before (objects, sections, edges, "
            "address index, symbols)",
            what))
        diff_snapshots(before, after);
}

/* Run fn in a child process (for checks that may crash on a loader bug):
 * returns its exit status as from waitpid, and what it wrote to msg. */
static int in_child(int (*fn)(void *, char *, size_t), void *arg, char *msg, size_t size)
{
    int fds[2];
    msg[0] = 0;
    fflush(stdout);
    fflush(stderr);
    if (pipe(fds))
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char m[512] = "";
        close(fds[0]);
        dup2(fds[1], 2); /* a sanitizer's report goes to the parent too */
        int rc = fn(arg, m, sizeof m);
        ssize_t w = write(fds[1], m, strlen(m));
        (void)w;
        _exit(rc);
    }
    close(fds[1]);
    size_t used = 0;
    ssize_t r;
    while (used + 1 < size && (r = read(fds[0], msg + used, size - 1 - used)) > 0)
        used += (size_t)r;
    msg[used] = 0;
    close(fds[0]);
    int st;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

static const char *status_text(int st)
{
    static char b[64];
    if (st == -1)
        return "fork failed";
    if (WIFSIGNALED(st))
        snprintf(b, sizeof b, "killed by signal %d", WTERMSIG(st));
    else
        snprintf(b, sizeof b, "exit status %d", WEXITSTATUS(st));
    return b;
}

/* ------------------------------------------------ 1, 2: graph and names */

static const char *const graph_objs[] = {"ga.o", "gb.o", "gc.o"};

/* Section names keel gets wrong (lib/load/load.c, section_symbol_name). */
/* Every global definition of the facts for objects loaded in ns: found by
 * keel_symbol, in the right object and section (offset, size, kind,
 * global, name). */
static void check_symbols(const keel_ns *ns, const char *what, const char *const *objnames, size_t nobj)
{
    for (size_t i = 0; i < nsyms; i++) {
        const fsym *f = &syms[i];
        bool mine = false;
        for (size_t k = 0; k < nobj; k++)
            mine |= strcmp(f->obj, P(objnames[k])) == 0;
        if (!mine)
            continue;
        uint64_t off = 0;
        const keel_section *s = sec_of(ns, f->name, &off);
        if (!ok(s != NULL, "%s: keel_symbol finds %s, and keel_section_at a section holding it", what, f->name))
            continue;
        const char *objname = keel_object_name(keel_section_object(s));
        int type = keel_section_type(s);
        bool name_ok = strcmp(f->keelname, "-") == 0 || strcmp(keel_section_name(s), f->keelname) == 0;
        bool show = strcmp(f->keelname, "-") != 0;
        if (!ok(strcmp(objname, f->obj) == 0 && off == f->value && keel_section_size(s) == f->secsize &&
                    type == type_of_letter(f->type) && keel_section_global(s) && name_ok,
                "%s: %s is at offset %#" PRIx64 " of %s's %s (%#" PRIx64 " bytes, %s, global)%s%s%s", what, f->name,
                f->value, strrchr(f->obj, '/') + 1, f->elfsec, f->secsize, type_name(type_of_letter(f->type)),
                show ? ", named '" : "", show ? f->keelname : "", show ? "'" : ""))
            diag("got: offset %#" PRIx64 " of %s's section '%s' (%#" PRIx64 " bytes, %s, global %d)", off, objname,
                 keel_section_name(s), keel_section_size(s), type_name(type), keel_section_global(s));
    }
}

static size_t count_matching(const keel_dep *d, size_t n, const keel_section *other, const fedge *e)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += d[i].section == other && d[i].type == e->type && d[i].offset == e->offset && d[i].addend == e->addend;
    return c;
}

static void check_graph(const keel_ns *ns, const char *what)
{
    size_t total_deps = 0, total_users = 0, nsec = 0;
    for (const keel_object *o = keel_ns_next_object(ns, NULL); o; o = keel_ns_next_object(ns, o)) {
        const keel_section *const *v;
        size_t n = keel_object_sections(o, &v);
        for (size_t i = 0; i < n; i++) {
            const keel_dep *d;
            total_deps += keel_section_deps(v[i], &d);
            total_users += keel_section_dependents(v[i], &d);
            nsec++;
        }
    }
    ok(nedges > 0, "%s: readelf -rW shows %zu relocations between the objects", what, nedges);
    for (size_t i = 0; i < nedges; i++) {
        const fedge *e = &edges[i];
        const keel_section *from = sec_of(ns, e->from, NULL), *to = sec_of(ns, e->to, NULL);
        if (!ok(from && to, "%s: the sections holding %s and %s are found", what, e->from, e->to))
            continue;
        const keel_dep *d;
        size_t n = keel_section_deps(from, &d);
        if (!ok(count_matching(d, n, to, e) == 1,
                "%s: one strong edge from %s's section %s to %s's section %s: type %u, offset %#" PRIx64
                ", addend %" PRId64,
                what, e->from, keel_section_name(from), e->to, keel_section_name(to), e->type, e->offset, e->addend))
            for (size_t k = 0; k < n; k++)
                diag("edge to %s type %u offset %#" PRIx64 " addend %" PRId64, keel_section_name(d[k].section),
                     d[k].type, d[k].offset, d[k].addend);
        n = keel_section_dependents(to, &d);
        ok(count_matching(d, n, from, e) == 1,
           "%s: one weak edge back from %s to %s, with the same type, offset and addend", what, keel_section_name(to),
           keel_section_name(from));
    }
    if (!ok(total_deps == nedges && total_users == nedges,
            "%s: no other edges in the %zu sections (none inside an object, none to libc): %zu strong, %zu weak, "
            "%zu expected",
            what, nsec, total_deps, total_users, nedges))
        for (const keel_object *o = keel_ns_next_object(ns, NULL); o; o = keel_ns_next_object(ns, o)) {
            const keel_section *const *v;
            size_t n = keel_object_sections(o, &v);
            for (size_t i = 0; i < n; i++) {
                const keel_dep *d;
                size_t nd = keel_section_deps(v[i], &d);
                for (size_t k = 0; k < nd; k++)
                    diag("%s:%s -> %s type %u offset %#" PRIx64, keel_object_name(o), keel_section_name(v[i]),
                         keel_section_name(d[k].section), d[k].type, d[k].offset);
            }
        }
}

static void check_objects(const keel_ns *ns, const char *const *names, size_t n, const char *what)
{
    const keel_object *o = keel_ns_next_object(ns, NULL);
    size_t i = 0;
    for (; o && i < n; o = keel_ns_next_object(ns, o), i++) {
        const fobj *f = fact_obj(P(names[i]));
        const keel_section *const *v;
        size_t ns_ = keel_object_sections(o, &v), mine = 0;
        for (size_t k = 0; k < ns_; k++)
            mine += keel_section_object(v[k]) == o;
        ok(strcmp(keel_object_name(o), P(names[i])) == 0, "%s: object %zu in load order is %s", what, i + 1, names[i]);
        if (!ok(ns_ == f->nalloc && mine == ns_,
                "%s: %s has its %u SHF_ALLOC sections (as readelf -SW), each with the object as parent", what, names[i],
                f->nalloc))
            diag("got %zu sections, %zu with the object as parent", ns_, mine);
    }
    ok(!o && i == n, "%s: keel_ns_next_object ends after %zu objects", what, n);
}

static void test_graph(keel_ns **out)
{
    keel_error err;
    keel_object *first = NULL;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST | KEEL_NS_INERT, &err);
    *out = ns;
    if (!ok(ns != NULL, "graph: namespace created"))
        exit(1);
    int rc = load(ns, graph_objs, 3, &first, &err);
    if (!ok(rc == 0, "graph: ga.o gb.o gc.o load as one batch with mutual references (INERT, HOST)")) {
        diag("%s", err.msg);
        exit(1);
    }
    ok(first && strcmp(keel_object_name(first), P("ga.o")) == 0, "graph: *first is ga.o");
    check_objects(ns, graph_objs, 3, "graph");
    check_symbols(ns, "graph", graph_objs, 3);
    check_graph(ns, "graph");
    ok(keel_symbol(ns, "strlen") == NULL, "graph: keel_symbol does not search the host (strlen)");

    /* the slots the load kept: each GOT slot holds the address of the
     * symbol it names, one entry per symbol */
    size_t nslots = 0, ngot = 0, bad = 0;
    for (const keel_object *o = keel_ns_next_object(ns, NULL); o; o = keel_ns_next_object(ns, o)) {
        const keel_slot *v;
        size_t n = keel_object_slots(o, &v);
        for (size_t i = 0; i < n; i++) {
            void *want = v[i].symbol ? keel_program_symbol(o, v[i].symbol) : NULL;
            nslots++;
            ngot += v[i].got != 0;
            bad += !v[i].symbol || (v[i].got && want && *(void **)v[i].got != want);
            for (size_t k = 0; k < i; k++)
                bad += v[k].symbol && v[i].symbol && strcmp(v[k].symbol, v[i].symbol) == 0;
        }
    }
    ok(ngot > 0 && !bad, "graph: %zu slots (%zu GOT slots), one per symbol, each GOT slot holding its symbol's address",
       nslots, ngot);

    /* the section of a static function, found through a pointer to it */
    uint64_t off = 1;
    void **lp = keel_symbol(ns, "c_lp");
    const keel_section *s = lp ? keel_section_at(ns, (uintptr_t)*lp, &off) : NULL;
    ok(s && strcmp(keel_section_name(s), "c_local") == 0 && off == 0 && !keel_section_global(s) &&
           keel_section_type(s) == KEEL_SEC_TEXT && keel_section_object(s) == find_object(ns, P("gc.o")),
       "graph: c_lp points to offset 0 of section 'c_local' of gc.o (text, not global: c_local is static)");
    const keel_section *cl = sec_of(ns, "c_lp", NULL);
    const keel_dep *d;
    ok(cl && keel_section_deps(cl, &d) == 0 && s && keel_section_dependents(s, &d) == 0,
       "graph: the reference from c_lp to c_local, inside gc.o, is no edge");
}

/* 4: keel_section_at over every loaded section, its gaps and its ends. */
static int by_addr(const void *a, const void *b)
{
    uintptr_t x = keel_section_addr(*(const keel_section *const *)a),
              y = keel_section_addr(*(const keel_section *const *)b);
    return x < y ? -1 : x > y;
}

static void test_section_at(const keel_ns *ns, const char *what)
{
    const keel_section *v[512];
    size_t n = 0, zero = 0, badzero = 0, bad = 0, gaps = 0, badgaps = 0;
    for (const keel_object *o = keel_ns_next_object(ns, NULL); o; o = keel_ns_next_object(ns, o)) {
        const keel_section *const *sv;
        size_t k = keel_object_sections(o, &sv);
        for (size_t i = 0; i < k && n < 512; i++) {
            if (keel_section_size(sv[i])) {
                v[n++] = sv[i];
            } else {
                zero++;
                badzero += keel_section_at(ns, keel_section_addr(sv[i]), NULL) == sv[i];
            }
        }
    }
    ok(zero > 0 && badzero == 0,
       "%s: keel_section_at never gives one of the %zu empty sections (.text, .data, .bss "
       "of -ffunction-sections objects)",
       what, zero);
    qsort(v, n, sizeof v[0], by_addr);
    for (size_t i = 0; i < n; i++) {
        uintptr_t a = keel_section_addr(v[i]);
        uint64_t sz = keel_section_size(v[i]), o1 = 99, o2 = 99, o3 = 99;
        const keel_section *x = keel_section_at(ns, a, &o1), *y = keel_section_at(ns, a + sz - 1, &o2),
                           *z = keel_section_at(ns, a + sz / 2, &o3);
        if (x != v[i] || y != v[i] || z != v[i] || o1 != 0 || o2 != sz - 1 || o3 != sz / 2) {
            if (bad++ < 5)
                diag("section %s at %#" PRIxPTR " size %#" PRIx64 ": start gives %s+%#" PRIx64 ", end %s+%#" PRIx64,
                     keel_section_name(v[i]), a, sz, x ? keel_section_name(x) : "NULL", o1,
                     y ? keel_section_name(y) : "NULL", o2);
        }
        if (i + 1 < n) {
            uintptr_t end = a + sz, next = keel_section_addr(v[i + 1]);
            if (end > next)
                bad++, diag("sections %s and %s overlap", keel_section_name(v[i]), keel_section_name(v[i + 1]));
            if (end < next) {
                gaps++;
                if (keel_section_at(ns, end, NULL) || keel_section_at(ns, next - 1, NULL) ||
                    keel_section_at(ns, end + (next - end) / 2, NULL))
                    badgaps++;
            }
        }
    }
    ok(n > 0 && bad == 0,
       "%s: keel_section_at gives each of the %zu non-empty sections for its first, middle and last byte, with the "
       "offset, and no two overlap",
       what, n);
    ok(gaps > 0 && badgaps == 0, "%s: the %zu gaps between sections (first byte, middle, last byte) give NULL", what,
       gaps);
    if (n) {
        uintptr_t lo = keel_section_addr(v[0]), hi = keel_section_addr(v[n - 1]) + keel_section_size(v[n - 1]);
        ok(!keel_section_at(ns, lo - 1, NULL) && !keel_section_at(ns, 0, NULL) && !keel_section_at(ns, 4096, NULL),
           "%s: before the first section (its address - 1, 0, 4096): NULL", what);
        ok(!keel_section_at(ns, hi, NULL) && !keel_section_at(ns, hi + 4096, NULL) &&
               !keel_section_at(ns, UINTPTR_MAX, NULL),
           "%s: after the last section (its end, end + 4096, UINTPTR_MAX): NULL", what);
    }
    ok(!keel_section_at(ns, (uintptr_t)&test_no, NULL) && !keel_section_at(ns, (uintptr_t)&printf, NULL),
       "%s: the host's own data and libc's code are no loaded section", what);
}

static void test_names(void)
{
    keel_error err;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    const char *const names[] = {"names.o"};
    if (!ok(load(ns, names, 1, NULL, &err) == 0, "names: names.o loads")) {
        diag("%s", err.msg);
        keel_ns_destroy(ns);
        return;
    }
    check_symbols(ns, "names", names, 1);
    static const struct {
        const char *sym, *name, *nohash;
    } cases[] = {
        {"rust_hashed", "mycrate::thing::h0123456789abcdef", "mycrate::thing"},
        {"rust_nonhex", "m::nonhex::h0123456789abcdeg", "m::nonhex::h0123456789abcdeg"},
        {"rust_short", "m::short::h0123456789abcde", "m::short::h0123456789abcde"},
        {"rust_long", "m::long::h0123456789abcdef0", "m::long::h0123456789abcdef0"},
        {"rust_middle", "m::h0123456789abcdef::inner", "m::h0123456789abcdef::inner"},
        {"rust_twice", "a::h0123456789abcdef::b::hfedcba9876543210", "a::h0123456789abcdef::b"},
        {"plain_c_name", "plain_c_name", "plain_c_name"},
        {"cold_fn", "cold_fn", "cold_fn"},
        {"data_var", "data_var", "data_var"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const keel_section *s = sec_of(ns, cases[i].sym, NULL);
        char buf[128];
        memset(buf, 'x', sizeof buf);
        const char *r = s ? keel_section_name_without_hash(s, buf, sizeof buf) : NULL;
        if (!ok(s && strcmp(keel_section_name(s), cases[i].name) == 0 && r == buf && strcmp(buf, cases[i].nohash) == 0,
                "names: %s's section is named '%s'; without the hash: '%s'", cases[i].sym, cases[i].name,
                cases[i].nohash))
            diag("got '%s' and '%s'", s ? keel_section_name(s) : "(none)", r ? r : "(none)");
    }
    const keel_section *h = sec_of(ns, "rust_hashed", NULL);
    char small[6];
    memset(small, 'x', sizeof small);
    const char *r = h ? keel_section_name_without_hash(h, small, 5) : NULL;
    ok(r && strcmp(small, "mycr") == 0 && small[5] == 'x',
       "names: keel_section_name_without_hash truncates to the buffer (size 5: 'mycr') and writes nothing past it");

    /* sections without a global symbol, found through pointers */
    uint64_t off = 1;
    char **sp = keel_symbol(ns, "str_ptr");
    const keel_section *s = sp ? keel_section_at(ns, (uintptr_t)*sp, &off) : NULL;
    ok(s && starts(keel_section_name(s), ".rodata.str") && off == 0 && keel_section_type(s) == KEEL_SEC_RODATA &&
           !keel_section_global(s) && strcmp(*sp, "a string in a merged section") == 0,
       "names: a merged string section keeps its ELF name (%s), rodata, not global; str_ptr points to its string",
       s ? keel_section_name(s) : "?");
    int **ip = keel_symbol(ns, "ptr_var");
    s = ip ? keel_section_at(ns, (uintptr_t)*ip, &off) : NULL;
    ok(s && strcmp(keel_section_name(s), "local_static") == 0 && keel_section_type(s) == KEEL_SEC_DATA &&
           !keel_section_global(s) && **ip == 9,
       "names: .data.local_static (a static variable) is named 'local_static', data, not global; ptr_var points to "
       "its 9");
    keel_ns_destroy(ns);
}

/* ------------------------------------------- 3: namespaces and prefixes */

static int cascade_across(void *arg, char *msg, size_t size)
{
    keel_ns **nss = arg; /* parent, child */
    keel_error err;
    keel_object *po = (keel_object *)find_object(nss[0], P("pns.o"));
    int rc = keel_unload(nss[0], po, true, &err);
    if (rc) {
        snprintf(msg, size, "refused: %s", err.msg);
        return 1;
    }
    bool gone = keel_symbol(nss[1], "child_fn") == NULL && keel_ns_next_object(nss[1], NULL) == NULL &&
                keel_symbol(nss[0], "parent_fn") == NULL;
    snprintf(msg, size, "child_fn %s, child namespace %s", keel_symbol(nss[1], "child_fn") ? "still found" : "gone",
             keel_ns_next_object(nss[1], NULL) ? "still lists an object" : "empty");
    keel_ns_destroy(nss[1]);
    keel_ns_destroy(nss[0]);
    return gone ? 0 : 1;
}

static void test_namespaces(void)
{
    keel_error err;
    keel_ns *parent = keel_ns_create(NULL, KEEL_NS_INERT | KEEL_NS_HOST, &err);
    keel_ns *child = keel_ns_create(parent, KEEL_NS_INERT | KEEL_NS_HOST, &err);
    const char *const pn[] = {"pns.o"}, *const cn[] = {"cns.o"};
    int rc = load(parent, pn, 1, NULL, &err);
    ok(rc == 0, "namespaces: pns.o loads into the parent");
    rc = rc ? rc : load(child, cn, 1, NULL, &err);
    if (!ok(rc == 0, "namespaces: cns.o, which uses the parent's parent_fn, loads into the child")) {
        diag("%s", err.msg);
        keel_ns_destroy(child);
        keel_ns_destroy(parent);
        return;
    }
    void *pf = keel_symbol(parent, "parent_fn");
    ok(pf && keel_symbol(child, "parent_fn") == pf, "namespaces: the child sees the parent's parent_fn (same address)");
    ok(keel_symbol(child, "child_fn") && !keel_symbol(parent, "child_fn") && !keel_symbol(parent, "pfx_both_child"),
       "namespaces: the parent does not see the child's child_fn and pfx_both_child");
    ok(!keel_symbol(child, "strlen") && !keel_symbol(child, "no_such_name"),
       "namespaces: keel_symbol gives NULL for a host name (strlen) and an unknown one");
    ok(count_objects(parent) == 1 && count_objects(child) == 1, "namespaces: each namespace lists only its own object");
    const keel_section *cs = sec_of(child, "child_fn", NULL), *ps = sec_of(parent, "parent_fn", NULL);
    const keel_dep *d;
    size_t nd = cs ? keel_section_deps(cs, &d) : 0;
    ok(cs && ps && nd == 1 && d[0].section == ps && keel_section_dependents(ps, &d) == 1 && d[0].section == cs,
       "namespaces: child_fn's section has an edge to parent_fn's section in the parent namespace, and back");
    ok(keel_section_at(parent, (uintptr_t)keel_symbol(child, "child_fn"), NULL) == NULL &&
           keel_section_at(child, (uintptr_t)pf, NULL) == NULL,
       "namespaces: keel_section_at sees only the namespace's own sections");

    /* prefixes */
    void *a = NULL;
    memset(&err, 0, sizeof err);
    rc = keel_symbol_prefix(child, "pfx_unique_", &a, &err);
    ok(rc == 0 && a && a == keel_symbol(parent, "pfx_unique_parent_only"),
       "prefix: 'pfx_unique_' in the child is the parent's pfx_unique_parent_only");
    rc = keel_symbol_prefix(child, "pfx_child_only", &a, &err);
    ok(rc == 0 && a && a == keel_symbol(child, "pfx_child_only_x"), "prefix: 'pfx_child_only' is pfx_child_only_x");
    rc = keel_symbol_prefix(parent, "pfx_both_", &a, &err);
    ok(rc == 0 && a == keel_symbol(parent, "pfx_both_parent"),
       "prefix: 'pfx_both_' in the parent is unique (the child's pfx_both_child is not seen)");
    rc = keel_symbol_prefix(child, "child_fn", &a, &err);
    ok(rc == 0 && a == keel_symbol(child, "child_fn"), "prefix: a whole name is a prefix of itself");
    memset(&err, 0, sizeof err);
    a = (void *)1;
    rc = keel_symbol_prefix(child, "pfx_nomatch_", &a, &err);
    if (!ok(rc != 0 && contains(err.msg, "pfx_nomatch_"),
            "prefix: no match for 'pfx_nomatch_' is an error naming the prefix"))
        diag("rc %d: %s", rc, err.msg);
    memset(&err, 0, sizeof err);
    rc = keel_symbol_prefix(parent, "pfx_amb_", &a, &err);
    if (!ok(rc != 0 && contains(err.msg, "pfx_amb_one") && contains(err.msg, "pfx_amb_two") &&
                contains(err.msg, "pfx_amb_three") && contains(err.msg, "3"),
            "prefix: 'pfx_amb_' matches three: an error listing pfx_amb_one, pfx_amb_two and pfx_amb_three"))
        diag("rc %d: %s", rc, err.msg);
    memset(&err, 0, sizeof err);
    rc = keel_symbol_prefix(child, "pfx_both_", &a, &err);
    if (!ok(rc != 0 && contains(err.msg, "pfx_both_parent") && contains(err.msg, "pfx_both_child"),
            "prefix: 'pfx_both_' in the child matches one name in each namespace: both listed"))
        diag("rc %d: %s", rc, err.msg);
    memset(&err, 0, sizeof err);
    rc = keel_symbol_prefix(child, "pfx_long_", &a, &err);
    int listed = 0;
    for (int i = 1; i <= 8; i++) {
        char n[64];
        snprintf(n, sizeof n, "pfx_long_candidate_name_number_%02d", i);
        listed += contains(err.msg, n);
    }
    if (!ok(rc != 0 && listed == 8, "prefix: 'pfx_long_' matches eight 33-character names: the error lists all eight"))
        diag("%d listed: %s", listed, err.msg);

    /* unloading the parent's object while the child's uses it */
    memset(&err, 0, sizeof err);
    keel_object *po = (keel_object *)find_object(parent, P("pns.o"));
    rc = keel_unload(parent, po, false, &err);
    if (!ok(rc != 0 && contains(err.msg, P("cns.o")) && find_object(parent, P("pns.o")) == po,
            "namespaces: unloading pns.o is refused while cns.o in the child namespace uses it (named in the error)"))
        diag("rc %d: %s", rc, err.msg);
    char msg[2048];
    keel_ns *both[2] = {parent, child};
    int st = in_child(cascade_across, both, msg, sizeof msg);
    if (!ok(st == 0,
            "namespaces: a cascade unload of pns.o also unloads cns.o from the child namespace (in a child process: "
            "%s)",
            status_text(st)))
        diag("%s", msg);
    keel_ns_destroy(child);
    keel_ns_destroy(parent);
}

/* ------------------------------------------------------- 5: functions */

static int function_past_end(void *arg, char *msg, size_t size)
{
    const keel_section *s = arg;
    keel_error err;
    void *fn = NULL;
    memset(&err, 0, sizeof err);
    int rc = keel_section_function(s, keel_section_size(s), &fn, &err);
    snprintf(msg, size, "rc %d: %s", rc, err.msg);
    /* "file:(section+0xoffset): ...", as every loader error */
    char where[4200];
    snprintf(where, sizeof where, "%s:(.text.%s+0x%llx): ", keel_object_name(keel_section_object(s)),
             keel_section_name(s), (unsigned long long)keel_section_size(s));
    return rc != 0 && contains(err.msg, keel_section_name(s)) && starts(err.msg, where) ? 0 : 1;
}

static void test_functions(keel_ns *ns)
{
    keel_error err;
    void *fn = NULL;
    uint64_t off;
    const keel_section *s = sec_of(ns, "c_entry", &off);
    int rc = s ? keel_section_function(s, off, &fn, &err) : -1;
    int x = 3, b_func = x * 3 + 5, a_main = b_func + (x ^ 0x55) + 5;
    ok(rc == 0 && fn == keel_symbol(ns, "c_entry") && ((int (*)(int))fn)(x) == a_main + 5,
       "function: c_entry's section (.text.c_entry) as a function: c_entry(3) = %d through ga.o and gb.o", a_main + 5);
    s = sec_of(ns, "b_other", &off);
    rc = s ? keel_section_function(s, off, &fn, &err) : -1;
    ok(rc == 0 && fn == keel_symbol(ns, "b_other") && ((int (*)(int))fn)(5) == 105,
       "function: gb.o's .text at b_other's offset %#" PRIx64 ": b_other(5) = 105", off);
    s = sec_of(ns, "a_len", &off);
    rc = s ? keel_section_function(s, off, &fn, &err) : -1;
    ok(rc == 0 && ((int (*)(const char *))fn)("hello") == 5 + 101,
       "function: a_len(\"hello\") = 106 (libc's strlen through the host, b_other in gb.o)");
    s = sec_of(ns, "b_var", NULL);
    memset(&err, 0, sizeof err);
    fn = NULL;
    rc = s ? keel_section_function(s, 0, &fn, &err) : 0;
    if (!ok(rc != 0 && !fn && contains(err.msg, "not executable"),
            "function: a data section (gb.o's .data) is refused"))
        diag("rc %d: %s", rc, err.msg);
    s = sec_of(ns, "a_main", NULL);
    rc = s ? keel_section_function(s, keel_section_size(s) - 1, &fn, &err) : -1;
    ok(rc == 0 && (uintptr_t)fn == keel_section_addr(s) + keel_section_size(s) - 1,
       "function: the last byte of a text section is in bounds");
    char msg[2048];
    int st = s ? in_child(function_past_end, (void *)s, msg, sizeof msg) : -1;
    if (!ok(st == 0,
            "function: an offset equal to the section's size is refused, the error naming the file, section "
            "and offset (in a child process: %s)",
            status_text(st)))
        diag("%s", msg);
}

/* ---------------------------------------------------------- 6: data copy */

static void test_copy(void)
{
    keel_error err;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    keel_object *o1 = NULL, *o2 = NULL;
    int rc = keel_load_file(ns, P("d1.o"), &o1, &err);
    rc = rc ? rc : keel_load_file(ns, P("d2.o"), &o2, &err);
    if (!ok(rc == 0 && o1 && o2 && o1 != o2 && strcmp(keel_object_name(o2), P("d2.o")) == 0,
            "copy: d1.o and d2.o load (keel_load_file)")) {
        diag("%s", err.msg);
        keel_ns_destroy(ns);
        return;
    }
    const keel_section *b1 = sec_of(ns, "blob1", NULL), *b1b = sec_of(ns, "blob1b", NULL),
                       *b2d = sec_of(ns, "blob2d", NULL), *b2z = sec_of(ns, "blob2z", NULL),
                       *sm = sec_of(ns, "small2", NULL), *ro = sec_of(ns, "rblob2", NULL);
    if (!ok(b1 && b1b && b2d && b2z && sm && ro, "copy: the six sections are found")) {
        keel_ns_destroy(ns);
        return;
    }
    int *v1 = keel_symbol(ns, "blob1"), *v1b = keel_symbol(ns, "blob1b"), *v2d = keel_symbol(ns, "blob2d"),
        *v2z = keel_symbol(ns, "blob2z"), *vs = keel_symbol(ns, "small2"), *vr = keel_symbol(ns, "rblob2");
    int want1[16], want1b[16], wantr[16], wants[4] = {1, 2, 3, 4};
    for (int i = 0; i < 16; i++)
        want1[i] = i + 1, want1b[i] = -(i + 1), wantr[i] = 50 + i;

    rc = keel_section_copy_data(b1, b2d, &err);
    ok(rc == 0 && memcmp(v2d, want1, 64) == 0 && memcmp(v1, want1, 64) == 0,
       "copy: blob1 (d1.o .data.blob1) into blob2d (d2.o .data.blob2d, 64 bytes): the contents arrive");
    rc = keel_section_copy_data(b1b, b2z, &err);
    ok(rc == 0 && memcmp(v2z, want1b, 64) == 0 && keel_section_type(b2z) == KEEL_SEC_BSS,
       "copy: blob1b into blob2z, a bss section of the same size");

    memset(&err, 0, sizeof err);
    rc = keel_section_copy_data(b1, b1b, &err);
    if (!ok(rc != 0 && memcmp(v1b, want1b, 64) == 0 && err.msg[0],
            "copy: refused between two sections of one object (blob1 into blob1b), destination unchanged"))
        diag("rc %d: %s", rc, err.msg);
    memset(&err, 0, sizeof err);
    rc = keel_section_copy_data(b1, sm, &err);
    if (!ok(rc != 0 && memcmp(vs, wants, 16) == 0 && err.msg[0],
            "copy: refused between sections of different sizes (64 into 16 bytes), destination unchanged"))
        diag("rc %d: %s", rc, err.msg);
    memset(&err, 0, sizeof err);
    rc = keel_section_copy_data(b2d, b1, &err);
    ok(rc == 0, "copy: back from d2.o into d1.o works too");
    memset(&err, 0, sizeof err);
    rc = keel_section_copy_data(b1, ro, &err);
    if (!ok(rc != 0 && memcmp(vr, wantr, 64) == 0 && contains(err.msg, "writable") &&
                keel_section_type(ro) == KEEL_SEC_RODATA,
            "copy: refused into a read-only section (rblob2, .rodata.rblob2, 64 bytes), destination unchanged"))
        diag("rc %d: %s", rc, err.msg);
    keel_ns_destroy(ns);
}

/* ---------------------------------------------------------- 7: unload */

/* Sanitizer runtimes keep memory of their own that grows as the program
 * runs (AddressSanitizer's quarantine of freed blocks, ThreadSanitizer's
 * shadow and histories) and keep the heap's books themselves: under them,
 * memory that does not grow cannot be told from memory that does. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define UNDER_SANITIZER 1
#endif
#endif
#ifndef UNDER_SANITIZER
#define UNDER_SANITIZER 0
#endif

static size_t resident_kb(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return resident * (size_t)sysconf(_SC_PAGESIZE) / 1024;
}

static void test_unload(void)
{
    keel_error err;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    keel_object *notes = NULL, *lib = NULL, *user = NULL;
    const char *const nn[] = {"notes.o"}, *const ln[] = {"ulib.o"}, *const un[] = {"uuser.o"};
    int rc = load(ns, nn, 1, &notes, &err);
    rc = rc ? rc : load(ns, ln, 1, &lib, &err);
    rc = rc ? rc : load(ns, un, 1, &user, &err);
    if (!ok(rc == 0 && notes && lib && user, "unload: notes.o, ulib.o and uuser.o load one by one")) {
        diag("%s", err.msg);
        keel_ns_destroy(ns);
        return;
    }
    const keel_section *const *v;
    size_t n = keel_object_sections(lib, &v), kinds = 0;
    for (size_t i = 0; i < n; i++) {
        const char *sn = keel_section_name(v[i]);
        int t = keel_section_type(v[i]);
        kinds += (strcmp(sn, ".init_array") == 0 && t == KEEL_SEC_INIT_ARRAY) +
                 (strcmp(sn, ".fini_array") == 0 && t == KEEL_SEC_FINI_ARRAY) +
                 (strcmp(sn, ".eh_frame") == 0 && t == KEEL_SEC_EH_FRAME && !keel_section_global(v[i]));
    }
    ok(kinds == 3, "unload: ulib.o's .init_array, .fini_array and .eh_frame have their kinds");
    const char *buf = keel_symbol(ns, "note_buf");
    ok(buf && strcmp(buf, "+ulib +uuser ") == 0, "unload: the constructors ran in load order ('%s')", buf ? buf : "");
    int (*uv)(void) = (int (*)(void))keel_symbol(ns, "uuser_value");
    ok(uv && uv() == 14, "unload: uuser_value() = 14 through ulib.o");
    const char *const names[] = {"note", "ulib_value", "uuser_value", "note_buf", NULL};
    char *before = snapshot(ns, names);
    memset(&err, 0, sizeof err);
    rc = keel_unload(ns, lib, false, &err);
    if (!ok(rc != 0 && contains(err.msg, P("uuser.o")) && contains(err.msg, P("ulib.o")),
            "unload: ulib.o is refused while uuser.o uses it; the error names both"))
        diag("rc %d: %s", rc, err.msg);
    char *after = snapshot(ns, names);
    same_snapshot(before, after, "refused unload");
    ok(strcmp(buf, "+ulib +uuser ") == 0, "unload: no destructor ran for the refused unload");
    free(before);
    free(after);

    uintptr_t lib_text = (uintptr_t)keel_symbol(ns, "ulib_value"), user_text = (uintptr_t)uv;
    const keel_section *note_sec = sec_of(ns, "note", NULL);
    const keel_dep *d;
    ok(note_sec && keel_section_dependents(note_sec, &d) == 4,
       "unload: note's section has four dependents (two constructors, two destructors)");
    rc = keel_unload(ns, lib, true, &err);
    ok(rc == 0, "unload: with cascade, ulib.o goes, and uuser.o first");
    ok(strcmp(buf, "+ulib +uuser -uuser -ulib ") == 0, "unload: the destructors ran, the dependent's first ('%s')",
       buf);
    ok(count_objects(ns) == 1 && keel_ns_next_object(ns, NULL) == notes, "unload: only notes.o is left");
    ok(!keel_symbol(ns, "ulib_value") && !keel_symbol(ns, "uuser_value") && keel_symbol(ns, "note"),
       "unload: keel_symbol no longer finds ulib_value and uuser_value (note stays)");
    ok(!keel_section_at(ns, lib_text, NULL) && !keel_section_at(ns, user_text, NULL),
       "unload: keel_section_at no longer finds their code");
    ok(keel_section_dependents(note_sec, &d) == 0, "unload: the edges to notes.o are gone with them");

    rc = load(ns, ln, 1, &lib, &err);
    ok(rc == 0 && strcmp(buf, "+ulib +uuser -uuser -ulib +ulib ") == 0 && keel_symbol(ns, "ulib_value"),
       "unload: ulib.o loads again (its constructor runs, its name is back)");
    rc = keel_unload(ns, lib, false, &err);
    ok(rc == 0 && strcmp(buf, "+ulib +uuser -uuser -ulib +ulib -ulib ") == 0 && count_objects(ns) == 1,
       "unload: without dependents, ulib.o unloads without cascade; its destructor runs");

    /* Live update loads and unloads over and over: what an object keeps
     * (its tables in the namespace's pool, the dependents lists an unload
     * looks at) must go with it.  Measured after a warm-up by glibc's count
     * of the heap in use and by the resident set. */
    size_t cycles = 0, heap0 = 0, rss0 = 0;
    for (int i = 0; i < 1000; i++) {
        if (i == 50) {
            struct mallinfo2 mi = mallinfo2();
            heap0 = mi.uordblks + mi.hblkhd;
            rss0 = resident_kb();
        }
        if (load(ns, ln, 1, &lib, &err) || keel_unload(ns, lib, false, &err))
            break;
        cycles++;
    }
    struct mallinfo2 mi = mallinfo2();
    size_t heap1 = mi.uordblks + mi.hblkhd, rss1 = resident_kb();
    ok(cycles == 1000 && count_objects(ns) == 1, "unload: ulib.o loads and unloads 1000 times (%zu)", cycles);
    if (UNDER_SANITIZER) {
        ok(1, "unload: the heap in use after 950 more cycles # SKIP a sanitizer runtime's own memory grows");
        ok(1, "unload: the resident set after 950 more cycles # SKIP a sanitizer runtime's own memory grows");
    } else {
        ok(heap1 < heap0 + 16 * 1024,
           "unload: 950 more load/unload cycles leave the heap in use as it was (%zu bytes, then %zu)", heap0, heap1);
        ok(rss1 < rss0 + 256, "unload: ... and the resident set too (%zu KiB, then %zu)", rss0, rss1);
    }
    keel_ns_destroy(ns);

    /* The same with an object of more than 1 MiB of each region kind, which
     * the loader rounds up to huge pages: the rounding goes with it. */
    ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    const char *const bn[] = {"bigreload.o"};
    keel_object *big = NULL;
    size_t big_cycles = 0, big_rss0 = 0;
    int (*bv)(void) = NULL, (*bc)(void) = NULL;
    for (int i = 0; ns && i < 60; i++) {
        if (i == 10)
            big_rss0 = resident_kb();
        if (load(ns, bn, 1, &big, &err))
            break;
        bv = (int (*)(void))keel_symbol(ns, "big_value");
        bc = (int (*)(void))keel_symbol(ns, "big_code");
        if (!bv || !bc || bv() != 3 || bc() != 42 || keel_unload(ns, big, false, &err))
            break;
        big_cycles++;
    }
    size_t big_rss1 = resident_kb();
    if (!ok(big_cycles == 60,
            "unload: bigreload.o (1.2 MiB of code, of read-only and of writable data) loads, runs "
            "and unloads 60 times (%zu)",
            big_cycles))
        diag("%s", err.msg);
    if (UNDER_SANITIZER)
        ok(1, "unload: the resident set after 50 more cycles of bigreload.o # SKIP a sanitizer runtime's own memory "
              "grows");
    else
        ok(big_rss1 < big_rss0 + 4096,
           "unload: 50 more cycles of bigreload.o leave the resident set as it was (%zu KiB, then %zu)", big_rss0,
           big_rss1);
    keel_ns_destroy(ns);
}

/* ------------------------------------------------ 8: atomic failures */

static const char *const fail_names[] = {
    "a_main",     "a_helper",         "a_len",      "a_ptr",     "a_name",    "b_var",         "b_arr",
    "b_func",     "b_other",          "b_fp",       "c_entry",   "c_table",   "c_lp",          "dup_sym",
    "dup1_fn",    "dup2_only",        "batch_dup",  "dupa_only", "dupb_only", "good2_fn",      "good2_var",
    "undef_user", "keel_test_nosuch", "nopic_addr", "nopic_get", "far_abs",   "farabs_marker", "get_far",
    "big_abs",    "bigabs_marker",    "get_big",    NULL};

typedef struct fail_case {
    const char *what;
    const char *files[3];
    int data; /* from buffers */
} fail_case;

static int try_load(keel_ns *ns, const fail_case *c, keel_error *err)
{
    keel_input in[3];
    buffer b[3];
    size_t n = 0;
    memset(in, 0, sizeof in);
    memset(b, 0, sizeof b);
    for (; n < 3 && c->files[n]; n++) {
        in[n].path = P(c->files[n]);
        if (c->data) {
            b[n] = slurp(in[n].path);
            in[n].data = b[n].data;
            in[n].size = b[n].size;
        }
    }
    memset(err, 0, sizeof *err);
    keel_object *first = (keel_object *)1;
    int rc = keel_load(ns, in, n, &first, err);
    for (size_t i = 0; i < n; i++)
        free(b[i].data);
    return rc;
}

static keel_error last_err;

static int fail_load(keel_ns *ns, const fail_case *c, const char *const *names)
{
    char *before = snapshot(ns, names);
    int rc = try_load(ns, c, &last_err);
    ok(rc != 0, "failure: %s: the load fails", c->what);
    char *after = snapshot(ns, names);
    same_snapshot(before, after, c->what);
    free(before);
    free(after);
    return rc;
}

static void test_failures(void)
{
    keel_error err;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST | KEEL_NS_INERT, &err);
    const char *const base[] = {"ga.o", "gb.o", "gc.o"}, *const dup1[] = {"dup1.o"};
    if (!ok(load(ns, base, 3, NULL, &err) == 0 && load(ns, dup1, 1, NULL, &err) == 0,
            "failure: the namespace holds ga.o gb.o gc.o (one batch) and dup1.o")) {
        diag("%s", err.msg);
        keel_ns_destroy(ns);
        return;
    }
    const char *m;

    static const fail_case undef = {"undef.o (a reference to keel_test_nosuch)", {"undef.o"}, 0};
    fail_load(ns, &undef, fail_names);
    m = expect("undef");
    if (!ok(strcmp(last_err.msg, m) == 0, "failure: undefined symbol: the message is \"%s\"", m))
        diag("got \"%s\"", last_err.msg);

    static const fail_case undef_buf = {"undef.o from a buffer", {"undef.o"}, 1};
    fail_load(ns, &undef_buf, fail_names);
    ok(strcmp(last_err.msg, m) == 0, "failure: the same message for the buffer named undef.o");

    static const fail_case dup2 = {"dup2.o (dup_sym, already defined by the loaded dup1.o)", {"dup2.o"}, 0};
    fail_load(ns, &dup2, fail_names);
    if (!ok(starts(last_err.msg, P("dup2.o")) && contains(last_err.msg, "multiple definition of 'dup_sym'"),
            "failure: duplicate against a loaded object: the message starts with dup2.o and says \"multiple "
            "definition of 'dup_sym'\""))
        diag("got \"%s\"", last_err.msg);
    ok(contains(last_err.msg, P("dup1.o")),
       "failure: duplicate against a loaded object: the message also names dup1.o, the first definition (got "
       "\"%s\")",
       last_err.msg);
    ok(keel_symbol(ns, "dup_sym") && *(int *)keel_symbol(ns, "dup_sym") == 1, "failure: dup_sym is still dup1.o's (1)");

    static const fail_case dupab = {"batch dupa.o dupb.o (both define batch_dup)", {"dupa.o", "dupb.o"}, 0};
    fail_load(ns, &dupab, fail_names);
    if (!ok(contains(last_err.msg, P("dupa.o")) && contains(last_err.msg, P("dupb.o")) &&
                contains(last_err.msg, "multiple definition of 'batch_dup'"),
            "failure: duplicate within a batch: the message names dupa.o, dupb.o and batch_dup"))
        diag("got \"%s\"", last_err.msg);

    static const fail_case second = {"batch good2.o undef.o (the second fails)", {"good2.o", "undef.o"}, 0};
    fail_load(ns, &second, fail_names);
    ok(strcmp(last_err.msg, m) == 0 && !keel_symbol(ns, "good2_fn") && !keel_symbol(ns, "good2_var"),
       "failure: batch whose second object fails: undef.o's message, and nothing of good2.o stays");
    static const fail_case second_buf = {"the same batch from buffers", {"good2.o", "undef.o"}, 1};
    fail_load(ns, &second_buf, fail_names);

    static const fail_case low = {"nopic.o (R_X86_64_32) into a namespace above 2 GiB", {"nopic.o"}, 0};
    fail_load(ns, &low, fail_names);
    if (!ok(contains(last_err.msg, "2 GiB"), "failure: the message says the object needs addresses below 2 GiB"))
        diag("got \"%s\"", last_err.msg);
    m = expect("low_prefix");
    if (!ok(starts(last_err.msg, m),
            "failure: ... and starts \"%s\" (the file, section and offset of the first such "
            "relocation, from readelf -r)",
            m))
        diag("got \"%s\"", last_err.msg);

    static const fail_case far = {"batch farabs.o usefar.o (R_X86_64_PC32 to an absolute 0x100000000000)",
                                  {"farabs.o", "usefar.o"},
                                  0};
    fail_load(ns, &far, fail_names);
    m = expect("far_prefix");
    if (!ok(starts(last_err.msg, m) && contains(last_err.msg, "out of range") && contains(last_err.msg, "far_abs"),
            "failure: overflow: the message starts \"%s\" and says far_abs is out of range", m))
        diag("got \"%s\"", last_err.msg);

    static const fail_case trunc = {"trunc.o (good2.o cut in half)", {"trunc.o"}, 0};
    fail_load(ns, &trunc, fail_names);
    if (!ok(starts(last_err.msg, P("trunc.o")), "failure: a truncated object: the message starts with its name"))
        diag("got \"%s\"", last_err.msg);

    static const fail_case badoff = {"batch good2.o badoff.o (gb.o with .data's offset far past the end)",
                                     {"good2.o", "badoff.o"},
                                     0};
    fail_load(ns, &badoff, fail_names);
    if (!ok(starts(last_err.msg, P("badoff.o")), "failure: a bad section offset: the message starts with badoff.o"))
        diag("got \"%s\"", last_err.msg);

    static const fail_case garbage = {"garbage.o (text, not ELF)", {"garbage.o"}, 0};
    fail_load(ns, &garbage, fail_names);
    ok(starts(last_err.msg, P("garbage.o")), "failure: not an ELF file: the message starts with its name");

    static const fail_case missing = {"missing.o (no such file)", {"missing.o"}, 0};
    fail_load(ns, &missing, fail_names);
    ok(starts(last_err.msg, P("missing.o")), "failure: a missing file: the message starts with its name");

    /* after all that, a good object still loads, where the failed ones were */
    const char *const g2[] = {"good2.o"};
    keel_object *o = NULL;
    int rc = load(ns, g2, 1, &o, &err);
    int (*g)(void) = (int (*)(void))keel_symbol(ns, "good2_fn");
    ok(rc == 0 && g && o && count_objects(ns) == 5, "failure: afterwards good2.o loads (five objects)");
    test_section_at(ns, "after the failures");
    keel_ns_destroy(ns);

    /* R_X86_64_32 overflow, in a namespace below 2 GiB */
    ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    const char *const np[] = {"nopic.o"};
    rc = load(ns, np, 1, NULL, &err);
    const keel_section *s = sec_of(ns, "nopic_addr", NULL);
    int *(*na)(void) = (int *(*)(void))keel_symbol(ns, "nopic_addr");
    int *cp = na ? na() : NULL;
    uint64_t off = 1;
    const keel_section *cs = cp ? keel_section_at(ns, (uintptr_t)cp, &off) : NULL;
    if (!ok(rc == 0 && s && keel_section_addr(s) < 0x80000000u && cs && off == 0 &&
                strcmp(keel_section_name(cs), "counter") == 0 && *cp == 17,
            "failure: nopic.o (-fno-pic) loads below 2 GiB into a fresh namespace; nopic_addr() gives its counter "
            "(17)"))
        diag("%s", rc ? err.msg : "");
    static const fail_case abs32 = {"batch bigabs.o useabs32.o (R_X86_64_32 to an absolute 0x123456789)",
                                    {"bigabs.o", "useabs32.o"},
                                    0};
    fail_load(ns, &abs32, fail_names);
    m = expect("abs32_prefix");
    if (!ok(starts(last_err.msg, m) && contains(last_err.msg, "out of range") && contains(last_err.msg, "big_abs"),
            "failure: overflow: the message starts \"%s\" and says big_abs is out of range", m))
        diag("got \"%s\"", last_err.msg);
    keel_ns_destroy(ns);

    /* the arena a failed first load leaves behind */
    ns = keel_ns_create(NULL, KEEL_NS_HOST | KEEL_NS_INERT, &err);
    rc = try_load(ns, &undef, &err);
    ok(rc != 0 && count_objects(ns) == 0, "failure: a first load that fails leaves a fresh namespace empty");
    memset(&err, 0, sizeof err);
    rc = load(ns, np, 1, NULL, &err);
    if (!ok(rc == 0, "failure: ... so nopic.o (R_X86_64_32) then loads into it, as into a fresh namespace"))
        diag("got \"%s\"", err.msg);
    keel_ns_destroy(ns);
}

/* --------------------------------------- 9: buffers and archives */

static void compare_namespaces(const keel_ns *a, const keel_ns *b, const char *what)
{
    size_t diffs = 0, nsec = 0, nedge = 0;
    const keel_object *oa = keel_ns_next_object(a, NULL), *ob = keel_ns_next_object(b, NULL);
    for (; oa && ob; oa = keel_ns_next_object(a, oa), ob = keel_ns_next_object(b, ob)) {
        const keel_section *const *va, *const *vb;
        size_t na = keel_object_sections(oa, &va), nb = keel_object_sections(ob, &vb);
        if (strcmp(keel_object_name(oa), keel_object_name(ob)) != 0 || na != nb) {
            diffs++, diag("objects %s (%zu sections) and %s (%zu)", keel_object_name(oa), na, keel_object_name(ob), nb);
            continue;
        }
        for (size_t i = 0; i < na; i++) {
            const keel_section *x = va[i], *y = vb[i];
            nsec++;
            if (strcmp(keel_section_name(x), keel_section_name(y)) != 0 ||
                keel_section_size(x) != keel_section_size(y) || keel_section_type(x) != keel_section_type(y) ||
                keel_section_global(x) != keel_section_global(y) ||
                ((keel_section_addr(x) ^ keel_section_addr(y)) & 0xfff) != 0) {
                diffs++, diag("sections %s and %s differ", keel_section_name(x), keel_section_name(y));
                continue;
            }
            if (keel_section_size(x) && keel_section_type(x) != KEEL_SEC_BSS &&
                keel_section_type(x) != KEEL_SEC_EH_FRAME && keel_section_type(x) != KEEL_SEC_TEXT &&
                keel_section_type(x) != KEEL_SEC_DATA &&
                memcmp((void *)keel_section_addr(x), (void *)keel_section_addr(y), keel_section_size(x)) != 0)
                diffs++, diag("section %s's contents differ", keel_section_name(x));
            for (int dir_ = 0; dir_ < 2; dir_++) {
                const keel_dep *dx, *dy;
                size_t nx = dir_ ? keel_section_dependents(x, &dx) : keel_section_deps(x, &dx);
                size_t ny = dir_ ? keel_section_dependents(y, &dy) : keel_section_deps(y, &dy);
                if (nx != ny) {
                    diffs++, diag("section %s: %zu and %zu edges", keel_section_name(x), nx, ny);
                    continue;
                }
                for (size_t k = 0; k < nx; k++) {
                    nedge++;
                    if (dx[k].type != dy[k].type || dx[k].offset != dy[k].offset || dx[k].addend != dy[k].addend ||
                        strcmp(keel_section_name(dx[k].section), keel_section_name(dy[k].section)) != 0 ||
                        strcmp(keel_object_name(keel_section_object(dx[k].section)),
                               keel_object_name(keel_section_object(dy[k].section))) != 0)
                        diffs++, diag("section %s: edge %zu differs", keel_section_name(x), k);
                }
            }
        }
    }
    ok(!oa && !ob && diffs == 0 && nsec > 0,
       "%s: the same objects, %zu sections (names, sizes, kinds, page offsets, read-only contents) and %zu edge "
       "ends",
       what, nsec, nedge);
    size_t sdiff = 0;
    for (size_t i = 0; i < nsyms; i++) {
        uint64_t o1 = 0, o2 = 0;
        const keel_section *x = sec_of(a, syms[i].name, &o1), *y = sec_of(b, syms[i].name, &o2);
        if ((x == NULL) != (y == NULL) || (x && (o1 != o2 || strcmp(keel_section_name(x), keel_section_name(y)))))
            sdiff++, diag("symbol %s differs", syms[i].name);
    }
    ok(sdiff == 0, "%s: every symbol in the same section at the same offset", what);
}

static void test_buffers(const keel_ns *graph, buffer *bufs, keel_ns **out)
{
    keel_error err;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    *out = ns;
    keel_input in[3];
    memset(in, 0, sizeof in);
    for (int i = 0; i < 3; i++) {
        bufs[i] = slurp(P(graph_objs[i]));
        in[i].path = P(graph_objs[i]);
        in[i].data = bufs[i].data;
        in[i].size = bufs[i].size;
    }
    int rc = keel_load(ns, in, 3, NULL, &err);
    if (!ok(rc == 0, "buffers: ga.o gb.o gc.o load from memory as one batch (HOST, running code)")) {
        diag("%s", err.msg);
        return;
    }
    /* the buffers stay ours and untouched until the namespace goes (main) */
    compare_namespaces(graph, ns, "buffers against paths");
    check_graph(ns, "buffers");
}

static void test_archives(void)
{
    keel_error err;
    keel_object *first = NULL;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    const char *const in1[] = {"amain.o", "libam.a"};
    int rc = load(ns, in1, 2, &first, &err);
    if (!ok(rc == 0, "archive: amain.o and libam.a load")) {
        diag("%s", err.msg);
        keel_ns_destroy(ns);
        return;
    }
    char m1[1100], m2[1100];
    snprintf(m1, sizeof m1, "%s(am1.o)", P("libam.a"));
    snprintf(m2, sizeof m2, "%s(am2.o)", P("libam.a"));
    ok(count_objects(ns) == 3 && first && strcmp(keel_object_name(first), P("amain.o")) == 0 && find_object(ns, m1) &&
           find_object(ns, m2),
       "archive: three objects: amain.o, then libam.a(am1.o) (amain.o needs it) and libam.a(am2.o) (am1.o needs "
       "it)");
    ok(keel_symbol(ns, "am1_fn") && keel_symbol(ns, "am2_fn") && !keel_symbol(ns, "am3_fn") &&
           !keel_symbol(ns, "am_unused_var"),
       "archive: am3.o, which nothing needs, is not loaded (am3_fn, am_unused_var unknown)");
    const keel_section *s1 = sec_of(ns, "am1_fn", NULL), *s2 = sec_of(ns, "am2_fn", NULL),
                       *s0 = sec_of(ns, "amain_fn", NULL);
    const keel_dep *d;
    ok(s0 && s1 && s2 && keel_section_deps(s0, &d) == 1 && d[0].section == s1 && keel_section_deps(s1, &d) == 1 &&
           d[0].section == s2 && keel_section_object(s1) == find_object(ns, m1),
       "archive: edges amain_fn -> am1_fn -> am2_fn across the members");
    keel_ns_destroy(ns);

    ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    const char *const in2[] = {"libam.a", "amain.o"};
    rc = load(ns, in2, 2, &first, &err);
    ok(rc == 0 && count_objects(ns) == 3 && keel_symbol(ns, "am2_fn") && !keel_symbol(ns, "am3_fn"),
       "archive: given before amain.o, the members are still found (one group)");
    keel_ns_destroy(ns);

    ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    first = (keel_object *)1;
    rc = keel_load(ns, NULL, 0, &first, &err);
    ok(rc == 0 && count_objects(ns) == 0 && first == NULL, "archive: an empty batch loads nothing");
    const char *const in3[] = {"libam.a"};
    first = (keel_object *)1;
    rc = load(ns, in3, 1, &first, &err);
    ok(rc == 0 && count_objects(ns) == 0 && first == NULL, "archive: alone, nothing of libam.a is needed or loaded");
    keel_ns_destroy(ns);

    ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    buffer b = slurp(P("libam.a"));
    keel_input in[2] = {{.path = P("amain.o")}, {.path = "memory-libam.a", .data = b.data, .size = b.size}};
    rc = keel_load(ns, in, 2, NULL, &err);
    ok(rc == 0 && count_objects(ns) == 3 && find_object(ns, "memory-libam.a(am1.o)") &&
           find_object(ns, "memory-libam.a(am2.o)") && !keel_symbol(ns, "am3_fn"),
       "archive: from a buffer named memory-libam.a: members memory-libam.a(am1.o) and (am2.o)");
    int (*f)(int) = (int (*)(int))keel_symbol(ns, "amain_fn");
    ok(f != NULL, "archive: amain_fn is found");
    keel_ns_destroy(ns);
    free(b.data);
}

/* ------------------------------------------------------- 10: threads */

/* One thread loading and unloading an object over and over. */
typedef struct churner {
    keel_ns *ns;
    const char *name;
    buffer obj;
    volatile int *done; /* set when it stops, if not NULL */
    long loads, load_failures, unload_failures;
    char msg[KEEL_ERROR_MSG_MAX];
} churner;

typedef struct thread_state {
    keel_ns *ns;
    churner churn, churn2; /* churn2.o's thread races churn.o's on the pool */
    void *stable_fn, *stable_data;
    const keel_section *stable_sec;
    volatile int done;
    long lookups[2], lookup_failures[2];
} thread_state;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *loader_thread(void *arg)
{
    churner *c = arg;
    double start = now();
    keel_input in = {.path = c->name, .data = c->obj.data, .size = c->obj.size};
    for (int i = 0; i < 300 && now() - start < 1.0; i++) {
        keel_error err;
        keel_object *o = NULL;
        if (keel_load(c->ns, &in, 1, &o, &err) || !o) {
            c->load_failures++;
            snprintf(c->msg, sizeof c->msg, "%s", err.msg);
            continue;
        }
        c->loads++;
        if (keel_unload(c->ns, o, false, &err)) {
            c->unload_failures++;
            snprintf(c->msg, sizeof c->msg, "%s", err.msg);
        }
    }
    if (c->done)
        __atomic_store_n(c->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

typedef struct reader_arg {
    thread_state *t;
    int id;
} reader_arg;

static void *reader_thread(void *arg)
{
    reader_arg *r = arg;
    thread_state *t = r->t;
    uintptr_t a = (uintptr_t)t->stable_fn;
    while (!__atomic_load_n(&t->done, __ATOMIC_ACQUIRE)) {
        uint64_t off = 0;
        bool good = keel_symbol(t->ns, "stable_fn") == t->stable_fn &&
                    keel_symbol(t->ns, "stable_data") == t->stable_data &&
                    keel_section_at(t->ns, a + 1, &off) == t->stable_sec &&
                    off == 1 + (a - keel_section_addr(t->stable_sec));
        void *c = keel_symbol(t->ns, "churn_fn");
        if (c)
            (void)keel_section_at(t->ns, (uintptr_t)c, NULL);
        t->lookups[r->id]++;
        t->lookup_failures[r->id] += !good;
    }
    return NULL;
}

static void test_threads(void)
{
    keel_error err;
    thread_state t;
    memset(&t, 0, sizeof t);
    t.ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    const char *const sn[] = {"stable.o"};
    if (!ok(load(t.ns, sn, 1, NULL, &err) == 0, "threads: stable.o loads")) {
        keel_ns_destroy(t.ns);
        return;
    }
    t.churn = (churner){.ns = t.ns, .name = "churn.o", .obj = slurp(P("churn.o")), .done = &t.done};
    t.churn2 = (churner){.ns = t.ns, .name = "churn2.o", .obj = slurp(P("churn2.o"))};
    t.stable_fn = keel_symbol(t.ns, "stable_fn");
    t.stable_data = keel_symbol(t.ns, "stable_data");
    t.stable_sec = sec_of(t.ns, "stable_fn", NULL);
    pthread_t lt, lt2, rt[2];
    reader_arg ra[2] = {{&t, 0}, {&t, 1}};
    double start = now();
    pthread_create(&rt[0], NULL, reader_thread, &ra[0]);
    pthread_create(&rt[1], NULL, reader_thread, &ra[1]);
    pthread_create(&lt, NULL, loader_thread, &t.churn);
    pthread_create(&lt2, NULL, loader_thread, &t.churn2);
    pthread_join(lt, NULL);
    pthread_join(lt2, NULL);
    pthread_join(rt[0], NULL);
    pthread_join(rt[1], NULL);
    double took = now() - start;
    const churner *c1 = &t.churn, *c2 = &t.churn2;
    if (!ok(c1->loads > 0 && c1->load_failures == 0 && c1->unload_failures == 0,
            "threads: churn.o loaded and unloaded %ld times while two threads looked up (%.2f s)", c1->loads, took))
        diag("%ld load and %ld unload failures: %s", c1->load_failures, c1->unload_failures, c1->msg);
    if (!ok(c2->loads > 0 && c2->load_failures == 0 && c2->unload_failures == 0,
            "threads: churn2.o loaded and unloaded %ld times by a second thread at the same time", c2->loads))
        diag("%ld load and %ld unload failures: %s", c2->load_failures, c2->unload_failures, c2->msg);
    ok(t.lookups[0] > 0 && t.lookups[1] > 0 && t.lookup_failures[0] == 0 && t.lookup_failures[1] == 0,
       "threads: %ld + %ld lookups of stable.o (keel_symbol, keel_section_at) all succeeded", t.lookups[0],
       t.lookups[1]);
    const keel_dep *d;
    ok(count_objects(t.ns) == 1 && !keel_symbol(t.ns, "churn_fn") && keel_section_dependents(t.stable_sec, &d) == 0,
       "threads: afterwards only stable.o is left, without edges");
    keel_ns_destroy(t.ns);
    free(t.churn.obj.data);
    free(t.churn2.obj.data);
}

/* Relocation sections that cannot be attached to the section they
 * relocate (damaged copies of relocme.o, made by load_api.t): refused,
 * naming the file and the section, and the namespace stays as it was.
 * Before, three of them loaded with relocme_fn's code unrelocated. */
static void test_bad_relocs(void)
{
    keel_error err;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    const char *const good[] = {"relocme.o"};
    keel_object *o = NULL;
    if (!ok(load(ns, good, 1, &o, &err) == 0 && keel_symbol(ns, "relocme_fn"), "bad relocs: relocme.o itself loads"))
        diag("%s", err.msg);
    if (o)
        keel_unload(ns, o, false, &err);
    static const char *const names[] = {"relocme_fn", "relocme_helper", "relocme_data", NULL};
    static const struct {
        fail_case c;
        const char *says;
    } cases[] = {
        {{"relself.o (.rela.text's sh_info names itself)", {"relself.o"}, 0}, "invalid info"},
        {{"relpast.o (.rela.text's sh_info is 0xffff, past the last section)", {"relpast.o"}, 0}, "invalid info"},
        {{"rellink.o (.rela.text's sh_link names .strtab)", {"rellink.o"}, 0}, "invalid link"},
        {{"reltype.o (.rela.text made SHT_REL)", {"reltype.o"}, 0}, "REL relocations"},
    };
    const char *sec = expect("relsec");
    keel_ns_destroy(ns);
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ns = keel_ns_create(NULL, KEEL_NS_INERT, &err); /* each alone: one that loads leaves no trace on the next */
        fail_load(ns, &cases[i].c, names);
        char prefix[4200];
        snprintf(prefix, sizeof prefix, "%s: ", P(cases[i].c.files[0]));
        if (!ok(starts(last_err.msg, prefix) && contains(last_err.msg, sec) && contains(last_err.msg, cases[i].says),
                "bad relocs: %s: the message starts with the file and says \"%s\" about %s", cases[i].c.what,
                cases[i].says, sec))
            diag("got \"%s\"", last_err.msg);
        keel_ns_destroy(ns);
    }
    ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    static const fail_case huge = {"hugedata.o (relocme.o with a .data of 2 GiB)", {"hugedata.o"}, 0};
    fail_load(ns, &huge, names);
    char want[4200];
    snprintf(want, sizeof want, "%s: %s", P("hugedata.o"), expect("hugedata"));
    if (!ok(starts(last_err.msg, want) && !contains(last_err.msg, "align"),
            "bad sections: a huge section is said to be too large (\"%s\"), not misaligned", want))
        diag("got \"%s\"", last_err.msg);
    static const fail_case hugec = {"hugecommon.o (a common symbol of 2 GiB)", {"hugecommon.o"}, 0};
    fail_load(ns, &hugec, names);
    snprintf(want, sizeof want, "%s: common symbol 'keel_huge_common': size 2147483648 ", P("hugecommon.o"));
    if (!ok(starts(last_err.msg, want) && !contains(last_err.msg, "align"),
            "bad sections: a huge common symbol is said to be too large (\"%s\"), not misaligned", want))
        diag("got \"%s\"", last_err.msg);
    keel_ns_destroy(ns);
}

/* Two programs in one namespace, each with a hidden main (facts from
 * readelf -s): each batch finds its own, the namespace neither, and a
 * name the batch does not define comes from the namespace. */
static void test_program_symbol(void)
{
    keel_error err;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    const char *const n1[] = {"hidmain1.o"}, *const n2[] = {"hidmain2.o"};
    keel_object *o1 = NULL, *o2 = NULL;
    if (!ok(load(ns, n1, 1, &o1, &err) == 0 && load(ns, n2, 1, &o2, &err) == 0 && o1 && o2,
            "program symbol: hidmain1.o and hidmain2.o load as two batches (two hidden mains)")) {
        diag("%s", err.msg);
        keel_ns_destroy(ns);
        return;
    }
    ok(strcmp(expect("hidmain_vis"), "HIDDEN HIDDEN") == 0, "program symbol: readelf says both mains are hidden");
    int (*m1)(void) = (int (*)(void))keel_program_symbol(o1, "main");
    int (*m2)(void) = (int (*)(void))keel_program_symbol(o2, "main");
    ok(m1 && m2 && m1 != m2 && m1() == 11 && m2() == 22 && !keel_symbol(ns, "main"),
       "program symbol: each batch finds its own hidden main (11, 22); keel_symbol finds none");
    void *pub = keel_symbol(ns, "hidmain1_pub");
    ok(pub && keel_program_symbol(o2, "hidmain1_pub") == pub && !keel_program_symbol(o2, "keel_test_nosuch"),
       "program symbol: a name the batch lacks comes from the namespace");
    ok(keel_unload(ns, o1, false, &err) == 0 && keel_program_symbol(o2, "main") == (void *)m2,
       "program symbol: after hidmain1.o goes, hidmain2.o's main is still found");
    keel_ns_destroy(ns);
}

/* Bugs found by review, each a case of its own. */
static void test_regressions(void)
{
    keel_error err;
    /* A cascade through a cycle: cyca.o and cycb.o use each other. */
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    keel_object *notes = NULL, *cyc = NULL, *user = NULL;
    const char *const nn[] = {"notes.o"}, *const cn[] = {"cyca.o", "cycb.o"}, *const un[] = {"cycc.o"};
    int rc = load(ns, nn, 1, &notes, &err);
    rc = rc ? rc : load(ns, cn, 2, &cyc, &err);
    rc = rc ? rc : load(ns, un, 1, &user, &err);
    int (*cycc)(int) = (int (*)(int))keel_symbol(ns, "cycc");
    if (ok(rc == 0 && cycc && cycc(3) == 24, "cycle: cyca.o and cycb.o (one batch, calling each other) and cycc.o "
                                             "load; cycc(3) is 24")) {
        rc = keel_unload(ns, cyc, false, &err);
        ok(rc != 0 && contains(err.msg, "cyca.o is still used by") && count_objects(ns) == 4,
           "cycle: unloading cyca.o alone is refused, naming a dependent, and nothing goes (got \"%s\")", err.msg);
        rc = keel_unload(ns, cyc, true, &err);
        const char *buf = keel_symbol(ns, "note_buf");
        ok(rc == 0 && count_objects(ns) == 1 && keel_ns_next_object(ns, NULL) == notes,
           "cycle: the cascade unloads cyca.o, cycb.o and cycc.o, and stops");
        ok(buf && strcmp(buf, "-cycc -cycb -cyca ") == 0,
           "cycle: each destructor ran once, in the linked order (got \"%s\")", buf ? buf : "(no note_buf)");
        ok(!keel_symbol(ns, "cyca") && !keel_symbol(ns, "cycb") && !keel_symbol(ns, "cycc"),
           "cycle: their symbols are gone");
    } else {
        diag("%s", err.msg);
    }
    keel_ns_destroy(ns);

    /* A local IFUNC is refused, not called as the function. */
    ns = keel_ns_create(NULL, KEEL_NS_HOST | KEEL_NS_INERT, &err);
    const char *const in[] = {"ifunclocal.o"};
    rc = load(ns, in, 1, NULL, &err);
    ok(rc != 0 && contains(err.msg, "ifunclocal.o") && contains(err.msg, "IFUNC") && count_objects(ns) == 0,
       "ifunc: a local IFUNC is refused with the reason (got \"%s\")", err.msg);
    keel_ns_destroy(ns);

    /* A common beats a weak definition, in either order (GNU ld). */
    const char *const wc[2][2] = {{"weakdef.o", "commondef.o"}, {"commondef.o", "weakdef.o"}};
    for (int k = 0; k < 2; k++) {
        ns = keel_ns_create(NULL, KEEL_NS_HOST | KEEL_NS_INERT, &err);
        rc = load(ns, wc[k], 2, NULL, &err);
        const keel_section *sec = rc ? NULL : sec_of(ns, "wc_var", NULL);
        const int *v = rc ? NULL : keel_symbol(ns, "wc_var");
        ok(sec && strcmp(keel_object_name(keel_section_object(sec)), P("commondef.o")) == 0 && v && *v == 0,
           "weak/common: %s then %s: wc_var is commondef.o's common (0), not the weak 5", wc[k][0], wc[k][1]);
        keel_ns_destroy(ns);
    }

    /* A COMDAT copy dropped for one loaded before, whose symbol is hidden
     * (C++'s DW.ref.*): the second object's references reach the first copy. */
    ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    const char *const c1[] = {"comdat1.o"}, *const c2[] = {"comdat2.o"};
    rc = load(ns, c1, 1, NULL, &err);
    rc = rc ? rc : load(ns, c2, 1, NULL, &err);
    long (*get1)(void) = (long (*)(void))keel_symbol(ns, "comdat_get1");
    long (*get2)(void) = (long (*)(void))keel_symbol(ns, "comdat_get2");
    ok(rc == 0 && get1 && get2 && get1() == 42 && get2() == 42 && !keel_symbol(ns, "dwref_shared"),
       "comdat: comdat2.o, loaded after comdat1.o, uses comdat1.o's copy of the hidden dwref_shared (%s)",
       rc ? err.msg : "and the name stays hidden");
    keel_ns_destroy(ns);
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: %s FACTS DIR (run by tests/load_api.t)\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    read_facts(argv[1]);
    dir = argv[2];

    keel_ns *graph = NULL, *run = NULL;
    buffer bufs[3];
    test_graph(&graph);
    test_section_at(graph, "graph");
    test_names();
    test_namespaces();
    test_buffers(graph, bufs, &run);
    if (run)
        test_functions(run);
    test_copy();
    test_unload();
    test_failures();
    test_archives();
    test_threads();
    test_bad_relocs();
    test_program_symbol();
    test_regressions();
    keel_ns_destroy(run);
    keel_ns_destroy(graph);
    for (int i = 0; i < 3; i++)
        free(bufs[i].data);
    free(objs);
    free(syms);
    free(edges);
    free(expects);
    return failed ? 1 : 0;
}
