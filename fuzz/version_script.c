/*
 * libFuzzer target for the version-script and dynamic-list reader
 * (lib/link/version_script.c) and the matching (version_match.c): the
 * input's first byte picks a version script (even) or a dynamic list
 * (odd); the rest is one to three files separated by a line "%%next"
 * (so duplicate tags, parents and cross-file checks are reached), read in
 * order into one script; then a few names are matched against it, the
 * script's own patterns among them.
 *
 * Seeds: fuzz/version_script_seeds.sh CORPUS; fuzz/seeds/version_script/
 * keeps every input that ever made this target fail.
 *
 * Memory errors are caught by ASan/UBSan; a broken promise (a failure
 * without a message) aborts, so libFuzzer keeps the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/version_script.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    if (!sink)
        sink = fopen("/dev/null", "w");
    const char *text = (const char *)data + 1, *end = text + (size - 1);
    lk_arena a = {0};
    keel_error err = {0};
    lk_vscript vs;
    lk_vs_init(&vs, &a, &err, data[0] & 1);
    static const char sep[] = "\n%%next\n";
    static const char *const files[] = {"one.map", "two.map", "three.map"};
    int rc = 0;
    for (int i = 0; i < 3 && !rc && text <= end; i++) {
        const char *next = i < 2 ? memmem(text, (size_t)(end - text), sep, sizeof sep - 1) : NULL;
        size_t len = (size_t)((next ? next : end) - text);
        rc = lk_vs_read_text(&vs, files[i], text, len);
        if (rc && !err.msg[0]) {
            fprintf(stderr, "version script reader broke its promise: failed (%d) without a message\n", rc);
            abort();
        }
        if (!next)
            break;
        text = next + sizeof sep - 1;
    }
    if (!rc) {
        if (sink)
            lk_vs_print(&vs, sink);
        static const char *const names[] = {"foo", "bar", "_ZN2ns1fEi", "main", "", "*"};
        lk_vmatch m;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
            (void)lk_vs_match(&vs, names[i], &m);
            (void)lk_vs_listed(&vs, names[i]);
        }
        for (size_t i = 0; i < vs.n && i < 4; i++)
            for (size_t k = 0; k < vs.nodes[i]->npats && k < 4; k++)
                (void)lk_vs_match(&vs, vs.nodes[i]->pats[k].pattern, &m);
    }
    lk_arena_free(&a);
    return 0;
}
