/* Live swap at scale (tests/swap_scale.t compiles tests/progs/swapscale/
 * s.c as s1.o and s2.o into DIR and runs this with DIR, the path of
 * libpython3.11-pic.a and the number of swaps).
 *
 * s1.o and the archive are loaded as one batch (s1.o pulls the members
 * python's main needs), python is initialized, and two threads call the
 * small object in tight loops (through a function pointer taken before
 * the swaps, and through keel_symbol's answer of the moment) while it is
 * swapped for s2.o and back N times.  After each commit, the small
 * object's call into python gives the new version's answer, the counter
 * carried over never goes back, and the swap touched nothing of python's
 * (no reference rewritten, the namespace's other objects the same).  At
 * the end no increment was lost.  The stop and the whole swap's times
 * are printed, never checked (tests do not assert timings).  Prints TAP
 * lines and "# " notes. */
#include <dlfcn.h>
#include <keel/load.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

typedef int (*fn)(void);
static keel_ns *ns;
static fn first_tick;
static int stop_flag;
static long worker_calls[2];
static int worker_bad[2];

static void *work(void *arg)
{
    int id = (int)(intptr_t)arg;
    while (!__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE)) {
        fn f = id == 0 ? first_tick : (fn)keel_symbol(ns, "s_tick");
        int r = f();
        worker_bad[id] += r != 1 && r != 2;
        worker_calls[id]++;
    }
    return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static size_t count_objects(void)
{
    size_t n = 0;
    for (const keel_object *o = keel_ns_next_object(ns, NULL); o; o = keel_ns_next_object(ns, o))
        n++;
    return n;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: load_swap_scale DIR LIBPYTHON.a SWAPS\n");
        return 2;
    }
    int swaps = atoi(argv[3]);
    char s1[512], s2[512], line[1024];
    snprintf(s1, sizeof s1, "%s/s1.o", argv[1]);
    snprintf(s2, sizeof s2, "%s/s2.o", argv[1]);
    /* what libpython needs of the system (-lz -lexpat -lm), for the host
     * symbols */
    const char *libs[] = {"libz.so.1", "libexpat.so.1", "libm.so.6"};
    for (size_t i = 0; i < 3; i++)
        if (!dlopen(libs[i], RTLD_NOW | RTLD_GLOBAL)) {
            printf("1..0 # SKIP no %s\n", libs[i]);
            return 0;
        }
    keel_error err;
    ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    keel_input in[2] = {{.path = s1}, {.path = argv[2]}};
    keel_object *live;
    if (!ns || keel_load(ns, in, 2, &live, &err)) {
        printf("not ok 1 - load s1.o and %s: %s\nBail out!\n", argv[2], err.msg);
        return 1;
    }
    size_t objects = count_objects();
    snprintf(line, sizeof line, "%zu objects in the namespace", objects);
    ok_why(objects > 100, "s1.o and libpython3.11-pic.a's members loaded", line);
    ((void (*)(int))keel_symbol(ns, "Py_InitializeEx"))(0);
    long (*calc)(long) = (long (*)(long))keel_symbol(ns, "s_calc");
    snprintf(line, sizeof line, "s_calc(7) = %ld", calc(7));
    ok_why(calc(7) == 7 * 1000003L, "python initialized, the small object calls into it", line);

    first_tick = (fn)keel_symbol(ns, "s_tick");
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&t[i], NULL, work, (void *)(intptr_t)i);
    uint64_t *stopped = calloc((size_t)swaps + 1, sizeof *stopped), *total = calloc((size_t)swaps + 1, sizeof *total);
    int failed = 0, wrong = 0, back = 0, touched = 0, stopped_threads = 0, main_calls = 0;
    long last = 0;
    char first_err[sizeof err.msg] = "";
    uint32_t rewritten = 0;
    for (int s = 0; s < swaps; s++) {
        int want = s % 2 == 0 ? 2 : 1;
        keel_input ni = {.path = want == 2 ? s2 : s1};
        keel_swap_stats st;
        keel_swap_opts o = {.stats = &st};
        keel_object *nw;
        if (keel_swap(ns, &live, 1, &ni, 1, &o, &nw, &err)) {
            if (!failed++)
                snprintf(first_err, sizeof first_err, "%s", err.msg);
            continue;
        }
        live = nw;
        stopped[s - failed] = st.stopped_ns;
        total[s - failed] = st.total_ns;
        rewritten += st.rewritten;
        stopped_threads += st.threads != 2;
        long x = 1000 + s;
        calc = (long (*)(long))keel_symbol(ns, "s_calc");
        wrong += calc(x) != x * want * 1000003L || ((fn)keel_symbol(ns, "s_version"))() != want || first_tick() != want;
        main_calls++;
        long c = ((long (*)(void))keel_symbol(ns, "s_count"))();
        back += c < last;
        last = c;
        touched += count_objects() != objects;
    }
    int done = swaps - failed;
    ok_why(!failed, "every swap committed", failed ? first_err : "");
    snprintf(line, sizeof line, "%d wrong of %d", wrong, done);
    ok_why(!wrong, "after each commit, the new version answers, and its call into python gives its answer", line);
    ok_why(!back, "the counter carried over never goes back", "");
    ok_why(!stopped_threads, "each commit stopped the two other threads", "");
    snprintf(line, sizeof line, "%u references rewritten in %d swaps, %zu objects", rewritten, done, objects);
    ok_why(!rewritten && !touched, "nothing of python's was touched: no reference rewritten, the same objects", line);
    __atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
    long calls = main_calls;
    int bad = 0;
    for (int i = 0; i < 2; i++) {
        pthread_join(t[i], NULL);
        calls += worker_calls[i];
        bad += worker_bad[i];
    }
    long count = ((long (*)(void))keel_symbol(ns, "s_count"))();
    snprintf(line, sizeof line, "%ld counted, %ld calls made", count, calls);
    ok_why(count == calls && !bad, "no increment lost, every call answered a version", line);
    if (done > 0) {
        qsort(stopped, (size_t)done, sizeof *stopped, cmp_u64);
        qsort(total, (size_t)done, sizeof *total, cmp_u64);
        size_t p50 = (size_t)done / 2, p99 = (size_t)done * 99 / 100;
        printf("# beside libpython (%zu objects): world stopped p50 %.1f us p99 %.1f us; whole swap p50 %.1f us p99 "
               "%.1f us (%d swaps, 2 threads)\n",
               objects, stopped[p50] / 1e3, stopped[p99] / 1e3, total[p50] / 1e3, total[p99] / 1e3, done);
    }
    free(stopped);
    free(total);
    printf("1..%d\n", tap_count);
    return tap_failed != 0;
}
