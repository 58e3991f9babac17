/* A -no-pie executable's writable address-sized words against a shared
 * library's symbol (`void *tab[] = {&environ, &stdout, puts};` in non-PIC
 * code).  ld.bfd binds such a word by the symbol (R_X86_64_64) unless the
 * symbol gets a copy relocation or a canonical PLT entry anywhere in the
 * link; then the word holds the copy's (the entry's) address, with no
 * relocation, like the code's references.  Which symbols get one is known
 * only when the scan has read every relocation, and the word may come
 * first: the scan counts the word (nsdata) and notes its symbol here, and
 * before .rela.dyn is sized the words a copy took are uncounted; the write
 * pass then gives them no relocation (lk_import_static_word). */
#include "dyn.h"

int lk_import_note_word(lk_link *l, lk_sym *s)
{
    lk_dyn *d = l->dyn;
    if (!(d->wordsyms = lk_grow(&l->arena, d->wordsyms, d->nwordsyms, &d->capwordsyms, sizeof *d->wordsyms, 32)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    d->wordsyms[d->nwordsyms++] = s;
    return 0;
}

void lk_import_settle_words(lk_link *l)
{
    lk_dyn *d = l->dyn;
    for (size_t i = 0; i < d->nwordsyms; i++)
        if (d->wordsyms[i]->import_at && d->nsdata)
            d->nsdata--;
    d->nwordsyms = 0; /* (once) */
}
