/* Archives by GNU ld's rules.  An archive is searched where it stands on
 * the command line: its index is walked, in index order, over and over
 * until a walk takes nothing; a member is taken when it defines a name
 * that is referenced and still undefined (a weak reference takes nothing),
 * or that is only common while the member gives it real data.  A group is
 * searched again as a whole until nothing changes (the caller's loop). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { SHN_UNDEF = 0, SHN_LORESERVE = 0xff00, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2, STB_GLOBAL = 1, STB_LOOS = 10,
       STT_FUNC = 2, STT_GNU_IFUNC = 10 };

/* The member at header offset pos: its name (index and name-table members
 * are not members), and its bytes (a thin archive's are in a file beside
 * it). */
static int member_at(lk_link *l, lk_archive *a, uint64_t pos, const char **name, const uint8_t **data,
                     size_t *size)
{
    keel_error e;
    keel_ar_member m;
    uint64_t p = pos;
    if (keel_ar_next(&a->ar, &p, &m, &e) != 1)
        return lk_fail(l, KEEL_E_FORMAT, "%s: the index names a member at offset 0x%llx that is not there", a->path,
                       (unsigned long long)pos);
    uint32_t n = m.name_len;
    while (n > 0 && m.name[n - 1] == '/')
        n--;
    if (!(*name = lk_strndup(&l->arena, m.name, n)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    if (m.data) {
        *data = m.data;
        *size = m.size;
        return 0;
    }
    /* a thin archive's member is a file named relative to the archive */
    const char *slash = strrchr(a->path, '/');
    size_t dir = (*name)[0] == '/' || !slash ? 0 : (size_t)(slash - a->path) + 1;
    char *path = lk_alloc(&l->arena, dir + n + 1);
    if (!path)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    memcpy(path, a->path, dir);
    memcpy(path + dir, *name, n + 1);
    int rc = lk_map_file(l, path, data, size);
    if (!rc && *size != m.size)
        rc = lk_fail(l, KEEL_E_FORMAT, "%s(%s): the archive says %llu bytes, %s has %zu", a->path, *name,
                     (unsigned long long)m.size, path, *size);
    *name = path; /* GNU ld names a thin member by its file */
    return rc;
}

int lk_open_archive(lk_link *l, const char *path, const uint8_t *data, size_t size, uint32_t group,
                    lk_archive **out)
{
    keel_error e;
    if (l->narchives == l->caparchives) {
        size_t cap = l->caparchives ? 2 * l->caparchives : 16;
        lk_archive *v = realloc(l->archives, cap * sizeof *v);
        if (!v)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        l->archives = v;
        l->caparchives = cap;
    }
    lk_archive *a = &l->archives[l->narchives++];
    memset(a, 0, sizeof *a);
    a->path = path;
    a->map = data;
    a->size = size;
    a->group = group;
    if (keel_ar_open(&a->ar, data, size, &e))
        return lk_fail(l, e.code, "%s: %s", path, e.msg);
    keel_ar_symbols it;
    if (!a->ar.symtab) {
        *out = a; /* no index: ld takes nothing from it either */
        return 0;
    }
    if (keel_ar_symbols_begin(&a->ar, &it, &e))
        return lk_fail(l, e.code, "%s: %s", path, e.msg);
    a->names = lk_alloc(&l->arena, (it.count + 1) * sizeof *a->names);
    a->hashes = lk_alloc(&l->arena, (it.count + 1) * sizeof *a->hashes);
    a->members = lk_alloc(&l->arena, (it.count + 1) * sizeof *a->members);
    a->done = lk_zalloc(&l->arena, it.count + 1);
    if (!a->names || !a->hashes || !a->members || !a->done)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    const char *name;
    uint64_t member;
    int r;
    while ((r = keel_ar_symbols_next(&it, &name, &member, &e)) == 1) {
        a->names[a->count] = name;
        a->hashes[a->count] = lk_hash(name);
        a->members[a->count++] = member;
    }
    if (r < 0)
        return lk_fail(l, e.code, "%s: %s", path, e.msg);
    *out = a;
    return 0;
}

/* Whether the member gives `name` a real definition (not a common): a
 * common symbol takes only such a member, as in GNU ld. */
static bool defines_data(lk_link *l, lk_archive *a, uint64_t pos, const char *name)
{
    const char *mname;
    const uint8_t *data;
    size_t size;
    keel_elf elf;
    keel_symtab st;
    if (member_at(l, a, pos, &mname, &data, &size) || keel_elf_open(&elf, data, size, NULL))
        return false;
    for (uint32_t i = 1; i < elf.shnum; i++) {
        keel_shdr sh;
        if (keel_elf_shdr(&elf, i, &sh, NULL) || sh.type != 2 || keel_elf_symtab(&elf, i, &st, NULL))
            continue;
        for (uint64_t k = st.first_global; k < st.count; k++) {
            keel_sym sym;
            const char *sn;
            if (keel_symtab_get(&st, k, &sym, NULL) || keel_symtab_name(&st, &sym, &sn, NULL))
                continue;
            /* GNU ld (elflink.c, is_global_data_symbol_definition): a
             * global (or GNU unique) definition that is not a function, not
             * common and not in a processor-specific section */
            if (strcmp(sn, name) == 0) {
                uint8_t bind = KEEL_ST_BIND(sym.info), type = KEEL_ST_TYPE(sym.info);
                return (bind == STB_GLOBAL || bind >= STB_LOOS) && type != STT_FUNC && type != STT_GNU_IFUNC &&
                       sym.shndx != SHN_UNDEF && sym.shndx != SHN_COMMON &&
                       (sym.shndx < SHN_LORESERVE || sym.shndx >= SHN_ABS);
            }
        }
        return false;
    }
    return false;
}

static int take(lk_link *l, lk_archive *a, size_t i, lk_sym *why)
{
    /* ld's map names the referencing file, or for a common the file of
     * the common (u.c.p->section->owner): read before the member replaces it */
    lk_file *by = !why ? NULL : why->state == LK_COMMON ? why->def : why->ref;
    uint64_t pos = a->members[i];
    for (size_t k = 0; k < a->count; k++) /* every index entry of this member is done */
        if (a->members[k] == pos)
            a->done[k] = true;
    const char *mname;
    const uint8_t *data;
    size_t size;
    lk_file *f;
    int rc = member_at(l, a, pos, &mname, &data, &size);
    if (!rc) /* a thin member is a file of its own */
        rc = a->ar.thin ? lk_add_object(l, mname, NULL, data, size, &f) : lk_add_object(l, a->path, mname, data, size, &f);
    if (rc)
        return rc;
    if (!(l->taken = lk_grow(&l->arena, l->taken, l->ntaken, &l->captaken, sizeof *l->taken, 256)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    l->taken[l->ntaken++] = (lk_taken){f, by, why ? why->name : NULL};
    return 0;
}

int lk_scan_archive(lk_link *l, lk_archive *a, bool *taken_any)
{
    bool again = true;
    while (again) {
        again = false;
        for (size_t i = 0; i < a->count; i++) {
            if (a->done[i])
                continue;
            lk_sym *s = lk_sym_find(&l->syms, a->names[i], a->hashes[i]);
            /* undefined (by a file, or by -u with none), or common while
             * the member gives it real data (a common needs no reference) */
            if (!s || (s->state != LK_UNDEF && !(s->state == LK_COMMON && defines_data(l, a, a->members[i], s->name))))
                continue;
            int rc = take(l, a, i, s);
            if (rc)
                return rc;
            again = true;
            *taken_any = true;
        }
    }
    return 0;
}

int lk_take_all(lk_link *l, lk_archive *a)
{
    keel_error e;
    keel_ar_member m;
    uint64_t pos = 0;
    int r;
    while ((r = keel_ar_next(&a->ar, &pos, &m, &e)) == 1) {
        uint64_t here = m.header_offset;
        if (m.special)
            continue; /* the index and the long-name table */
        const char *mname;
        const uint8_t *data;
        size_t size;
        lk_file *f;
        int rc = member_at(l, a, here, &mname, &data, &size);
        if (!rc)
            rc = a->ar.thin ? lk_add_object(l, mname, NULL, data, size, &f)
                            : lk_add_object(l, a->path, mname, data, size, &f);
        if (rc)
            return rc;
        for (size_t k = 0; k < a->count; k++)
            if (a->members[k] == here)
                a->done[k] = true;
    }
    if (r < 0)
        return lk_fail(l, e.code, "%s: %s", a->path, e.msg);
    return 0;
}
