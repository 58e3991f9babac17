/* What GNU ld refuses in a dynamic output that the scan asks of a
 * relocation's symbol (dyn_scan.c words the errors). */
#include "dyn.h"

/* An undefined global, weak or not, that the link-editor does not define
 * itself: no narrow absolute field (R_X86_64_32) can hold its address in
 * a position-independent output, where ld.bfd says "against undefined
 * symbol ... recompile with -fPIE" even for a weak one. */
bool lk_dyn_undefined(lk_link *l, lk_file *f, uint64_t symi)
{
    lk_sym *s = lk_dyn_global(l, f, symi);
    uint64_t v;
    return s && !s->defsym && (s->state == LK_UNDEF || s->state == LK_UNDEF_WEAK) && !lk_linker_value(l, s->name, &v);
}
