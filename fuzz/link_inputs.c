/*
 * libFuzzer target for the link-editor's input side (lib/link): the input
 * joins a link as a relocatable object, or as an archive whose index is
 * searched (GNU ld's rules) after a first object made some names undefined.
 * When the first byte is odd the input is split in two (at a second ELF
 * header, or at a point its second byte gives) and both halves join, the
 * second as an object or an archive, so that symbol resolution between
 * inputs (strong, weak, common, COMDAT, multiple definitions) is reached.
 *
 * Memory errors are caught by ASan/UBSan; an error without a message
 * aborts here, so libFuzzer keeps the input.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "link/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int rc, const keel_error *err)
{
    if (rc && !err->msg[0]) {
        fprintf(stderr, "keel link: an error (%d) without a message\n", rc);
        abort();
    }
}

static int join(lk_link *l, const char *name, const uint8_t *p, size_t n)
{
    if (keel_is_archive(p, n)) {
        lk_archive *a;
        bool taken = false;
        int rc = lk_open_archive(l, name, p, n, 0, &a);
        return rc ? rc : lk_scan_archive(l, a, &taken);
    }
    return lk_add_object(l, name, NULL, p, n, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    keel_link_options opt = {0};
    keel_error err = {0};
    lk_link l = {.opt = &opt, .err = &err};
    size_t cut = size;
    if (size > 2 && (data[0] & 1)) {
        const uint8_t *second = memmem(data + 1, size - 1, "\177ELF", 4);
        cut = second ? (size_t)(second - data) : 1 + (size_t)data[1] * size / 256;
        if (cut >= size)
            cut = size / 2;
    }
    /* copies, so that ASan sees each input's end */
    uint8_t *a = malloc(cut ? cut : 1), *b = malloc(size - cut ? size - cut : 1);
    if (!a || !b)
        abort();
    memcpy(a, data, cut);
    memcpy(b, data + cut, size - cut);
    int rc = join(&l, "first.o", a, cut);
    check_error(rc, &err);
    if (!rc && cut < size) {
        rc = join(&l, "second", b, size - cut);
        check_error(rc, &err);
    }
    /* every symbol the link knows is well formed */
    for (size_t i = 0; i < l.syms.cap; i++) {
        const lk_sym *s = l.syms.v ? l.syms.v[i] : NULL;
        if (s && (strlen(s->name) > size || s->state > LK_DEFINED))
            abort();
    }
    free(l.archives);
    free(l.maps);
    lk_arena_free(&l.arena);
    free(a);
    free(b);
    return 0;
}
