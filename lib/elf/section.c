/* Sections: names, contents, string tables, groups, compression headers. */
#include "internal.h"

int keel_strtab_get(const keel_strtab *st, uint64_t index, const char **out, keel_error *err)
{
    if (index >= st->size) {
        if (index == 0) { /* an empty or missing table still names "" */
            *out = "";
            return 0;
        }
        return keel_error_set(err, KEEL_E_INDEX, st->offset, "string table at %X: index %U is past its end (size %U)",
                              st->offset, index, st->size);
    }
    if (!st->terminated && kl_strnlen(st->data + index, st->size - index) == st->size - index)
        return keel_error_set(err, KEEL_E_FORMAT, st->offset + index,
                              "string table at %X: string at index %U (at %X) is not NUL-terminated", st->offset, index,
                              st->offset + index);
    *out = st->data + index;
    return 0;
}

static void strtab_from(keel_strtab *st, const char *data, uint64_t size, uint64_t offset)
{
    st->data = data;
    st->size = size;
    st->offset = offset;
    st->terminated = size > 0 && data[size - 1] == 0;
}

int keel_elf_section_name(const keel_elf *e, const keel_shdr *sh, const char **name, keel_error *err)
{
    /* a name inside a terminated table: the table's own header (for its
     * offset, which only a message gives) is not read; a link-editor asks
     * this of every section of every input */
    if (sh->name < e->shstrtab_size && e->shstrtab[e->shstrtab_size - 1] == 0) {
        *name = e->shstrtab + sh->name;
        return 0;
    }
    keel_strtab st;
    uint64_t off = 0;
    if (e->shstrndx) {
        keel_shdr s;
        keel_elf_shdr(e, e->shstrndx, &s, NULL);
        off = s.offset;
    }
    strtab_from(&st, e->shstrtab, e->shstrtab_size, off);
    return keel_strtab_get(&st, sh->name, name, err);
}

int keel_elf_section_data(const keel_elf *e, const keel_shdr *sh, const uint8_t **data, uint64_t *size, keel_error *err)
{
    if (sh->type == KL_SHT_NOBITS || sh->type == KL_SHT_NULL) {
        *data = NULL;
        *size = 0;
        return 0;
    }
    if (!kl_in_bounds(sh->offset, sh->size, e->size))
        return keel_error_set(err, KEEL_E_RANGE, sh->offset,
                              "section at %X: size %U extends past the end of the file (%X)", sh->offset, sh->size,
                              e->size);
    *data = e->data + sh->offset;
    *size = sh->size;
    return 0;
}

uint32_t keel_elf_find_section(const keel_elf *e, const char *name)
{
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        const char *n;
        keel_elf_shdr(e, i, &sh, NULL);
        if (keel_elf_section_name(e, &sh, &n, NULL) == 0 && kl_streq(n, name))
            return i;
    }
    return 0;
}

int kl_check_link(const keel_elf *e, uint32_t from, uint32_t link, uint32_t type_a, uint32_t type_b, const char *what,
                  keel_error *err)
{
    uint64_t at = e->shoff + (uint64_t)from * e->shentsize + (keel_elf_is64(e) ? 40 : 24);
    if (link == from)
        return keel_error_set(err, KEEL_E_LINK, at, "section %U: sh_link (at %X) names the section itself",
                              (uint64_t)from, at);
    if (link >= e->shnum)
        return keel_error_set(err, KEEL_E_INDEX, at, "section %U: sh_link %U (at %X) is out of range (%U sections)",
                              (uint64_t)from, (uint64_t)link, at, (uint64_t)e->shnum);
    /* the target's sh_type alone (the whole header was read for it: this
     * is asked for every relocation section a link-editor reads) */
    uint32_t type = kl_u32(e->data + e->shoff + (uint64_t)link * e->shentsize + 4, kl_be(e));
    if (type != type_a && type != type_b)
        return keel_error_set(err, KEEL_E_LINK, at,
                              "section %U: sh_link %U (at %X) should name %s but names a section of type %X",
                              (uint64_t)from, (uint64_t)link, at, what, (uint64_t)type);
    return 0;
}

int keel_elf_strtab(const keel_elf *e, uint32_t index, keel_strtab *st, keel_error *err)
{
    keel_shdr sh;
    const uint8_t *p;
    uint64_t n;
    int rc = keel_elf_shdr(e, index, &sh, err);
    if (rc)
        return rc;
    if (sh.type != KL_SHT_STRTAB)
        return keel_error_set(err, KEEL_E_LINK, sh.offset,
                              "section %U at %X is linked as a string table but has type %X", (uint64_t)index,
                              sh.offset, (uint64_t)sh.type);
    if ((rc = keel_elf_section_data(e, &sh, &p, &n, err)))
        return rc;
    strtab_from(st, (const char *)p, n, sh.offset);
    return 0;
}

int keel_elf_chdr(const keel_elf *e, const keel_shdr *sh, keel_chdr *c, keel_error *err)
{
    const uint8_t *p;
    uint64_t n;
    bool be = kl_be(e);
    int rc = keel_elf_section_data(e, sh, &p, &n, err);
    if (rc)
        return rc;
    if (!(sh->flags & KL_SHF_COMPRESSED))
        return keel_error_set(err, KEEL_E_FORMAT, sh->offset, "section at %X is not compressed", sh->offset);
    uint64_t need = keel_elf_is64(e) ? 24 : 12;
    if (n < need)
        return keel_error_set(err, KEEL_E_TRUNCATED, sh->offset,
                              "compressed section at %X: %U bytes cannot hold its %U-byte header", sh->offset, n, need);
    c->type = kl_u32(p, be);
    if (keel_elf_is64(e)) {
        c->size = kl_u64(p + 8, be);
        c->addralign = kl_u64(p + 16, be);
    } else {
        c->size = kl_u32(p + 4, be);
        c->addralign = kl_u32(p + 8, be);
    }
    c->header_size = need;
    return 0;
}

int keel_elf_group(const keel_elf *e, uint32_t index, keel_group *g, keel_error *err)
{
    keel_shdr sh;
    const uint8_t *p;
    uint64_t n;
    int rc = keel_elf_shdr(e, index, &sh, err);
    if (rc)
        return rc;
    if (sh.type != KL_SHT_GROUP)
        return keel_error_set(err, KEEL_E_FORMAT, sh.offset, "section %U at %X is not a group", (uint64_t)index,
                              sh.offset);
    if ((rc = keel_elf_section_data(e, &sh, &p, &n, err)))
        return rc;
    if ((rc = kl_check_link(e, index, sh.link, KL_SHT_SYMTAB, KL_SHT_SYMTAB, "a symbol table", err)))
        return rc;
    if (n < 4 || n % 4)
        return keel_error_set(err, KEEL_E_FORMAT, sh.offset,
                              "group section %U at %X: size %U is not a positive multiple of 4", (uint64_t)index,
                              sh.offset, n);
    g->elf = e;
    g->flags = kl_u32(p, kl_be(e));
    g->words = p + 4;
    g->count = (uint32_t)(n / 4 - 1);
    g->signature_symtab = sh.link;
    g->signature_sym = sh.info;
    for (uint32_t i = 0; i < g->count; i++) {
        uint32_t m = keel_group_member(g, i);
        if (m == 0 || m >= e->shnum)
            return keel_error_set(err, KEEL_E_INDEX, sh.offset + 4 + 4 * (uint64_t)i,
                                  "group section %U at %X: member %U (at %X) names section %U, out of range",
                                  (uint64_t)index, sh.offset, (uint64_t)i, sh.offset + 4 + 4 * (uint64_t)i,
                                  (uint64_t)m);
    }
    return 0;
}

uint32_t keel_group_member(const keel_group *g, uint32_t i)
{
    return kl_u32(g->words + 4 * (uint64_t)i, kl_be(g->elf));
}
