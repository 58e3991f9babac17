/* Archives by GNU ld's rules.  An archive is searched where it stands on
 * the command line: its index is walked, in index order, over and over
 * until a walk takes nothing; a member is taken when it defines a name
 * that is referenced and still undefined (a weak reference takes nothing),
 * or that is only common while the member gives it real data.  A group is
 * searched again as a whole until nothing changes (the caller's loop). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The member at header offset pos: its name (index and name-table members
 * are not members), and its bytes (a thin archive's are in a file beside
 * it). */
static int member_at(lk_link *l, lk_archive *a, uint64_t pos, const char **name, const uint8_t **data, size_t *size)
{
    keel_error e;
    kr_member m; /* the shared reading of a member (lib/resolve/archive.c) */
    if (kr_ar_member(&a->ar, pos, &m, &e))
        return lk_fail(l, e.code, "%s: %s", a->path, e.msg);
    if (!(*name = lk_strndup(&l->arena, m.name, m.name_len)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    if (m.data) {
        *data = m.data;
        *size = m.size;
        return 0;
    }
    /* a thin archive's member is a file named relative to the archive */
    char *path = lk_alloc(&l->arena, kr_thin_path_len(a->path, &m) + 1);
    if (!path)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    kr_thin_path(a->path, &m, path);
    if (kr_thin_exists(a->path, path, &e))
        return lk_fail(l, e.code, "%s", e.msg);
    int rc = lk_map_file(l, path, data, size);
    if (!rc && *size != m.size)
        rc = lk_fail(l, KEEL_E_FORMAT, "%s(%s): the archive says %llu bytes, %s has %zu", a->path, *name,
                     (unsigned long long)m.size, path, *size);
    *name = path; /* GNU ld names a thin member by its file */
    return rc;
}

int lk_open_archive(lk_link *l, const char *path, const uint8_t *data, size_t size, uint32_t group, lk_archive **out)
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
    return !member_at(l, a, pos, &mname, &data, &size) && kr_defines_data(data, size, name);
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
        rc = a->ar.thin ? lk_add_object(l, mname, NULL, data, size, &f)
                        : lk_add_object(l, a->path, mname, data, size, &f);
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
            kr_pull want = s ? kr_pull_for((kr_kind)s->state) : KR_PULL_NO;
            if (want == KR_PULL_NO || (want == KR_PULL_IF_DATA && !defines_data(l, a, a->members[i], s->name)))
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
