/*
 * libFuzzer target for the mapfile reader (lib/link/mapfile_*.c): the
 * input's first byte picks the output the conditionals see (class,
 * machine, kind); the rest is one to three mapfiles separated by a line
 * "%%next" (so $add carried across files, criteria names and segment
 * kinds checked across files, a $if left open at a file's end are
 * reached), read in order, checked by mf_finish and printed.
 *
 * Seeds: fuzz/mapfile_reader_seeds.sh CORPUS writes the notes' examples
 * and mapfiles with every directive, attribute and control directive;
 * fuzz/seeds/mapfile_reader/ keeps every input that ever made this target
 * fail (fuzz/run.sh copies both into the corpus).
 *
 * Memory errors are caught by ASan/UBSan; a broken promise (a failure
 * without a "FILE: ..." message, records after a failure) aborts, so
 * libFuzzer keeps the input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/mapfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size)
        return 0;
    if (!sink)
        sink = fopen("/dev/null", "w");
    static const char *const machines[] = {"_x86 _x86_64", "_x86", "", NULL};
    mf_target t = {.elfclass = (data[0] & 1) ? 1 : 2,
                   .machine = machines[(data[0] >> 1) & 3],
                   .etype = (uint16_t)(1 + (data[0] >> 3) % 3)};
    const char *text = (const char *)data + 1, *end = text + (size - 1);
    lk_arena a = {0};
    keel_error err = {0};
    mf_reader *r = mf_reader_new(&a, &t, &err);
    if (!r)
        abort();
    static const char sep[] = "\n%%next\n";
    static const char *const names[] = {"one.map", "two.map", "three.map"};
    int rc = 0;
    for (int i = 0; i < 3 && !rc && text <= end; i++) {
        const char *next = i < 2 ? memmem(text, (size_t)(end - text), sep, sizeof sep - 1) : NULL;
        size_t len = (size_t)((next ? next : end) - text);
        rc = mf_read_text(r, names[i], text, len);
        if (rc && strncmp(err.msg, names[i], strlen(names[i])) != 0) {
            fprintf(stderr, "mapfile reader broke its promise: error without its file: rc %d \"%s\"\n", rc, err.msg);
            abort();
        }
        if (!next)
            break;
        text = next + sizeof sep - 1;
    }
    if (!rc)
        rc = mf_finish(r);
    if (rc && !err.msg[0]) {
        fprintf(stderr, "mapfile reader broke its promise: failed (%d) without a message\n", rc);
        abort();
    }
    size_t n;
    const mf_directive *d = mf_directives(r, &n);
    if (!rc && sink)
        mf_print(sink, d, n);
    lk_arena_free(&a);
    return 0;
}
