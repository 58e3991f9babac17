/* -z nocopyreloc: an executable's reference to a shared library's data
 * that would have made a copy in the executable (dyn_import.c) is left to
 * the dynamic linker instead, as ld.bfd does: a dynamic relocation of the
 * reference's own type (R_X86_64_PC32, R_X86_64_32...) by the symbol, at
 * its place.  In a read-only section that is a text relocation: ld.bfd's
 * warning, then in a PIE "creating DT_TEXTREL" (-z text: its error), and
 * in a -no-pie executable its "can not be used when making a PDE object"
 * error.  (A PC-relative field so bound overflows at run time unless the
 * library is within 2 GiB: ld.bfd's output fails there alike.) */
#include <string.h>

#include "dyn.h"
#include "dso.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

/* NAME@@VERSION, as ld.bfd names an import in these messages */
static const char *versioned(lk_link *l, const lk_sym *s)
{
    const lk_dso *d = s->dso;
    keel_sym sym;
    keel_symver sv;
    if (!d || !d->has_dynsym || keel_symtab_get(&d->dynsym, s->dso_index, &sym, NULL) ||
        keel_versions_get(&d->vers, s->dso_index, &sym, &sv, NULL) || !sv.name || sv.index < 2)
        return s->name;
    size_t n = strlen(s->name), m = strlen(sv.name);
    char *out = lk_alloc(&l->arena, n + m + 3);
    if (!out)
        return s->name;
    memcpy(out, s->name, n);
    memcpy(out + n, sv.kind == KEEL_VER_HIDDEN ? "@" : "@@", 3);
    memcpy(out + n + (sv.kind == KEEL_VER_HIDDEN ? 1 : 2), sv.name, m + 1);
    return out;
}

int lk_nocopy_scan(lk_link *l, lk_file *f, const ka_howto *h, uint32_t target, lk_sym *s)
{
    lk_dyn *d = l->dyn;
    const lk_osec *o = f->out[target];
    if (!(o->flags & SHF_WRITE) && !d->textrel) { /* (a PIE's text relocations: one warning, as ld.bfd's) */
        const char *name = versioned(l, s), *sec = f->sections[target].name ? f->sections[target].name : "?";
        lk_diag(l, KEEL_DIAG_WARNING, "%s: warning: relocation against `%s' in read-only section `%s'", f->name, name,
                sec);
        if (d->fixed)
            return lk_fail(l, KEEL_E_UNSUPPORTED,
                           "%s: relocation %s against symbol `%s' can not be used when making a PDE object; "
                           "recompile with -fPIE",
                           f->name, h->name, name);
        if (l->opt->z_text)
            return lk_fail(l, KEEL_E_UNSUPPORTED, "read-only segment has dynamic relocations");
        lk_diag(l, KEEL_DIAG_WARNING, "warning: creating DT_TEXTREL in a PIE");
        d->textrel = true;
    }
    lk_sym *strong = lk_import_strong_alias(l, s);
    if (!s->dynsym)
        s->dynsym = UINT32_MAX; /* wanted in .dynsym, and its strong alias (ld.bfd's weakdef) */
    if (strong && !strong->dynsym)
        strong->dynsym = UINT32_MAX;
    if (strong && s->ref_strong) /* (referenced as its alias is: global in .dynsym) */
        strong->ref_strong = true;
    d->nsdata++;
    return 0;
}

bool lk_nocopy_word(lk_link *l, lk_file *f, uint64_t symi, const ka_howto *h, uint32_t type, uint64_t place,
                    int64_t addend, bool writable)
{
    lk_sym *s = lk_dyn_global(l, f, symi);
    if (!lk_import_copies(l, s, h, writable))
        return false;
    lk_dyn_srel_push(l, (lk_dynsymrel){place, s, addend, type}); /* (the write pass's helper thread too) */
    return true;
}
