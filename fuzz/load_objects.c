/*
 * libFuzzer target for the runtime loader: load the input as a relocatable
 * object (or an archive) from memory into an inert namespace
 * (KEEL_NS_INERT: sections are mapped and relocated but nothing loaded is
 * ever executed, no constructors, no frame registration; no host fallback,
 * so the host's symbols are never bound).  When the first byte is odd, the
 * input is also split in two, where a second ELF header starts or else at a
 * point taken from its second byte, and the halves are loaded as one batch
 * with mutual references.  A load that succeeds is walked through the
 * lookup API: every object's sections, each section's first and last byte
 * looked up again with keel_section_at, text sections as (never called)
 * functions, dependency edges both ways, the symbols the section names
 * suggest, a few fixed names and prefixes.
 *
 * Seeds: fuzz/load_objects_seeds.sh CORPUS writes small self-contained
 * objects (gcc and clang, PIC, PIE and non-PIC, function sections, TLS,
 * COMDAT, two objects with mutual references end to end, an archive).
 *
 * Memory errors are caught by ASan/UBSan; a broken promise of the API (a
 * failed load without a message, a section_at answer that is not the
 * section, an edge to nowhere) aborts here, so libFuzzer keeps the input.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <keel/load.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void broke(const char *what, const char *detail)
{
    fprintf(stderr, "keel loader broke a promise: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

/* Touch every byte of a string the API returned (ASan checks it). */
static size_t touch(const char *s) { return s ? strlen(s) : 0; }

static void check_edges(const keel_ns *ns, const keel_dep *deps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!deps[i].section)
            broke("a dependency edge without a section", NULL);
        touch(keel_section_name(deps[i].section));
        uint64_t off;
        /* the other end is a live section of this namespace (or a parent) */
        (void)keel_section_at(ns, keel_section_addr(deps[i].section), &off);
        (void)deps[i].type;
        (void)deps[i].offset;
        (void)deps[i].addend;
    }
}

static void walk_section(const keel_ns *ns, const keel_object *o, const keel_section *s)
{
    if (keel_section_object(s) != o)
        broke("a section's object is not the object that lists it", keel_section_name(s));
    const char *name = keel_section_name(s);
    touch(name);
    char buf[256];
    touch(keel_section_name_without_hash(s, buf, sizeof buf));
    int type = keel_section_type(s);
    if (type < KEEL_SEC_TEXT || type > KEEL_SEC_FINI_ARRAY)
        broke("a section type out of range", name);
    (void)keel_section_global(s);
    uintptr_t addr = keel_section_addr(s);
    uint64_t size = keel_section_size(s);
    if (size > 0 && type != KEEL_SEC_TLS_DATA && type != KEEL_SEC_TLS_BSS) {
        uint64_t off = 1;
        const keel_section *at = keel_section_at(ns, addr, &off);
        if (at != s || off != 0)
            broke("keel_section_at of a section's start is not that section", name);
        at = keel_section_at(ns, addr + size - 1, &off);
        if (at != s || off != size - 1)
            broke("keel_section_at of a section's last byte is not that section", name);
    }
    if (type == KEEL_SEC_TEXT && size > 0) {
        void *fn = NULL;
        keel_error err = {0};
        /* checked, never called */
        if (keel_section_function(s, 0, &fn, &err) != 0 && !err.msg[0])
            broke("keel_section_function failed without a message", name);
#ifndef KEEL_FUZZ_NO_PAST_END /* -D it to fuzz past a crash in this error path */
        if (keel_section_function(s, size, &fn, &err) == 0)
            broke("keel_section_function accepted an offset past the end", name);
#endif
    }
    const keel_dep *deps;
    size_t n = keel_section_deps(s, &deps);
    check_edges(ns, deps, n);
    n = keel_section_dependents(s, &deps);
    check_edges(ns, deps, n);
    /* -ffunction-sections names hold the symbol: ".text.foo" gives "foo" */
    if (name && name[0] && name[0] != '.')
        (void)keel_symbol(ns, name);
}

static void walk_ns(const keel_ns *ns)
{
    static const char *const names[] = {"main", "foo", "_start", "__dso_handle", "", "f"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        (void)keel_symbol(ns, names[i]);
    void *addr;
    keel_error err = {0};
    if (keel_symbol_prefix(ns, "", &addr, &err) != 0 && !err.msg[0])
        broke("keel_symbol_prefix failed without a message", NULL);
    err.msg[0] = 0;
    if (keel_symbol_prefix(ns, "m", &addr, &err) != 0 && !err.msg[0])
        broke("keel_symbol_prefix failed without a message", NULL);
    uint64_t off;
    (void)keel_section_at(ns, 0, &off);
    (void)keel_section_at(ns, UINTPTR_MAX, &off);
    for (const keel_object *o = keel_ns_next_object(ns, NULL); o; o = keel_ns_next_object(ns, o)) {
        touch(keel_object_name(o));
        const keel_section *const *secs;
        size_t n = keel_object_sections(o, &secs);
        for (size_t i = 0; i < n; i++)
            walk_section(ns, o, secs[i]);
    }
}

static void load(const keel_input *inputs, size_t count)
{
    keel_error err = {0};
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_INERT, &err);
    if (!ns) {
        if (!err.msg[0])
            broke("keel_ns_create failed without a message", NULL);
        return;
    }
    keel_object *first = NULL;
    memset(&err, 0, sizeof err);
    if (keel_load(ns, inputs, count, &first, &err) == 0) {
        /* an archive whose members nobody needs loads nothing */
        if (!first && keel_ns_next_object(ns, NULL))
            broke("a load succeeded without naming its first object", NULL);
        walk_ns(ns);
    } else {
        if (!err.msg[0])
            broke("a load failed without a message", NULL);
        if (keel_ns_next_object(ns, NULL))
            broke("a failed load left an object in the namespace", err.msg);
    }
    keel_ns_destroy(ns);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keel_input one = {.path = "fuzz.o", .data = data, .size = size};
    load(&one, 1);
    if (size >= 2 && (data[0] & 1)) {
        /* a batch of two: split where a second ELF header starts (the seeds
         * of two objects with mutual references are two files end to end),
         * else at a point the second byte picks */
        size_t cut = (size_t)data[1] * size / 256;
        const uint8_t *second = size > 4 ? memmem(data + 4, size - 4, "\177ELF", 4) : NULL;
        if (second)
            cut = (size_t)(second - data);
        keel_input two[2] = {
            {.path = "fuzz-a.o", .data = data, .size = cut},
            {.path = "fuzz-b.o", .data = data + cut, .size = size - cut},
        };
        load(two, 2);
    }
    return 0;
}
