/* COMDAT: the first copy of a group (by its signature) or of a
 * .gnu.linkonce.* section (by its whole name, the COMDAT of before
 * groups) is kept; a later copy is dropped with everything in it, as by
 * ld.bfd's _bfd_elf_section_already_linked.  A group's member is never
 * matched as linkonce.  The names a dropped copy defines resolve to the
 * kept copy's (the callers' resolution). */
#include <string.h>

#include "../elfdefs.h"
#include "resolve.h"

/* secs: the section table as kr_input_sections read it, or NULL (each
 * header is read here then): a link-editor asks of every section of
 * every object, and the name table was read once already. */
static int groups(const keel_elf *elf, const kr_input_section *secs, const keel_symtab *symtab, bool *dropped,
                  kr_claim_fn claim, void *ctx, keel_error *err)
{
    keel_error e;
    for (uint32_t i = 1; i < elf->shnum; i++) {
        keel_shdr sh;
        keel_group g;
        keel_sym sym;
        const char *sig;
        if (secs) {
            sh.type = secs[i].type;
            sh.info = secs[i].info;
        } else if (keel_elf_shdr(elf, i, &sh, &e))
            return keel_error_set(err, e.code, e.offset, "%s", e.msg);
        if (sh.type != SHT_GROUP)
            continue;
        if (keel_elf_group(elf, i, &g, &e))
            return keel_error_set(err, e.code, e.offset, "%s", e.msg);
        if (!(g.flags & GRP_COMDAT) || !symtab)
            continue;
        if (keel_symtab_get(symtab, sh.info, &sym, &e) || keel_symtab_name(symtab, &sym, &sig, &e))
            return keel_error_set(err, e.code, e.offset, "group section %U: %s", (uint64_t)i, e.msg);
        int taken = claim(ctx, sig, false, i);
        if (taken < 0)
            return taken;
        for (uint32_t k = 0; taken && k < g.count; k++) {
            uint32_t m = keel_group_member(&g, k);
            if (m < elf->shnum)
                dropped[m] = true;
        }
    }
    return 0;
}

static int comdat(const keel_elf *elf, const kr_input_section *secs, const keel_symtab *symtab, bool *dropped,
                  kr_claim_fn claim, void *ctx, keel_error *err)
{
    int rc = groups(elf, secs, symtab, dropped, claim, ctx, err);
    if (rc)
        return rc;
    keel_error e;
    for (uint32_t i = 1; i < elf->shnum; i++) {
        keel_shdr sh;
        const char *name;
        if (secs && secs[i].name) { /* (no name: read again, for the reader's message) */
            if (!(secs[i].names & KR_NAME_GNU))
                continue; /* (not .gnu.linkonce.*: its name not read) */
            name = secs[i].name;
            sh.flags = secs[i].flags;
        } else if (keel_elf_shdr(elf, i, &sh, &e) || keel_elf_section_name(elf, &sh, &name, &e))
            return keel_error_set(err, e.code, e.offset, "section %U: %s", (uint64_t)i, e.msg);
        if (strncmp(name, ".gnu.linkonce.", 14) != 0 || (sh.flags & SHF_GROUP) || dropped[i])
            continue;
        int taken = claim(ctx, name, true, i);
        if (taken < 0)
            return taken;
        dropped[i] = taken;
    }
    return 0;
}

int kr_comdat(const keel_elf *elf, const keel_symtab *symtab, bool *dropped, kr_claim_fn claim, void *ctx,
              keel_error *err)
{
    return comdat(elf, NULL, symtab, dropped, claim, ctx, err);
}

int kr_comdat_in(const kr_input_file *f, bool *dropped, kr_claim_fn claim, void *ctx, keel_error *err)
{
    return comdat(&f->elf, f->sections, f->has_symtab ? &f->symtab : NULL, dropped, claim, ctx, err);
}
