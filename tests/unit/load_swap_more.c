/* Live swap, where the other threads are (tests/swap_more.t compiles
 * tests/progs/swapmore/m.c as m1.o and m2.o into DIR and runs this with
 * DIR).  Each case swaps M with one thread placed on purpose:
 *  - blocking every signal (as a sigwait thread does), while the swap
 *    moves thread-local storage: the swap must not wait for it forever;
 *  - spinning inside a function being replaced (its PC there): refused
 *    after the attempts, the thread unharmed;
 *  - in a callback called from M (a return address into M on its stack):
 *    refused likewise;
 *  - in a callback called by M's m_tramp, whose return address lies inside
 *    the entry bytes the first stop rewrites: the stop waits until the
 *    callback returns (a helper releases it), then commits; the thread
 *    returns through the old bytes unharmed;
 *  - holding a function pointer of M in a register while stopped: after
 *    the commit, a call through it gets the new code;
 *  - blocking every signal for 50 ms after it took a swap's signal
 *    before (as a thread leaving its handler does): the swap waits for
 *    it and carries its thread-local counter over;
 * and then old entries of 12 generations all call the live version
 * through at most two jumps.
 * Prints TAP lines. */
#include <keel/load.h>
#include <stdint.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"

typedef int (*fn)(void);
static keel_ns *ns;
static keel_object *live;
static char m1[512], m2[512];
static int version = 1; /* the live M's */
static keel_swap_stats last_stats;

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void *sym(const char *name) { return keel_symbol(ns, name); }

/* M swapped for its other version; 0 when committed */
static int swap(unsigned max_attempts, char *msg, size_t size)
{
    keel_input in = {.path = version == 1 ? m2 : m1};
    keel_swap_opts o = {.max_attempts = max_attempts, .stats = &last_stats};
    keel_object *nw;
    keel_error err;
    if (keel_swap(ns, &live, 1, &in, 1, &o, &nw, &err)) {
        snprintf(msg, size, "%s", err.msg);
        return -1;
    }
    live = nw;
    version = 3 - version;
    snprintf(msg, size, "committed");
    return 0;
}

static volatile int go, entered;

/* 1: a thread that blocks every signal */
static void *blocker(void *arg)
{
    (void)arg;
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    ((long (*)(void))sym("m_tinc"))(); /* it has M's thread-local block */
    entered = 1;
    while (!go)
        sleep_ms(1);
    return NULL;
}

/* 2: inside m_spin */
static void *spinner(void *arg)
{
    int (*spin)(volatile int *) = (int (*)(volatile int *))sym("m_spin");
    entered = 1;
    *(int *)arg = spin(&go);
    return NULL;
}

/* 3 and 4: a callback called from M */
static int callback(void)
{
    entered = 1;
    while (!go)
        __asm__ volatile("pause");
    return 100;
}
static void *caller(void *arg)
{
    int (*call)(int (*)(void)) = (int (*)(int (*)(void)))sym(*(int *)arg ? "m_tramp" : "m_call");
    *(int *)arg = call(callback);
    return NULL;
}
static void *releaser(void *arg)
{
    sleep_ms(*(int *)arg);
    go = 1;
    return NULL;
}

/* 5: M's m_version in a register while the thread waits */
static void *holder(void *arg)
{
    fn f = (fn)sym("m_version");
    entered = 1;
    while (!go)
        __asm__ volatile("pause" : "+r"(f)); /* f lives in a register across the stop */
    *(int *)arg = f();
    return NULL;
}

/* 6: a thread that took a swap's signal before, then blocks every signal
 * for a while (as it does, for an instant, at the end of each of its
 * handlers of the swap's signal) while it counts its thread-local
 * counter up; *(long *)arg: its calls in, then the counter's value */
static volatile int mask_now, masked;
static void *masker(void *arg)
{
    long (*tinc)(void) = (long (*)(void))sym("m_tinc");
    long calls = 0, last = 0;
    entered = 1;
    while (!go) {
        last = tinc();
        calls++;
        if (mask_now) {
            sigset_t all, old;
            sigfillset(&all);
            pthread_sigmask(SIG_BLOCK, &all, &old);
            masked = 1;
            for (int i = 0; i < 50; i++, calls++) {
                last = tinc();
                sleep_ms(1);
            }
            mask_now = 0;
            pthread_sigmask(SIG_SETMASK, &old, NULL);
        }
    }
    ((long *)arg)[0] = calls;
    ((long *)arg)[1] = last;
    return NULL;
}

static void start(pthread_t *t, void *(*f)(void *), void *arg)
{
    go = 0;
    entered = 0;
    pthread_create(t, NULL, f, arg);
    while (!entered)
        sleep_ms(1);
    sleep_ms(20); /* well inside, not at its entry */
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: load_swap_more DIR\n");
        return 2;
    }
    alarm(60); /* a swap that waits forever fails the test */
    snprintf(m1, sizeof m1, "%s/m1.o", argv[1]);
    snprintf(m2, sizeof m2, "%s/m2.o", argv[1]);
    keel_error err;
    ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    keel_input in = {.path = m1};
    if (!ns || keel_load(ns, &in, 1, &live, &err)) {
        printf("not ok 1 - load: %s\nBail out!\n", err.msg);
        return 1;
    }
    ((long (*)(void))sym("m_tinc"))();
    char msg[600];
    pthread_t t, r;

    /* 1 */
    start(&t, blocker, NULL);
    int rc = swap(0, msg, sizeof msg);
    go = 1;
    pthread_join(t, NULL);
    ok_why(!rc && ((fn)sym("m_version"))() == version && ((long (*)(void))sym("m_tinc"))() == 2,
           "a thread blocking the swap's signal: the swap (with a TLS move) commits, the swapper's TLS carried", msg);

    /* 2 */
    int res = 0, before = version;
    start(&t, spinner, &res);
    rc = swap(20, msg, sizeof msg);
    go = 1;
    pthread_join(t, NULL);
    ok_why(rc && strstr(msg, "in code being replaced") && res == before && ((fn)sym("m_version"))() == before,
           "a thread inside a function being replaced (its PC): refused, the thread unharmed", msg);

    /* 3 */
    res = 0;
    start(&t, caller, &res);
    rc = swap(20, msg, sizeof msg);
    go = 1;
    pthread_join(t, NULL);
    ok_why(rc && strstr(msg, "on its stack") && res == 1000 + before && ((fn)sym("m_version"))() == before,
           "a thread with a return address into M on its stack: refused, the thread unharmed", msg);

    /* 4 */
    res = 1;
    start(&t, caller, &res);
    int delay = 150;
    pthread_create(&r, NULL, releaser, &delay);
    rc = swap(1000000, msg, sizeof msg);
    pthread_join(t, NULL);
    pthread_join(r, NULL);
    char line[700];
    snprintf(line, sizeof line, "%s; the thread's m_tramp gave %d", msg, res);
    ok_why(!rc && res == 100 + before && ((fn)sym("m_version"))() == version,
           "a return address inside the entry bytes rewritten: the swap waits for it to return, then commits", line);

    /* 5 */
    before = version;
    res = 0;
    start(&t, holder, &res);
    rc = swap(0, msg, sizeof msg);
    go = 1;
    pthread_join(t, NULL);
    snprintf(line, sizeof line, "%s; the call gave %d, the live version is %d (was %d)", msg, res, version, before);
    ok_why(!rc && res == version && version != before,
           "a function pointer held in a register while stopped calls the new code after the commit", line);

    /* 6 */
    long counts[2] = {0, 0};
    start(&t, masker, counts);
    int first = swap(0, msg, sizeof msg); /* the thread takes the signal */
    mask_now = 1;
    while (!masked)
        sleep_ms(1);
    rc = swap(0, msg, sizeof msg);
    go = 1;
    pthread_join(t, NULL);
    snprintf(line, sizeof line, "%s; %ld calls, the thread-local counter at %ld", msg, counts[0], counts[1]);
    ok_why(!first && !rc && counts[0] == counts[1],
           "a thread that took the signal before, blocking it for 50 ms: stopped when it unblocks, its TLS carried",
           line);

    /* 7: entries of every generation, after more swaps: each calls the
     * live version, through at most two jumps (its name's hub, then the
     * live function), whatever the number of swaps */
    enum { GENS = 12 };
    fn gen[GENS];
    int failed = 0;
    uint32_t entries[GENS];
    for (int g = 0; g < GENS; g++) {
        gen[g] = (fn)sym("m_version");
        failed += swap(0, msg, sizeof msg) != 0;
        entries[g] = last_stats.entries;
    }
    uintptr_t live_fn = (uintptr_t)sym("m_version");
    int wrong = 0, deepest = 0;
    for (int g = 0; g < GENS; g++) {
        wrong += gen[g]() != version;
        int depth = 0;
        const uint8_t *at = (const uint8_t *)gen[g];
        while ((uintptr_t)at != live_fn && at[0] == 0xe9 && depth < 100) { /* jmp rel32 */
            int32_t rel;
            memcpy(&rel, at + 1, 4);
            at += 5 + (intptr_t)rel;
            depth++;
        }
        if ((uintptr_t)at != live_fn)
            depth = 1000;
        if (depth > deepest)
            deepest = depth;
    }
    snprintf(line, sizeof line, "%d swaps failed, %d wrong answers, the longest way %d jumps", failed, wrong, deepest);
    ok_why(!failed && !wrong && deepest <= 2,
           "12 generations of old entries call the live version, each through at most two jumps", line);
    snprintf(line, sizeof line, "entries redirected: %u at the first of these swaps, %u at the last", entries[0],
             entries[GENS - 1]);
    ok_why(entries[0] == entries[GENS - 1],
           "a swap redirects as many entries after many swaps as after one (not every entry ever retired)", line);

    keel_ns_destroy(ns);
    printf("1..%d\n", tap_count);
    return tap_failed != 0;
}
