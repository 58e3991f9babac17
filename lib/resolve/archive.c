/* Archive members by their index's positions, thin archives' member files,
 * and the rule by which a common pulls a member (GNU ld's). */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "../elfdefs.h"
#include "resolve.h"

int kr_ar_member(const keel_ar *ar, uint64_t pos, kr_member *m, keel_error *err)
{
    keel_ar_member am;
    uint64_t p = pos;
    if (keel_ar_next(ar, &p, &am, NULL) != 1 || am.special)
        return keel_error_set(err, KEEL_E_FORMAT, pos, "the index names a member at offset %X that is not there",
                              pos); /* (keel_error_set knows %X, 0x-prefixed, not %llx) */
    uint32_t n = am.name_len;
    while (n > 0 && am.name[n - 1] == '/')
        n--;
    *m = (kr_member){am.name, n, am.data, am.size};
    return 0;
}

static size_t dir_len(const char *archive_path, const kr_member *m)
{
    const char *slash = strrchr(archive_path, '/');
    return (m->name_len && m->name[0] == '/') || !slash ? 0 : (size_t)(slash - archive_path) + 1;
}

size_t kr_thin_path_len(const char *archive_path, const kr_member *m) { return dir_len(archive_path, m) + m->name_len; }

void kr_thin_path(const char *archive_path, const kr_member *m, char *buf)
{
    size_t dir = dir_len(archive_path, m);
    memcpy(buf, archive_path, dir);
    memcpy(buf + dir, m->name, m->name_len);
    buf[dir + m->name_len] = 0;
}

int kr_thin_exists(const char *archive_path, const char *member_path, keel_error *err)
{
    struct stat st;
    if (stat(member_path, &st) == 0)
        return 0;
    return keel_error_set(err, KEEL_E_IO, 0, "%s(%s): error opening thin archive member: %s", archive_path, member_path,
                          strerror(errno));
}

bool kr_defines_data(const uint8_t *data, size_t size, const char *name)
{
    keel_elf elf;
    keel_symtab st;
    if (keel_elf_open(&elf, data, size, NULL))
        return false;
    for (uint32_t i = 1; i < elf.shnum; i++) {
        keel_shdr sh;
        if (keel_elf_shdr(&elf, i, &sh, NULL) || sh.type != SHT_SYMTAB || keel_elf_symtab(&elf, i, &st, NULL))
            continue;
        for (uint64_t k = st.first_global; k < st.count; k++) {
            keel_sym sym;
            const char *sn;
            if (keel_symtab_get(&st, k, &sym, NULL) || keel_symtab_name(&st, &sym, &sn, NULL))
                continue;
            if (strcmp(sn, name) == 0) {
                uint8_t bind = KEEL_ST_BIND(sym.info), type = KEEL_ST_TYPE(sym.info);
                return (bind == STB_GLOBAL || bind >= STB_LOOS) && type != STT_FUNC && type != STT_GNU_IFUNC &&
                       sym.shndx != SHN_UNDEF && sym.raw_shndx != SHN_COMMON &&
                       (sym.raw_shndx < SHN_LORESERVE || sym.raw_shndx >= SHN_ABS);
            }
        }
        return false;
    }
    return false;
}
