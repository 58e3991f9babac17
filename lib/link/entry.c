/* The entry point, by ld.bfd's rules (ldlang.c, lang_end): the entry
 * symbol (-e, else _start) if it is defined; else -e's text read as a
 * number as C reads it (bfd_scan_vma with base 0, which is strtoul on a
 * 64-bit host: "1000" decimal, "0x1000" hexadecimal, "010" octal, a sign
 * and leading blanks taken, "" is 0); else, with a warning, the start of .text, and without .text no entry
 * at all.  A missing _start is not an error: ld.bfd links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int lk_entry_address(lk_link *l, uint64_t *addr)
{
    const char *entry = l->opt->entry ? l->opt->entry : "_start";
    lk_sym *es = lk_sym_find(&l->syms, entry, lk_hash(entry));
    *addr = 0;
    if (es && (es->state == LK_DEFINED || es->state == LK_WEAK || es->defsym)) {
        uint64_t size;
        bool tls;
        return lk_global_value(l, es, addr, &size, &tls, NULL, 0);
    }
    if (l->opt->shared && !l->opt->entry)
        return 0;        /* a shared object without _start: no entry, and no word of it */
    if (l->opt->entry) { /* a number, all of it, as ld.bfd reads one */
        char *end;
        unsigned long long v = strtoull(entry, &end, 0);
        if (!*end) {
            *addr = v;
            return 0;
        }
    }
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            if (strcmp(l->segs[s]->secs[i]->name, ".text") == 0) {
                *addr = l->segs[s]->secs[i]->addr;
                lk_diag(l, KEEL_DIAG_WARNING, "warning: cannot find entry symbol %s; defaulting to %016llx", entry,
                        (unsigned long long)*addr);
                return 0;
            }
    lk_diag(l, KEEL_DIAG_WARNING, "warning: cannot find entry symbol %s; not setting start address", entry);
    return 0;
}
