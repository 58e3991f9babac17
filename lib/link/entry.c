/* The entry point, by ld.bfd's rules (ldlang.c, lang_end): the entry
 * symbol (-e, else _start) if it is defined; else -e's text read as a
 * hexadecimal address (bfd_scan_vma, base 16: "-e 1000" is 0x1000);
 * else, with a warning, the start of .text, and without .text no entry
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
    if (l->opt->entry) { /* a number: hexadecimal, 0x optional */
        const char *digits = entry[0] == '0' && (entry[1] == 'x' || entry[1] == 'X') ? entry + 2 : entry;
        char *end;
        unsigned long long v = strtoull(digits, &end, 16);
        if (*digits && *digits != '-' && *digits != '+' && !*end) {
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
