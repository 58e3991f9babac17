/* The pass "scan relocations": every relocation of a linked section is
 * read once, before addresses exist, and what each symbol needs is
 * recorded -- a GOT slot, an IPLT entry -- so that the synthetic sections
 * can be sized (layout.c's lk_place_synthetic) and the write pass only
 * reads the decisions. */
#include "internal.h"

int lk_scan_relocs(lk_link *l)
{
    size_t ngot = 0;
    int rc = lk_count_got(l, &ngot);
    if (rc)
        return rc;
    l->ngot = ngot;
    return lk_collect_ifuncs(l);
}
