/* load_patch DIR CALL_OFF GOT_OFF FAR_OFF: rewriting loaded code with no page
 * writable and executable (tests/load_patch.t compiles tests/progs/load_patch
 * into DIR and reads, with readelf, the offsets of caller.o's relocation
 * against g in .text.f, of the GOT-reading one in .text.addr_of_g and of
 * callfar.o's call to far_fn).
 *
 *   - the slots of the load are kept and say which symbol each serves: g's
 *     GOT slot holds g; one tls_index for tv (two references); dv's TLS
 *     descriptor; each checked by what the loaded code itself computes;
 *   - f() calls g; the relocation is re-pointed to h and f() then returns
 *     h's value; the original bytes written back by keel_text_write make
 *     it call g again; the code stays r-x in /proc/self/maps and no mapping
 *     is ever writable and executable (checked after each step, and by a
 *     thread reading /proc/self/maps all through the patches);
 *   - a re-point of the GOT-reading relocation, outside the code, and of a
 *     place with no relocation are refused with messages naming the place;
 *   - a call out of reach (far.o's far_fn, in an inert namespace): its
 *     slot has a stub whose GOT slot holds far_fn, the call goes to the
 *     stub; re-pointed to a near function it calls it directly; re-pointed
 *     to another far address it is refused (no stub leads there).
 *
 * Prints TAP. */
#include <keel/load.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tap.h"

/* The mapping holding addr: its permissions ("r-xp"); and whether any
 * mapping is writable and executable (its line into wx). */
static void scan_maps(uintptr_t addr, char perms[5], char *wx, size_t wxsize)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    if (perms)
        strcpy(perms, "none");
    if (wx)
        wx[0] = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long lo, hi;
        char p[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) != 3)
            continue;
        if (perms && addr >= lo && addr < hi)
            memcpy(perms, p, 5);
        if (wx && p[1] == 'w' && p[2] == 'x' && !wx[0])
            snprintf(wx, wxsize, "%s", line);
    }
    if (f)
        fclose(f);
}

static void check_maps(uintptr_t code, const char *when)
{
    char perms[5], wx[512];
    scan_maps(code, perms, wx, sizeof wx);
    ok(strncmp(perms, "r-x", 3) == 0, "%s: the code is r-x in /proc/self/maps (%s)", when, perms);
    ok(!wx[0], "%s: no mapping is writable and executable%s%s", when, wx[0] ? ": " : "", wx);
}

/* A thread that reads /proc/self/maps over and over while the patches
 * run: a W+X mapping at any moment it looks is counted. */
static volatile int watching;
static int seen_wx, scans; /* scans: atomic */
static void *watch(void *arg)
{
    (void)arg;
    while (__atomic_load_n(&watching, __ATOMIC_ACQUIRE)) {
        char wx[512];
        scan_maps(0, NULL, wx, sizeof wx);
        if (wx[0] && !seen_wx) {
            seen_wx = 1;
            fprintf(stdout, "# W+X seen: %s", wx);
        }
        __atomic_add_fetch(&scans, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static const keel_slot *slot_of(const keel_object *o, const char *name, int *count)
{
    const keel_slot *v, *found = NULL;
    size_t n = keel_object_slots(o, &v);
    *count = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].symbol && strcmp(v[i].symbol, name) == 0) {
            found = &v[i];
            ++*count;
        }
    return found;
}

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* The rel32 of the call at place, as the address it reaches. */
static uintptr_t call_target(uintptr_t place)
{
    int32_t rel;
    memcpy(&rel, (const void *)place, 4);
    return place + 4 + (uintptr_t)(intptr_t)rel;
}

static void test_far(const char *dir, uint64_t far_off)
{
    char p1[4096], p2[4096];
    snprintf(p1, sizeof p1, "%s/far.o", dir);
    snprintf(p2, sizeof p2, "%s/callfar.o", dir);
    keel_input in[2] = {{.path = p1}, {.path = p2}};
    keel_error err;
    keel_object *first = NULL;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST | KEEL_NS_INERT, &err);
    if (!ok(ns && keel_load(ns, in, 2, &first, &err) == 0, "far.o callfar.o load (inert)")) {
        printf("# %s\n", err.msg);
        return;
    }
    const keel_object *callfar = keel_ns_next_object(ns, first);
    void *call_far = keel_symbol(ns, "call_far"), *far = keel_symbol(ns, "far_fn");
    int count;
    const keel_slot *s = slot_of(callfar, "far_fn", &count);
    uint64_t off;
    const keel_section *t = call_far ? keel_section_at(ns, (uintptr_t)call_far, &off) : NULL;
    uintptr_t place = t ? keel_section_addr(t) + far_off : 0;
    ok(far == (void *)0x100000000000 && s && count == 1 && s->stub && s->stub_got && *(void **)s->stub_got == far &&
           !s->got,
       "callfar.o's slot for far_fn: a stub, whose GOT slot holds far_fn (0x100000000000)");
    ok(s && t && call_target(place) == s->stub, "the call in call_far goes to the stub");
    void *near = keel_symbol(ns, "far_marker");
    int rc = t && near ? keel_section_repoint(t, far_off, near, &err) : -1;
    ok(rc == 0 && call_target(place) == (uintptr_t)near, "re-pointed to a near address, the call reaches it directly");
    rc = t ? keel_section_repoint(t, far_off, (void *)0x100000001000, &err) : -1;
    ok(rc != 0 && strstr(err.msg, "callfar.o:(.text.call_far+") && strstr(err.msg, "out of reach") &&
           call_target(place) == (uintptr_t)near,
       "re-pointed to another far address: refused, the call unchanged: %s", rc ? err.msg : "accepted");
    rc = t ? keel_section_repoint(t, far_off, far, &err) : -1;
    ok(rc == 0 && s && call_target(place) == s->stub, "re-pointed back to far_fn: through its stub again");
    keel_ns_destroy(ns);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: load_patch DIR CALL_OFF GOT_OFF FAR_OFF\n");
        return 2;
    }
    const char *dir = argv[1];
    uint64_t call_off = strtoull(argv[2], NULL, 0), got_off = strtoull(argv[3], NULL, 0),
             far_off = strtoull(argv[4], NULL, 0);
    char paths[3][4096];
    const char *names[3] = {"caller.o", "callee.o", "desc.o"};
    keel_input in[3];
    for (int i = 0; i < 3; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", dir, names[i]);
        in[i] = (keel_input){.path = paths[i]};
    }
    keel_error err;
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    keel_object *first = NULL;
    if (!ok(ns && keel_load(ns, in, 3, &first, &err) == 0, "caller.o callee.o desc.o load")) {
        printf("# %s\n", err.msg);
        printf("1..%d\n", tap_count);
        return 1;
    }
    int (*f)(void) = (int (*)(void))keel_symbol(ns, "f");
    void *g = keel_symbol(ns, "g"), *h = keel_symbol(ns, "h");
    void *(*addr_of_g)(void) = (void *(*)(void))keel_symbol(ns, "addr_of_g");
    int *(*tv_addr)(void) = (int *(*)(void))keel_symbol(ns, "tv_addr");
    int *(*dv_addr)(void) = (int *(*)(void))keel_symbol(ns, "dv_addr");
    ok(f && g && h && addr_of_g && tv_addr && dv_addr, "the functions are found");
    const keel_object *caller = first, *desc = keel_ns_next_object(ns, keel_ns_next_object(ns, first));

    /* ------------------------------------------------------------ slots */
    int count;
    const keel_slot *sg = slot_of(caller, "g", &count);
    ok(sg && count == 1 && sg->got && *(void **)sg->got == g && addr_of_g() == g,
       "caller.o's slot for g: one entry, a GOT slot holding g's address, the one addr_of_g reads");
    const keel_slot *st = slot_of(caller, "tv", &count);
    const uint64_t *ti = st ? (const uint64_t *)st->tls_index : NULL;
    int *tvp = tv_addr();
    ok(st && count == 1 && ti && ti[0] != 0 && *tvp == 5,
       "caller.o's slot for tv: one tls_index for its two references (module %llu, offset %llu)",
       ti ? (unsigned long long)ti[0] : 0ULL, ti ? (unsigned long long)ti[1] : 0ULL);
    const keel_slot *sd = slot_of(desc, "dv", &count);
    int *dvp = dv_addr();
    ok(sd && count == 1 && sd->tlsdesc && *dvp == 7, "desc.o's slot for dv: a TLS descriptor");
    ok(!sg || (!sg->stub && !sg->tls_index && !sg->tlsdesc), "g has a GOT slot and nothing else");

    /* ---------------------------------------------------------- patches */
    uint64_t off;
    const keel_section *tf = f ? keel_section_at(ns, (uintptr_t)f, &off) : NULL;
    ok(tf && off == 0 && strcmp(keel_section_name(tf), "f") == 0, "f's section is .text.f");
    if (!tf || !f || !g || !h) {
        printf("1..%d\n", tap_count);
        return 1;
    }
    uintptr_t code = (uintptr_t)f;
    ok(f() == 11, "f() calls g: 1 + 10 = %d", f());
    check_maps(code, "after the load");
    unsigned char saved[4];
    memcpy(saved, (const void *)(keel_section_addr(tf) + call_off), sizeof saved);

    pthread_t watcher;
    __atomic_store_n(&watching, 1, __ATOMIC_RELEASE);
    int watched = pthread_create(&watcher, NULL, watch, NULL) == 0;
    while (watched && __atomic_load_n(&scans, __ATOMIC_ACQUIRE) < 2)
        ; /* it is reading the maps when the first patch comes */
    double t0 = now_ms();
    int rc = keel_section_repoint(tf, call_off, h, &err);
    double t1 = now_ms();
    ok(rc == 0, "the call in f re-pointed to h%s%s", rc ? ": " : "", rc ? err.msg : "");
    printf("# the first patch (the code moved into a memfd, %.3f ms)\n", t1 - t0);
    ok(f() == 12, "f() now calls h: 2 + 10 = %d", f());
    check_maps(code, "after the re-point");
    rc = keel_text_write(caller, (void *)(keel_section_addr(tf) + call_off), saved, sizeof saved, &err);
    ok(rc == 0, "the call's original bytes written back%s%s", rc ? ": " : "", rc ? err.msg : "");
    ok(f() == 11, "f() calls g again: %d", f());
    rc = keel_section_repoint(tf, call_off, h, &err);
    ok(rc == 0 && f() == 12, "re-pointed to h a second time: %d", f());
    rc = keel_section_repoint(tf, call_off, g, &err);
    ok(rc == 0 && f() == 11, "and back to g: %d", f());
    /* more patches while the watcher reads: until it has read 50 times */
    int rounds = 0, bad = 0;
    while (watched && (__atomic_load_n(&scans, __ATOMIC_ACQUIRE) < 50 || rounds < 100) && rounds < 100000) {
        bad += keel_section_repoint(tf, call_off, rounds % 2 ? g : h, &err) != 0 || f() != (rounds % 2 ? 11 : 12);
        rounds++;
    }
    keel_section_repoint(tf, call_off, g, &err);
    ok(!bad && f() == 11, "%d more re-points, each observed", rounds);
    if (watched) {
        __atomic_store_n(&watching, 0, __ATOMIC_RELEASE);
        pthread_join(watcher, NULL);
    }
    ok(watched && !seen_wx && scans > 0, "no writable and executable mapping in %d scans during the patches", scans);
    check_maps(code, "after the patches");
    ok(g != NULL && ((int (*)(void))g)() == 1 && ((int (*)(void))h)() == 2, "g and h themselves are unchanged");

    /* ---------------------------------------------------------- refusals */
    uint64_t aoff;
    const keel_section *ta = keel_section_at(ns, (uintptr_t)addr_of_g, &aoff);
    rc = ta ? keel_section_repoint(ta, got_off, h, &err) : -1;
    ok(rc != 0 && strstr(err.msg, "caller.o:(.text.addr_of_g+") && strstr(err.msg, "GOT slot") && addr_of_g() == g,
       "a reference through g's GOT slot is not re-pointed: %s", rc ? err.msg : "accepted");
    rc = keel_section_repoint(tf, call_off + 1, h, &err);
    ok(rc != 0 && strstr(err.msg, "caller.o:(.text.f+") && strstr(err.msg, "no relocation there"),
       "a place with no relocation: %s", rc ? err.msg : "accepted");
    unsigned char byte = 0;
    rc = keel_text_write(caller, (void *)h, &byte, 1, &err);
    ok(rc != 0 && strstr(err.msg, "caller.o: ") && strstr(err.msg, "outside its code"),
       "callee.o's code written as caller.o's: %s", rc ? err.msg : "accepted");

    keel_ns_destroy(ns);
    test_far(dir, far_off);
    printf("1..%d\n", tap_count);
    return tap_failed != 0;
}
