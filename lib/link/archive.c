/* Archives by GNU ld's rules, through the walk the loader uses too
 * (lib/resolve/pull.c).  An archive is searched where it stands on the
 * command line: its index is walked, in index order, over and over until
 * a walk takes nothing; a member is taken when it defines a name that is
 * referenced and still undefined (a weak reference takes nothing), or
 * that is only common while the member gives it real data.  A group is
 * searched again as a whole until nothing changes (the caller's loop). */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The member at header offset pos: its name (index and name-table members
 * are not members), and its bytes (a thin archive's are in a file beside
 * it). */
static int member_at(lk_link *l, kr_archive *a, uint64_t pos, const char **name, const uint8_t **data, size_t *size)
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

static void *arena_alloc(void *ctx, size_t size) { return lk_alloc(&((lk_link *)ctx)->arena, size); }
static uint32_t hash(const char *name) { return lk_hash(name); }

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
    a->group = group;
    int rc = kr_archive_open(&a->kr, path, data, size, hash, arena_alloc, l, &e);
    if (rc)
        return e.code == KEEL_E_NOMEM ? lk_fail(l, KEEL_E_NOMEM, "out of memory")
                                      : lk_fail(l, e.code, "%s: %s", path, e.msg);
    *out = a;
    return 0;
}

/* The name's state in the link's table: undefined (by a file, or by -u
 * with none) pulls; a common pulls a member that gives it data. */
static kr_pull wants(void *ctx, const char *name, uint32_t h)
{
    lk_sym *s = lk_sym_find(&((lk_link *)ctx)->syms, name, h);
    return s ? kr_pull_for((kr_kind)s->state) : KR_PULL_NO;
}

/* Whether the member gives `name` a real definition (not a common): a
 * common symbol takes only such a member, as in GNU ld. */
static bool defines_data(void *ctx, kr_archive *a, uint64_t pos, const char *name)
{
    const char *mname;
    const uint8_t *data;
    size_t size;
    return !member_at(ctx, a, pos, &mname, &data, &size) && kr_defines_data(data, size, name);
}

static int take(void *ctx, kr_archive *a, uint64_t pos, const char *why_name)
{
    lk_link *l = ctx;
    lk_sym *why = why_name ? lk_sym_find(&l->syms, why_name, lk_hash(why_name)) : NULL;
    /* ld's map names the referencing file, or for a common the file of
     * the common (u.c.p->section->owner): read before the member replaces it */
    lk_file *by = !why ? NULL : why->state == LK_COMMON ? why->def : why->ref;
    const char *mname;
    const uint8_t *data;
    size_t size;
    lk_file *f;
    int rc = member_at(l, a, pos, &mname, &data, &size);
    if (!rc) /* a thin member is a file of its own */
        rc = a->ar.thin ? lk_add_object(l, mname, NULL, data, size, &f)
                        : lk_add_object(l, a->path, mname, data, size, &f);
    if (rc || !why_name)
        return rc;
    if (!(l->taken = lk_grow(&l->arena, l->taken, l->ntaken, &l->captaken, sizeof *l->taken, 256)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    l->taken[l->ntaken++] = (lk_taken){f, by, why->name};
    return 0;
}

int lk_scan_archive(lk_link *l, lk_archive *a, bool *taken_any)
{
    return kr_archive_pull(&a->kr, wants, defines_data, take, l, taken_any);
}

int lk_take_all(lk_link *l, lk_archive *a)
{
    keel_error e = {0};
    int rc = kr_archive_take_all(&a->kr, take, l, &e);
    /* the take's errors have said themselves; a bad header has not */
    if (rc && e.code)
        return lk_fail(l, e.code, "%s: %s", a->kr.path, e.msg);
    return rc;
}
