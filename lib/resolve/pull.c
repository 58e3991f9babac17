/* The archive walk both parts use (GNU ld's elf_link_add_archive_symbols):
 * the index read once, then walked in index order until a walk takes
 * nothing.  The parts differ only in their callbacks: what a name wants
 * (their symbol tables) and what taking a member means (their objects). */
#include <string.h>

#include "resolve.h"

/* The index's entries of one member share an ordinal, so that "is this
 * member in" is one lookup and taking a member retires all its names at
 * once: a small open-addressed table of member offsets, for the open only. */
static int number_members(kr_archive *a, kr_alloc_fn alloc, void *actx)
{
    size_t cap = 16;
    while (cap < 2 * a->count)
        cap *= 2;
    uint64_t *key = alloc(actx, cap * sizeof *key);
    uint32_t *val = alloc(actx, cap * sizeof *val);
    if (!key || !val)
        return -1;
    memset(key, 0xff, cap * sizeof *key); /* no member is at offset ~0 */
    for (size_t i = 0; i < a->count; i++) {
        uint64_t pos = a->members[i];
        size_t h = (size_t)((pos * 0x9e3779b97f4a7c15ull) >> 20) & (cap - 1);
        while (key[h] != UINT64_MAX && key[h] != pos)
            h = (h + 1) & (cap - 1);
        if (key[h] == UINT64_MAX) {
            key[h] = pos;
            val[h] = (uint32_t)a->nmembers++;
        }
        a->member[i] = val[h];
    }
    return 0;
}

int kr_archive_open(kr_archive *a, const char *path, const uint8_t *data, size_t size, uint32_t (*hash)(const char *),
                    kr_alloc_fn alloc, void *actx, keel_error *err)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    a->map = data;
    a->size = size;
    if (keel_ar_open(&a->ar, data, size, err))
        return err ? err->code : KEEL_E_FORMAT;
    if (!a->ar.symtab)
        return 0; /* no index: ld takes nothing from it either */
    keel_ar_symbols it;
    if (keel_ar_symbols_begin(&a->ar, &it, err))
        return err ? err->code : KEEL_E_FORMAT;
    /* the count comes from the file; the index's bytes bound it (each
     * entry has a 4-byte offset at least), so the sizes below cannot wrap */
    size_t n = (size_t)it.count + 1;
    a->names = alloc(actx, n * sizeof *a->names);
    a->hashes = alloc(actx, n * sizeof *a->hashes);
    a->members = alloc(actx, n * sizeof *a->members);
    a->member = alloc(actx, n * sizeof *a->member);
    if (!a->names || !a->hashes || !a->members || !a->member)
        return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
    const char *name;
    uint64_t pos;
    int r;
    while ((r = keel_ar_symbols_next(&it, &name, &pos, err)) == 1) {
        a->names[a->count] = name;
        a->hashes[a->count] = hash(name);
        a->members[a->count++] = pos;
    }
    if (r < 0)
        return r;
    if (number_members(a, alloc, actx) || !(a->in = alloc(actx, a->nmembers + 1)))
        return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
    memset(a->in, 0, a->nmembers + 1);
    return 0;
}

int kr_archive_pull(kr_archive *a, kr_wants_fn wants, kr_data_fn data, kr_take_fn take, void *ctx, bool *pulled)
{
    bool again = true;
    while (again) {
        again = false;
        for (size_t i = 0; i < a->count; i++) {
            uint32_t m = a->member[i];
            if (a->in[m])
                continue;
            /* undefined (by a file, or by -u with none), or common while
             * the member gives it real data (a common needs no reference) */
            kr_pull want = wants(ctx, a->names[i], a->hashes[i]);
            if (want == KR_PULL_NO || (want == KR_PULL_IF_DATA && !data(ctx, a, a->members[i], a->names[i])))
                continue;
            a->in[m] = true;
            int rc = take(ctx, a, a->members[i], a->names[i]);
            if (rc)
                return rc;
            again = true;
            *pulled = true;
        }
    }
    return 0;
}

/* The ordinal of the member at pos, or nmembers when no index entry
 * names it (such a member is never pulled by name anyway). */
static size_t ordinal_of(const kr_archive *a, uint64_t pos)
{
    for (size_t k = 0; k < a->count; k++)
        if (a->members[k] == pos)
            return a->member[k];
    return a->nmembers;
}

int kr_archive_take_all(kr_archive *a, kr_take_fn take, void *ctx, keel_error *err)
{
    keel_ar_member m;
    uint64_t pos = 0;
    int r;
    /* the index lists members in archive order: one cursor finds each
     * member's ordinal without a search per member */
    size_t k = 0;
    while ((r = keel_ar_next(&a->ar, &pos, &m, err)) == 1) {
        uint64_t here = m.header_offset;
        if (m.special)
            continue; /* the index and the long-name table */
        size_t ord;
        while (k < a->count && a->members[k] < here)
            k++;
        ord = k < a->count && a->members[k] == here ? a->member[k] : ordinal_of(a, here);
        if (ord < a->nmembers && a->in[ord])
            continue;
        if (ord < a->nmembers)
            a->in[ord] = true;
        int rc = take(ctx, a, here, NULL);
        if (rc)
            return rc;
    }
    return r < 0 ? r : 0;
}
