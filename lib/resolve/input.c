/* The parsed input both parts build on: one reading of a relocatable
 * object's header, section table and symbol table, with the checks the
 * link-editor and the loader both need before anything is sized from the
 * file, in the link-editor's words (GNU ld's where it has them). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
#include "resolve.h"

/* A message the reader's formatter cannot write (it knows %s, %U, %X):
 * printed here, then set. */
static int failf(keel_error *err, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int failf(keel_error *err, int code, const char *fmt, ...)
{
    char msg[KEEL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return keel_error_set(err, code, 0, "%s", msg);
}

/* "file: " and the reader's message */
static int fail(const kr_input_file *f, const keel_error *e, keel_error *err)
{
    return keel_error_set(err, e->code, e->offset, "%s: %s", f->name, e->msg);
}

int kr_input_open(kr_input_file *f, const uint8_t *data, size_t size, keel_error *err)
{
    keel_error e;
    if (keel_elf_open(&f->elf, data, size, &e))
        return fail(f, &e, err);
    if (f->elf.type != ET_REL)
        return failf(err, KEEL_E_FORMAT, "%s: not a relocatable object (ELF type %u)", f->name, f->elf.type);
    return 0;
}

static const char *name_or_what(const char *name) { return name && *name ? name : "?"; }

/* The members of a group section, for each member's `group`: a bad group
 * is kr_comdat's to report, in its words. */
static void attach_group(kr_input_file *f, uint32_t i)
{
    keel_group g;
    if (keel_elf_group(&f->elf, i, &g, NULL))
        return;
    for (uint32_t k = 0; k < g.count; k++) {
        uint32_t m = keel_group_member(&g, k);
        if (m > 0 && m < f->nsections && !f->sections[m].group)
            f->sections[m].group = i;
    }
}

int kr_input_sections(kr_input_file *f, kr_alloc_fn alloc, void *actx, kr_section_check_fn check, void *cctx,
                      keel_error *err)
{
    keel_error e;
    uint32_t n = f->elf.shnum;
    /* shnum is a uint32_t and a header is 64 bytes of the file at least:
     * the product cannot wrap a size_t */
    kr_input_section *v = alloc(actx, ((size_t)n + 1) * sizeof *v);
    if (!v)
        return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
    memset(v, 0, ((size_t)n + 1) * sizeof *v);
    f->sections = v;
    f->nsections = n;
    f->has_symtab = false;
    for (uint32_t i = 1; i < n; i++) {
        keel_shdr sh;
        if (keel_elf_shdr(&f->elf, i, &sh, &e))
            return fail(f, &e, err);
        kr_input_section *s = &v[i];
        const char *name = NULL;
        if (keel_elf_section_name(&f->elf, &sh, &name, NULL))
            name = NULL;
        *s = (kr_input_section){.file = (kr_input_file *)f,
                                .name = name,
                                .flags = sh.flags,
                                .size = sh.size,
                                .align = sh.addralign,
                                .offset = sh.offset,
                                .index = i,
                                .type = sh.type,
                                .link = sh.link,
                                .info = sh.info,
                                .relocs = s->relocs,
                                .group = s->group};
        int rc = check ? check(cctx, s, err) : 0;
        if (rc)
            return rc;
        /* every section's bytes inside the file (SHT_NOBITS has none),
         * checked before anything is sized from them: a size past the end
         * (a truncated or hostile object) is an error here, never memory
         * reserved at that size and a late "cut short" */
        if (sh.type != SHT_NOBITS && sh.type != SHT_NULL) {
            if (sh.offset > f->elf.size || sh.size > f->elf.size - sh.offset)
                return failf(err, KEEL_E_TRUNCATED,
                             "%s: section %s (%u): offset 0x%llx and size 0x%llx extend past the "
                             "end of the file (0x%llx bytes)",
                             f->name, name_or_what(name), i, (unsigned long long)sh.offset, (unsigned long long)sh.size,
                             (unsigned long long)f->elf.size);
            s->data = f->elf.data + sh.offset;
        }
        s->cls = (uint8_t)kr_section_class(name ? name : "", sh.type, sh.flags);
        s->names = (uint8_t)(!name                            ? 0
                             : strncmp(name, ".gnu", 4) == 0  ? KR_NAME_GNU
                             : strncmp(name, ".note", 5) == 0 ? KR_NAME_NOTE
                                                              : 0);
        /* a relocation section names its target; a bad sh_info is each
         * part's to report, where it reads the relocations */
        if ((sh.type == SHT_RELA || sh.type == SHT_REL) && sh.info > 0 && sh.info < n && sh.info != i &&
            !v[sh.info].relocs)
            v[sh.info].relocs = i;
        if (sh.type == SHT_SYMTAB && !f->has_symtab) {
            if (keel_elf_symtab(&f->elf, i, &f->symtab, &e))
                return fail(f, &e, err);
            /* sh_info, the first global: past the end it would hide every
             * global (and the entry symbol would be "missing") */
            if (f->symtab.first_global > f->symtab.count)
                return failf(err, KEEL_E_INDEX,
                             "%s: symbol table %s (%u): sh_info %u, its first global symbol, is "
                             "past its %llu symbols",
                             f->name, name_or_what(name), i, f->symtab.first_global,
                             (unsigned long long)f->symtab.count);
            f->has_symtab = true;
        }
    }
    for (uint32_t i = 1; i < n; i++)
        if (v[i].type == SHT_GROUP)
            attach_group(f, i);
    return 0;
}
