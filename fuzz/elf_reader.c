/*
 * libFuzzer target for the ELF reader: walk everything the API offers over
 * the input as an ELF file, and, when it has the ar magic, as an archive
 * (members, each ELF member, the symbol table).  See walk.h.
 *
 * Memory errors are caught by ASan/UBSan; broken API promises (a pointer
 * outside the input, an empty message, an unknown status) abort here, so
 * libFuzzer keeps the input as a crash.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "walk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const walk *w, const char *as)
{
    if (!w->violation)
        return;
    fprintf(stderr, "keel reader broke a promise (walking the input as %s): %s\n", as, w->violation);
    if (w->rc)
        fprintf(stderr, "first error: %s (code %d, offset 0x%llx)\n", w->first.msg, w->rc,
                (unsigned long long)w->first.offset);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    walk w;
    walk_init(&w, data, size);
    walk_elf(&w);
    check(&w, "an ELF file");
    if (keel_is_archive(data, size)) {
        walk_init(&w, data, size);
        walk_archive(&w);
        check(&w, "an archive");
    }
    return 0;
}
