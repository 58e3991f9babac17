/* Live swap (issue 15): tests/swap.t compiles tests/progs/swap/ into DIR
 * and runs this with DIR and the number of swaps.
 *
 * A (a1.o) and B (b.o) are loaded as one batch.  Four threads call A in
 * tight loops: two through a function pointer stored in the heap at run
 * time (A's first entry, forever), two through B's read-only table
 * (initialized by relocations) and B's direct call.  Meanwhile A is
 * swapped for A' (a2.o) and back N times: after each commit every call
 * gives the new answer, A's static pointer points into the live copy's
 * array, the address lookup names the new and the retired code, and no
 * mapping is writable and executable.  At the end no increment of the
 * static counter was lost, nor of any thread's thread-local counter.
 * Refusals (a missing symbol, a changed size without a transfer function,
 * a failing transfer function, an object that does not load) change
 * nothing; a transfer function carries a grown array over.  Then the same
 * in the cooperative mode.  Prints TAP lines and "# " notes. */
#include <dlfcn.h>
#include <keel/load.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__SANITIZE_THREAD__)
#define UNDER_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define UNDER_TSAN 1
#endif
#endif
#ifndef UNDER_TSAN
#define UNDER_TSAN 0
#endif

static int failures, nt;
static void ok(int cond, const char *fmt, const char *a)
{
    printf("%s %d - ", cond ? "ok" : "not ok", ++nt);
    printf(fmt, a);
    printf("\n");
    fflush(stdout);
    failures += !cond;
}

typedef int (*fn)(void);
typedef long (*lfn)(void); /* a_count, a_tcount */
typedef struct heap_fns {
    fn inc;
} heap_fns;

static keel_ns *ns;
static heap_fns *heap;
static fn const *table;
static fn b_call;
static int stop_flag, coop;
static long (*tcount)(void);

typedef struct worker {
    pthread_t t;
    int id;
    long calls;
    int bad;  /* an answer that is no version */
    long tls; /* its thread-local count, asked at the end */
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    while (!__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE)) {
        int r;
        /* threads 0 and 1 keep the function pointer on their stack while
         * they call (and while they wait at a gate): a swap must take it
         * for a pointer, not a return address into the code replaced */
        int (*volatile on_stack)(void) = w->id < 2 ? (w->id % 2 == 0 ? heap->inc : table[0]) : NULL;
        if (on_stack && w->calls % 3 == 0)
            r = on_stack();
        else if (w->id % 2 == 0)
            r = heap->inc();
        else if (w->calls % 2)
            r = table[0]();
        else
            r = b_call();
        w->calls++;
        if (r != 1 && r != 2 && r != 3)
            w->bad++;
        if (__atomic_load_n(&coop, __ATOMIC_RELAXED))
            keel_swap_safepoint();
    }
    w->tls = tcount();
    return NULL;
}

/* No mapping both writable and executable. */
static int maps_wx(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    int bad = 0;
    while (f && fgets(line, sizeof line, f)) {
        char perms[8];
        if (sscanf(line, "%*x-%*x %7s", perms) == 1 && perms[1] == 'w' && perms[2] == 'x')
            bad++;
    }
    if (f)
        fclose(f);
    return bad;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void *sym(const char *name) { return keel_symbol(ns, name); }

static keel_object *object_of(void *addr)
{
    const keel_section *s = keel_section_at(ns, (uintptr_t)addr, NULL);
    return s ? (keel_object *)keel_section_object(s) : NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: load_swap DIR SWAPS [SECONDS]\n");
        return 2;
    }
    const char *dir = argv[1];
    int swaps = atoi(argv[2]);
    /* a busy machine: as many swaps as fit in the time, at least 100 */
    double budget = argc > 3 ? atof(argv[3]) : 1e9;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    char a1[512], a2[512], b[512], bad[5][512];
    snprintf(a1, sizeof a1, "%s/a1.o", dir);
    snprintf(a2, sizeof a2, "%s/a2.o", dir);
    snprintf(b, sizeof b, "%s/b.o", dir);
    const char *bad_names[5] = {"a_missing", "a_size", "a_xfail", "a_broken", "a_xfer"};
    for (int i = 0; i < 5; i++)
        snprintf(bad[i], sizeof bad[i], "%s/%s.o", dir, bad_names[i]);
    keel_error err;
    ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    keel_input in[2] = {{.path = a1}, {.path = b}};
    keel_object *first;
    if (!ns || keel_load(ns, in, 2, &first, &err)) {
        printf("not ok 1 - load: %s\nBail out!\n", err.msg);
        return 1;
    }
    keel_object *live = first;
    heap = malloc(sizeof *heap);
    heap->inc = (fn)sym("a_inc");
    table = (fn const *)sym("b_table");
    b_call = (fn)sym("b_call");
    tcount = (long (*)(void))sym("a_tcount");
    void *first_inc = (void *)heap->inc;
    ok(heap->inc && table && b_call && tcount, "a1.o and b.o loaded%s", "");

    /* KEEL_SWAP_COOP, and always under ThreadSanitizer: every swap
     * cooperative.  TSan delivers a signal only when the thread calls an
     * intercepted function, which a thread spinning in loaded code (or
     * waiting at a gate) never does: the signal stop would never complete
     * (docs/loader.md, "Quiescence"). */
    unsigned all_flags = getenv("KEEL_SWAP_COOP") || UNDER_TSAN ? KEEL_SWAP_COOPERATIVE : 0;
    if (all_flags)
        printf("# every swap cooperative%s\n", UNDER_TSAN ? " (ThreadSanitizer)" : " (KEEL_SWAP_COOP)");
    coop = all_flags != 0;
    worker w[4];
    memset(w, 0, sizeof w);
    for (int i = 0; i < 4; i++) {
        w[i].id = i;
        pthread_create(&w[i].t, NULL, work, &w[i]);
    }
    uint64_t *stopped = calloc((size_t)swaps + 1, sizeof *stopped), *total = calloc((size_t)swaps + 1, sizeof *total);
    int wrong_answer = 0, wrong_ptr = 0, wrong_lookup = 0, wx = 0, not_retired = 0, failed = 0, main_calls = 0;
    long last_count = 0;
    int count_back = 0;
    uint32_t attempts = 0, max_attempts = 0, entries = 0, rewritten = 0;
    bool sync = false;
    char first_err[sizeof err.msg] = "";
    int done = 0;
    for (int s = 0; s < swaps; s++, done++) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (s >= 100 && s % 2 == 0 &&
            (double)(now.tv_sec - start.tv_sec) + (now.tv_nsec - start.tv_nsec) / 1e9 > budget)
            break;
        int want = s % 2 == 0 ? 2 : 1;
        keel_input ni = {.path = want == 2 ? a2 : a1};
        keel_swap_stats st;
        keel_swap_opts o = {.flags = all_flags, .stats = &st};
        keel_object *nw;
        keel_object *before = live;
        void *old_version = sym("a_version");
        if (keel_swap(ns, &live, 1, &ni, 1, &o, &nw, &err)) {
            if (!failed++)
                snprintf(first_err, sizeof first_err, "%s", err.msg);
            continue;
        }
        live = nw;
        stopped[s] = st.stopped_ns;
        total[s] = st.total_ns;
        attempts += st.attempts;
        if (st.attempts > max_attempts)
            max_attempts = st.attempts;
        entries = st.entries;
        rewritten = st.rewritten;
        sync = st.sync_core;
        fn v = (fn)sym("a_version");
        int got[4] = {v(), ((fn)sym("a_inc"))(), table[1](), ((fn)first_inc)()};
        main_calls += 2;
        for (int k = 0; k < 4; k++)
            wrong_answer += got[k] != want;
        int *arr = ((int *(*)(void))sym("a_arr"))(), *p = ((int *(*)(void))sym("a_ptr"))();
        wrong_ptr += p != arr + 1;
        wrong_lookup += object_of(arr) != live || object_of((void *)v) != live;
        const keel_section *os = keel_section_at(ns, (uintptr_t)old_version, NULL);
        not_retired += !os || !keel_section_retired(os) || keel_section_object(os) != before;
        long c = ((lfn)sym("a_count"))();
        count_back += c < last_count;
        last_count = c;
        if (s % 25 == 0)
            wx += maps_wx();
    }
    ok(!failed, "%s", failed ? first_err : "every swap committed");
    if (failed)
        printf("# %d swaps failed, first: %s\n", failed, first_err);
    ok(!wrong_answer,
       "after each commit, calls through keel_symbol, B's table and the first entry give the new "
       "answer%s",
       "");
    ok(!wrong_ptr, "A's static pointer points into the live copy's array after each swap%s", "");
    ok(!wrong_lookup, "keel_section_at names the new object for its code and data%s", "");
    ok(!not_retired, "keel_section_at finds the replaced code, retired, in the object it was%s", "");
    ok(!count_back, "the static counter never goes back%s", "");
    ok(!wx, "no mapping writable and executable during the swaps%s", "");
    {
        /* the edges: B's code now depends on the live A, on no retired one */
        const keel_section *bs = keel_section_at(ns, (uintptr_t)b_call, NULL);
        const keel_dep *deps;
        size_t nd = bs ? keel_section_deps(bs, &deps) : 0;
        int to_live = 0, to_retired = 0;
        for (size_t i = 0; i < nd; i++) {
            to_live += keel_section_object(deps[i].section) == live;
            to_retired += keel_section_retired(deps[i].section);
        }
        const keel_dep *users;
        const keel_section *as = keel_section_at(ns, (uintptr_t)sym("a_inc"), NULL);
        size_t nu = as ? keel_section_dependents(as, &users) : 0;
        int from_b = 0;
        for (size_t i = 0; i < nu; i++)
            from_b += users[i].section == bs;
        ok(to_live && !to_retired && from_b, "B's edges lead to the live A after the swaps (deps and dependents)%s",
           "");
    }
    printf("# stop attempts %u in all, at most %u for one swap; entries redirected %u; references rewritten %u; "
           "membarrier SYNC_CORE %s\n",
           attempts, max_attempts, entries, rewritten, sync ? "yes" : "no (fallback)");
    printf("# swaps done: %d of %d asked\n", done, swaps);
    swaps = done;
    if (swaps > 0) {
        qsort(stopped, (size_t)swaps, sizeof *stopped, cmp_u64);
        qsort(total, (size_t)swaps, sizeof *total, cmp_u64);
        size_t p50 = (size_t)swaps / 2, p99 = (size_t)swaps * 99 / 100;
        printf("# world stopped p50 %.1f us p99 %.1f us; whole swap p50 %.1f us p99 %.1f us (%d swaps, 4 threads)\n",
               stopped[p50] / 1e3, stopped[p99] / 1e3, total[p50] / 1e3, total[p99] / 1e3, swaps);
    }

    /* refusals: everything stays as it was */
    const char *expect[4] = {"a_extra", "arr", "keel_transfer_arr failed", "nosuch"};
    for (int i = 0; i < 4; i++) {
        fn v = (fn)sym("a_version");
        int want = v();
        long c0 = ((lfn)sym("a_count"))();
        keel_input ni = {.path = bad[i]};
        keel_swap_opts ro = {.flags = all_flags};
        int rc = keel_swap(ns, &live, 1, &ni, 1, &ro, NULL, &err);
        char what[sizeof err.msg + 64];
        snprintf(what, sizeof what, "%s: refused (%s)", bad_names[i], rc ? err.msg : "committed!");
        ok(rc && strstr(err.msg, expect[i]), "%s", what);
        /* the threads go on: the counter grows (within 2 s on a busy machine) */
        long c1 = c0;
        for (int k = 0; k < 2000 && c1 <= c0; k++) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
            c1 = ((lfn)sym("a_count"))();
        }
        ok((fn)sym("a_version") == v && v() == want && table[1]() == want && heap->inc() == want && c1 > c0 &&
               object_of((void *)v) == live,
           "%s: the program goes on as before (same code, counter still growing)", bad_names[i]);
        main_calls++;
    }
    /* cooperative mode: no signals, the threads call keel_swap_safepoint */
    __atomic_store_n(&coop, 1, __ATOMIC_RELAXED);
    int coop_failed = 0;
    keel_object *nw;
    for (int s = 0; s < 20; s++) {
        keel_input ni = {.path = s % 2 ? a1 : a2};
        keel_swap_opts o = {.flags = KEEL_SWAP_COOPERATIVE};
        if (keel_swap(ns, &live, 1, &ni, 1, &o, &nw, &err)) {
            if (!coop_failed++)
                printf("# cooperative: %s\n", err.msg);
            continue;
        }
        live = nw;
        coop_failed += ((fn)sym("a_version"))() != (s % 2 ? 1 : 2);
    }
    ok(!coop_failed, "cooperative mode: 20 swaps at the threads' safe points%s", "");

    /* a transfer function carries a grown array over */
    ((void (*)(int, int))sym("a_set"))(5, 4242);
    keel_input xi = {.path = bad[4]};
    keel_swap_opts xo = {.flags = all_flags};
    int rc = keel_swap(ns, &live, 1, &xi, 1, &xo, &nw, &err);
    ok(!rc, "a_xfer: swapped in (%s)", rc ? err.msg : "the array grew, with keel_transfer_arr");
    if (!rc) {
        live = nw;
        int *arr = ((int *(*)(void))sym("a_arr"))();
        ok(arr[5] == 4242 && ((fn)sym("a_version"))() == 3 && object_of(arr) == live,
           "a_xfer: the grown array holds the old one's values%s", "");
    }

    __atomic_store_n(&coop, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
    long calls = main_calls;
    int bad_answers = 0, tls_lost = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(w[i].t, NULL);
        calls += w[i].calls;
        bad_answers += w[i].bad;
        tls_lost += w[i].tls != w[i].calls;
        printf("# thread %d: %ld calls, thread-local count %ld\n", i, w[i].calls, w[i].tls);
    }
    long count = ((lfn)sym("a_count"))();
    char line[200];
    snprintf(line, sizeof line, "%ld increments counted, %ld calls made", count, calls);
    ok(count == calls, "no increment of the static counter lost across the swaps: %s", line);
    ok(!tls_lost, "no increment of a thread-local counter lost across the swaps%s", "");
    ok(!bad_answers, "every call in the threads returned a version's answer%s", "");
    keel_ns_destroy(ns);
    free(heap);

    /* C++: an object made before the swap calls the new virtual functions
     * after it; exceptions cross between new code and code loaded before */
    char u[512], v1[512], v2[512];
    snprintf(u, sizeof u, "%s/u.o", dir);
    snprintf(v1, sizeof v1, "%s/v1.o", dir);
    snprintf(v2, sizeof v2, "%s/v2.o", dir);
    if (!dlopen("libstdc++.so.6", RTLD_NOW | RTLD_GLOBAL)) {
        printf("# C++ not tested: no libstdc++.so.6\n");
    } else {
        keel_ns *cns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
        keel_input cin[2] = {{.path = u}, {.path = v1}};
        int crc = keel_load(cns, cin, 2, NULL, &err);
        ok(!crc, "C++: u.o and v1.o loaded%s", crc ? err.msg : "");
        if (!crc) {
            void *(*make)(void) = (void *(*)(void))keel_symbol(cns, "v_make");
            int (*call)(void *) = (int (*)(void *))keel_symbol(cns, "u_call");
            int (*catch_)(void *) = (int (*)(void *))keel_symbol(cns, "u_catch");
            void *objv = make();
            int before[2] = {call(objv), catch_(objv)};
            keel_object *vo = keel_ns_object(cns, v1);
            keel_input vi = {.path = v2};
            crc = keel_swap(cns, &vo, 1, &vi, 1, NULL, NULL, &err);
            ok(!crc, "C++: v1.o swapped for v2.o%s", crc ? err.msg : "");
            int (*vcatch)(void) = (int (*)(void))keel_symbol(cns, "v_catch");
            void *obj2 = ((void *(*)(void))keel_symbol(cns, "v_make"))();
            char line2[200];
            snprintf(line2, sizeof line2, "before %d %d, after %d %d %d", before[0], before[1], call(objv), call(obj2),
                     catch_(objv));
            ok(before[0] == 10 && before[1] == 1 && call(objv) == 20 && call(obj2) == 20,
               "C++: an object made before the swap calls the new virtual function (%s)", line2);
            ok(catch_(objv) == 2, "C++: an exception thrown in new code is caught in code loaded before%s", "");
            ok(vcatch && vcatch() == 102, "C++: an exception thrown in code loaded before is caught in new code%s", "");
            /* both objects deleted by the new code, as the program would
             * (LeakSanitizer counts them otherwise) */
            void (*vfree)(void *) = (void (*)(void *))keel_symbol(cns, "v_free");
            if (vfree) {
                vfree(objv);
                vfree(obj2);
            }
        }
        keel_ns_destroy(cns);
    }
    free(stopped);
    free(total);
    printf("1..%d\n", nt);
    return failures != 0;
}
