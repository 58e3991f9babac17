/* After a live swap the retired code stays named (lib/load/jit_names.c,
 * lib/load/swap.c): with KEEL_GDB_JIT=1 and perf's map open, OLD is loaded
 * and swapped for NEW (both define FUNC).  Then GDB's JIT list holds two
 * entries, OLD's still registered (retired code can still be running: a
 * backtrace through it needs its symbols) and NEW's added last
 * (JIT_REGISTER_FN); the perf map names FUNC at OLD's address and at
 * NEW's.  Prints "ok" or the first difference; exit 0 or 1. */
#include <keel/load.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct jit_code_entry {
    struct jit_code_entry *next_entry, *prev_entry;
    const char *symfile_addr;
    uint64_t symfile_size;
};
struct jit_descriptor {
    uint32_t version, action_flag;
    struct jit_code_entry *relevant_entry, *first_entry;
};
extern struct jit_descriptor __jit_debug_descriptor; /* (the loader's, hidden: same link) */

static int fail(const char *what, const char *why)
{
    printf("FAIL %s%s%s\n", what, why ? ": " : "", why ? why : "");
    return 1;
}

/* a line "START SIZE FUNC" of the perf map with START == addr */
static bool named(const char *map, uintptr_t addr, const char *func)
{
    FILE *f = fopen(map, "r");
    char line[512], name[256];
    unsigned long long start, size;
    bool found = false;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "%llx %llx %255s", &start, &size, name) == 3 && start == addr && strcmp(name, func) == 0)
            found = true;
    if (f)
        fclose(f);
    return found;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: load_jit_swap OLD NEW FUNC PERFMAP\n");
        return 2;
    }
    setenv("KEEL_GDB_JIT", "1", 1);
    keel_error err = {0};
    if (keel_perf_map_open(argv[4], &err))
        return fail("perf map", err.msg);
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    keel_object *old = NULL, *nw = NULL;
    if (!ns || keel_load_file(ns, argv[1], &old, &err))
        return fail("load", err.msg);
    struct jit_descriptor *d = &__jit_debug_descriptor;
    struct jit_code_entry *e_old = d->first_entry;
    uintptr_t a_old = (uintptr_t)keel_symbol(ns, argv[3]);
    if (!e_old || e_old->next_entry || !a_old)
        return fail("OLD loaded, one entry, FUNC found", NULL);
    keel_input in = {.path = argv[2]};
    if (keel_swap(ns, &old, 1, &in, 1, NULL, &nw, &err))
        return fail("swap", err.msg);
    uintptr_t a_new = (uintptr_t)keel_symbol(ns, argv[3]);
    if (!a_new || a_new == a_old)
        return fail("FUNC at a new address after the swap", NULL);
    size_t n = 0;
    bool has_old = false;
    struct jit_code_entry *last = NULL;
    for (struct jit_code_entry *e = d->first_entry; e; e = e->next_entry, n++) {
        has_old |= e == e_old;
        last = e;
    }
    if (n != 2 || !has_old)
        return fail("GDB's JIT list: the retired object's entry kept, the new one's added", NULL);
    if (d->action_flag != 1 || d->relevant_entry == e_old || !last)
        return fail("the new object registered last (JIT_REGISTER_FN)", NULL);
    if (!named(argv[4], a_old, argv[3]))
        return fail("perf map: FUNC named at the retired address", NULL);
    if (!named(argv[4], a_new, argv[3]))
        return fail("perf map: FUNC named at the new address", NULL);
    printf("ok: %s at %#lx (retired) and %#lx, both named\n", argv[3], (unsigned long)a_old, (unsigned long)a_new);
    return 0;
}
