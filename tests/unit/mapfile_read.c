/* The mapfile reader (lib/link/mapfile_*.c) on its own: reads the
 * mapfiles named, in order, and prints the records in their canonical
 * text form (mf_print) on stdout; the reader's error on stderr and exit 1
 * if reading fails.  tests/mapfile_read.t compares the output with text
 * worked out by hand from the notes.
 *
 *   mapfile_read [-32] [-machine N] [-kind rel|exec|dyn] PATH...
 *
 * -machine N: the names of e_machine N's target (lib/arch), "_x86" for 3
 * (i386, which has none), none for another.  Defaults: ELF64, x86-64, an
 * executable (what keel link writes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../lib/arch/arch.h"
#include "../../lib/link/mapfile.h"

int main(int argc, char **argv)
{
    mf_target t = {.elfclass = 2, .machine = ka_arch_for(62)->mapfile_names, .etype = 2};
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-32"))
            t.elfclass = 1;
        else if (!strcmp(argv[i], "-machine") && i + 1 < argc) {
            uint16_t m = (uint16_t)strtoul(argv[++i], NULL, 0);
            const ka_arch *arch = ka_arch_for(m);
            t.machine = arch ? arch->mapfile_names : m == 3 ? "_x86" : NULL;
        } else if (!strcmp(argv[i], "-kind") && i + 1 < argc) {
            const char *k = argv[++i];
            t.etype = !strcmp(k, "rel") ? 1 : !strcmp(k, "dyn") ? 3 : 2;
        } else {
            fprintf(stderr, "usage: mapfile_read [-32] [-machine N] [-kind rel|exec|dyn] PATH...\n");
            return 2;
        }
    }
    lk_arena a = {0};
    keel_error err = {0};
    mf_reader *r = mf_reader_new(&a, &t, &err);
    int rc = r ? 0 : 1;
    for (; i < argc && !rc; i++)
        rc = mf_read_path(r, argv[i]);
    if (!rc)
        rc = mf_finish(r);
    if (rc || !r) {
        fprintf(stderr, "%s\n", r ? err.msg : "out of memory");
        lk_arena_free(&a);
        return 1;
    }
    size_t n;
    const mf_directive *d = mf_directives(r, &n);
    mf_print(stdout, d, n);
    lk_arena_free(&a);
    return 0;
}
