/* swapbench: the times bench/swap.sh reports, all in one process.
 *
 *   swapbench keel DIR N THREADS [LIBPYTHON.a]
 *       loads DIR/small1.o (with DIR/anchor.o and the archive when given:
 *       the namespace then holds libpython), starts THREADS threads
 *       calling it in loops, swaps it for DIR/small2.o and back N times
 *       and prints the world-stopped and whole keel_swap times, in ns, one
 *       swap a line: "STOPPED TOTAL".  Each swap is checked (the new
 *       version answers, the counter carried over never goes back).
 *   swapbench peer DIR N LINKER
 *       what hot-reload tools do instead, N times: link DIR/small2.o (then
 *       small1.o, alternately) into a shared library with LINKER -shared
 *       (a new file each time), dlopen it RTLD_NOW, dlsym and call it,
 *       dlclose the one before; prints the time of each (link + dlopen +
 *       dlsym), in ns, one a line.
 */
#include <dlfcn.h>
#include <keel/load.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

typedef int (*fn)(void);
static keel_ns *ns;
static fn first_tick;
static int stop_flag;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* the swapping thread's own CPU time: the whole swap's work without the
 * waits (for the other threads to be scheduled and take the signal) */
static uint64_t cpu_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void *work(void *arg)
{
    (void)arg;
    while (!__atomic_load_n(&stop_flag, __ATOMIC_ACQUIRE))
        first_tick();
    return NULL;
}

static int keel_case(const char *dir, int n, int threads, const char *libpython)
{
    char s1[512], s2[512], anchor[512];
    snprintf(s1, sizeof s1, "%s/small1.o", dir);
    snprintf(s2, sizeof s2, "%s/small2.o", dir);
    snprintf(anchor, sizeof anchor, "%s/anchor.o", dir);
    keel_error err;
    ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    keel_input in[3] = {{.path = s1}, {.path = anchor}, {.path = libpython}};
    keel_object *live;
    if (!ns || keel_load(ns, in, libpython ? 3 : 1, &live, &err)) {
        fprintf(stderr, "swapbench: load: %s\n", err.msg);
        return 1;
    }
    first_tick = (fn)keel_symbol(ns, "small_tick");
    pthread_t *t = calloc((size_t)threads + 1, sizeof *t);
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, work, NULL);
    long last = 0;
    int bad = 0;
    for (int s = 0; s < n; s++) {
        int want = s % 2 == 0 ? 2 : 1;
        keel_input ni = {.path = want == 2 ? s2 : s1};
        keel_swap_stats st;
        keel_swap_opts o = {.stats = &st};
        keel_object *nw;
        uint64_t c0 = cpu_ns();
        int rc = keel_swap(ns, &live, 1, &ni, 1, &o, &nw, &err);
        uint64_t cpu = cpu_ns() - c0;
        if (rc) {
            fprintf(stderr, "swapbench: swap %d: %s\n", s, err.msg);
            bad = 1;
            break;
        }
        live = nw;
        long c = ((long (*)(void))keel_symbol(ns, "small_count"))();
        if (((fn)keel_symbol(ns, "small_version"))() != want || first_tick() != want || c < last) {
            fprintf(stderr, "swapbench: swap %d: wrong answer after the commit\n", s);
            bad = 1;
            break;
        }
        last = c;
        printf("%llu %llu %u %llu\n", (unsigned long long)st.stopped_ns, (unsigned long long)st.total_ns, st.attempts,
               (unsigned long long)cpu);
    }
    __atomic_store_n(&stop_flag, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < threads; i++)
        pthread_join(t[i], NULL);
    free(t);
    return bad;
}

static int peer_case(const char *dir, int n, const char *linker)
{
    void *prev = NULL;
    for (int s = 0; s < n; s++) {
        int want = s % 2 == 0 ? 2 : 1;
        char obj[512], so[512];
        snprintf(obj, sizeof obj, "%s/small%d.o", dir, want);
        snprintf(so, sizeof so, "%s/peer-%d.so", dir, s); /* dlopen caches by name: a new one each time */
        char *argv[] = {(char *)linker, "-shared", "-o", so, obj, NULL};
        uint64_t t0 = now_ns();
        pid_t pid;
        int status;
        if (posix_spawnp(&pid, linker, NULL, NULL, argv, environ) || waitpid(pid, &status, 0) != pid ||
            !WIFEXITED(status) || WEXITSTATUS(status)) {
            fprintf(stderr, "swapbench: %s -shared -o %s %s failed\n", linker, so, obj);
            return 1;
        }
        void *h = dlopen(so, RTLD_NOW | RTLD_LOCAL);
        fn v = h ? (fn)dlsym(h, "small_version") : NULL;
        uint64_t t1 = now_ns();
        if (!v || v() != want) {
            fprintf(stderr, "swapbench: dlopen %s: %s\n", so, h ? "wrong answer" : dlerror());
            return 1;
        }
        if (prev)
            dlclose(prev);
        prev = h;
        remove(so);
        printf("%llu\n", (unsigned long long)(t1 - t0));
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 5 && strcmp(argv[1], "keel") == 0)
        return keel_case(argv[2], atoi(argv[3]), atoi(argv[4]), argc > 5 ? argv[5] : NULL);
    if (argc == 5 && strcmp(argv[1], "peer") == 0)
        return peer_case(argv[2], atoi(argv[3]), argv[4]);
    fprintf(stderr, "usage: swapbench keel DIR N THREADS [LIBPYTHON.a] | peer DIR N LINKER\n");
    return 2;
}
