/* The loader's symbol table (lib/load/namespace.c) against a plain list:
 * an unload removes an object's names in place from the open-addressed
 * table, moving the entries behind each hole back (no tombstones), and
 * every name left must still be found, and none removed.  The hashes are
 * chosen to collide and to make runs wrap round the table's end, which is
 * where such a deletion goes wrong. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/load/internal.h"

#include "tap.h"

enum { NOBJ = 8, MAXN = 4000 };
static keel_object objs[NOBJ];
static char names[MAXN][16];

typedef struct ref {
    uint32_t hash;
    int obj; /* -1 once removed */
} ref;

/* Every name still in the reference list is found, with its object; every
 * removed one is not; the count agrees.  Returns the first disagreement. */
static const char *check(const sym_table *t, const ref *r, int n, size_t *live)
{
    static char why[96];
    *live = 0;
    for (int i = 0; i < n; i++) {
        const sym_entry *e = rl_sym_find(t, names[i], r[i].hash);
        if (r[i].obj >= 0) {
            ++*live;
            if (!e || e->object != &objs[r[i].obj]) {
                snprintf(why, sizeof why, "'%.15s' (hash %u) is lost", names[i], r[i].hash);
                return why;
            }
        } else if (e) {
            snprintf(why, sizeof why, "'%.15s' is still found after its object went", names[i]);
            return why;
        }
    }
    if (t->n != *live) {
        snprintf(why, sizeof why, "the table counts %zu names, the list %zu", t->n, *live);
        return why;
    }
    return NULL;
}

/* Fill a table with n names spread over the objects, remove the objects in
 * the given order, checking after each. */
static void scenario(const char *what, int n, uint32_t (*hash_of)(int, size_t), size_t cap_hint, const int *order)
{
    sym_table t = {0};
    ref *r = calloc((size_t)n, sizeof *r);
    if (!r || rl_sym_reserve(&t, cap_hint ? cap_hint : (size_t)n)) {
        ok(0, "%s: memory", what);
        free(r);
        return;
    }
    for (int i = 0; i < n; i++) {
        snprintf(names[i], sizeof names[i], "s%d", i);
        r[i].hash = hash_of(i, t.cap);
        r[i].obj = (i * 5 + i / 7) % NOBJ;
        sym_entry e = {.name = names[i], .hash = r[i].hash, .object = &objs[r[i].obj]};
        rl_sym_insert(&t, &e);
    }
    size_t live;
    const char *bad = check(&t, r, n, &live);
    ok(!bad, "%s: %d names in a table of %zu slots, all found%s%s", what, n, t.cap, bad ? ": " : "", bad ? bad : "");
    for (int k = 0; k < NOBJ && !bad; k++) {
        int o = order[k];
        rl_sym_remove_object(&t, &objs[o]);
        for (int i = 0; i < n; i++)
            if (r[i].obj == o)
                r[i].obj = -1;
        bad = check(&t, r, n, &live);
        ok(!bad, "%s: object %d removed, %zu names left and found%s%s", what, o, live, bad ? ": " : "", bad ? bad : "");
    }
    ok(t.n == 0, "%s: the table ends empty (%zu)", what, t.n);
    rl_sym_free(&t);
    free(r);
}

static uint32_t real_hash(int i, size_t cap)
{
    (void)cap;
    return rl_hash(names[i]);
}

/* A few homes for many names: long runs that overlap. */
static uint32_t clustered(int i, size_t cap) { return (uint32_t)((size_t)(i % 11) * 13 % cap); }

/* Homes in the table's last slots: the runs wrap round to its start. */
static uint32_t at_the_end(int i, size_t cap) { return (uint32_t)(cap - 1 - (size_t)(i % 5)); }

/* Same low bits, different high bits: equal homes, different hashes. */
static uint32_t same_home(int i, size_t cap) { return (uint32_t)(cap * (size_t)(i + 1) + 3); }

int main(void)
{
    static const int forwards[NOBJ] = {0, 1, 2, 3, 4, 5, 6, 7};
    static const int mixed[NOBJ] = {5, 2, 7, 0, 3, 6, 1, 4};
    static const int backwards[NOBJ] = {7, 6, 5, 4, 3, 2, 1, 0};
    scenario("rl_hash", 3000, real_hash, 0, mixed);
    scenario("clustered", 60, clustered, 64, forwards);
    scenario("clustered, other order", 60, clustered, 64, backwards);
    scenario("wrapping runs", 30, at_the_end, 64, mixed);
    scenario("wrapping runs, other order", 30, at_the_end, 64, forwards);
    scenario("one home, many hashes", 40, same_home, 64, mixed);
    scenario("a full half table", 2048, clustered, 2048, backwards);
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}
