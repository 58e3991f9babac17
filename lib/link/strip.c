/* What the output's symbol table and debugging sections keep: GNU ld's
 * -s (--strip-all), -S (--strip-debug), -x (--discard-all), -X
 * (--discard-locals), --discard-none, and its default, which drops the
 * temporary local symbols of merged sections only (their strings move
 * when merged, so such a label would name nothing useful). */
#include <ctype.h>
#include <string.h>

#include "internal.h"
#include "../elfdefs.h"

bool lk_debug_section(const char *name)
{
    /* the sections BFD marks SEC_DEBUGGING by name */
    static const char *const prefixes[] = {".debug", ".zdebug", ".gnu.debuglto_.debug_", ".gnu.linkonce.wi.",
                                           ".line",  ".stab"};
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (strncmp(name, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return strcmp(name, ".gdb_index") == 0;
}

bool lk_strip_section(const lk_link *l, const char *name)
{
    return (l->opt->strip_all || l->opt->strip_debug) && lk_debug_section(name);
}

/* A temporary label, as BFD's ELF backends tell one (bfd_is_local_label_name):
 * .L..., ..., _.L_..., and the assembler's numbered labels L<digits>^A or ^B. */
static bool temporary(const char *name)
{
    if ((name[0] == '.' && (name[1] == 'L' || name[1] == '.')) || strncmp(name, "_.L_", 4) == 0)
        return true;
    if (name[0] != 'L' || !isdigit((unsigned char)name[1]))
        return false;
    for (name++; isdigit((unsigned char)*name); name++)
        ;
    return *name == 1 || *name == 2;
}

bool lk_keep_local(const lk_link *l, const lk_file *f, const keel_sym *d, const char *name)
{
    if (KEEL_ST_TYPE(d->info) == STT_FILE)
        return l->opt->discard != KEEL_DISCARD_ALL;
    switch (l->opt->discard) {
    case KEEL_DISCARD_ALL: return false;
    case KEEL_DISCARD_NONE: return true;
    case KEEL_DISCARD_LOCALS: return !temporary(name);
    case KEEL_DISCARD_SEC_MERGE:
    default: {
        keel_shdr sh;
        if (!temporary(name) || d->shndx == 0 || d->shndx >= f->elf.shnum ||
            keel_elf_shdr(&f->elf, d->shndx, &sh, NULL))
            return true;
        return !(sh.flags & SHF_MERGE);
    }
    }
}
