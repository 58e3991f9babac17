/* Unix ar archives: GNU and BSD variants, long names, thin archives, and
 * the archive symbol table. */
#include "internal.h"

enum { AR_HDR = 60 };

static const char ar_magic[8] = {'!', '<', 'a', 'r', 'c', 'h', '>', '\n'};
static const char thin_magic[8] = {'!', '<', 't', 'h', 'i', 'n', '>', '\n'};

bool keel_is_archive(const void *data, size_t size)
{
    return size >= 8 && (kl_memeq(data, ar_magic, 8) || kl_memeq(data, thin_magic, 8));
}

/* A decimal (or octal) field padded with spaces; false on junk. */
static bool parse_num(const uint8_t *p, int len, unsigned base, uint64_t *out)
{
    uint64_t v = 0;
    int i = 0;
    while (i < len && p[i] == ' ')
        i++;
    bool any = false;
    for (; i < len && p[i] != ' '; i++) {
        unsigned d = (unsigned)(p[i] - '0');
        if (d >= base || kl_mul_overflows(v, base, &v) || kl_add_overflows(v, d, &v))
            return false;
        any = true;
    }
    for (; i < len; i++)
        if (p[i] != ' ')
            return false;
    if (!any && base == 10) /* an all-blank size field is not a size */
        return false;
    *out = v;
    return true;
}

static bool name_is(const uint8_t *h, const char *s)
{
    int i = 0;
    for (; s[i]; i++)
        if (h[i] != (uint8_t)s[i])
            return false;
    for (; i < 16; i++)
        if (h[i] != ' ')
            return false;
    return true;
}

/* Parse the member header at `pos` without resolving long names. */
static int read_header(const keel_ar *ar, uint64_t pos, keel_ar_member *m, keel_error *err)
{
    if (!kl_in_bounds(pos, AR_HDR, ar->size))
        return keel_error_set(err, KEEL_E_TRUNCATED, pos,
                              "archive member header at %X: %U bytes left, a header needs 60", pos, ar->size - pos);
    const uint8_t *h = ar->data + pos;
    uint64_t size, date = 0, uid = 0, gid = 0, mode = 0;
    if (h[58] != '`' || h[59] != '\n')
        return keel_error_set(err, KEEL_E_FORMAT, pos, "archive member header at %X: bad terminator", pos);
    if (!parse_num(h + 48, 10, 10, &size))
        return keel_error_set(err, KEEL_E_FORMAT, pos + 48, "archive member header at %X: bad size field at %X", pos,
                              pos + 48);
    /* date/uid/gid/mode are informational: blank or junk reads as 0 */
    parse_num(h + 16, 12, 10, &date);
    parse_num(h + 28, 6, 10, &uid);
    parse_num(h + 34, 6, 10, &gid);
    parse_num(h + 40, 8, 8, &mode);
    *m = (keel_ar_member){.name = (const char *)h,
                          .name_len = 16,
                          .header_offset = pos,
                          .data_offset = pos + AR_HDR,
                          .size = size,
                          .mode = (uint32_t)mode,
                          .date = date,
                          .uid = (uint32_t)uid,
                          .gid = (uint32_t)gid};
    m->special = name_is(h, "/") || name_is(h, "//") || name_is(h, "/SYM64/") || kl_memeq(h, "__.SYMDEF", 9) ||
                 kl_memeq(h, "#1/", 3);
    return 0;
}

int keel_ar_open(keel_ar *ar, const void *data, size_t size, keel_error *err)
{
    *ar = (keel_ar){.data = data, .size = size, .first_member = 8};
    if (!keel_is_archive(data, size))
        return keel_error_set(err, KEEL_E_NOT_ELF, 0, "not an archive (bad magic at offset 0x0)");
    ar->thin = kl_memeq(data, thin_magic, 8);
    /* The symbol table and the long-name table come first. */
    uint64_t pos = 8;
    for (int k = 0; k < 3 && pos < size; k++) {
        keel_ar_member m;
        int rc = read_header(ar, pos, &m, err);
        if (rc)
            return rc;
        const uint8_t *h = ar->data + pos;
        uint64_t dpos = pos + AR_HDR, dsize = m.size;
        int kind = KEEL_AR_SYMTAB_NONE;
        if (name_is(h, "/"))
            kind = KEEL_AR_SYMTAB_GNU32;
        else if (name_is(h, "/SYM64/"))
            kind = KEEL_AR_SYMTAB_GNU64;
        else if (kl_memeq(h, "__.SYMDEF_64", 12))
            kind = KEEL_AR_SYMTAB_BSD64;
        else if (kl_memeq(h, "__.SYMDEF", 9))
            kind = KEEL_AR_SYMTAB_BSD;
        else if (kl_memeq(h, "#1/", 3)) {
            /* BSD long name stored before the data: "__.SYMDEF SORTED" */
            uint64_t nlen;
            if (!parse_num(h + 3, 13, 10, &nlen) || nlen > m.size || !kl_in_bounds(dpos, m.size, size))
                return keel_error_set(err, KEEL_E_FORMAT, pos, "archive member header at %X: bad BSD name", pos);
            if (nlen >= 12 && kl_memeq(h + AR_HDR, "__.SYMDEF_64", 12))
                kind = KEEL_AR_SYMTAB_BSD64;
            else if (nlen >= 9 && kl_memeq(h + AR_HDR, "__.SYMDEF", 9))
                kind = KEEL_AR_SYMTAB_BSD;
            else
                break;
            dpos += nlen;
            dsize -= nlen;
        } else if (!name_is(h, "//"))
            break;
        if (!kl_in_bounds(dpos, dsize, size))
            return keel_error_set(err, KEEL_E_TRUNCATED, pos,
                                  "archive member at %X: size %U extends past the end of the archive", pos, m.size);
        if (kind != KEEL_AR_SYMTAB_NONE) {
            ar->symtab = ar->data + dpos;
            ar->symtab_size = dsize;
            ar->symtab_offset = dpos;
            ar->symtab_kind = kind;
        } else {
            ar->long_names = (const char *)ar->data + dpos;
            ar->long_names_size = dsize;
            ar->long_names_offset = dpos;
        }
        pos = dpos + dsize;
        pos += pos & 1;
    }
    return 0;
}

/* Resolve a GNU "/123" long name. */
static int long_name(const keel_ar *ar, keel_ar_member *m, keel_error *err)
{
    uint64_t off;
    const uint8_t *h = ar->data + m->header_offset;
    if (!parse_num(h + 1, 15, 10, &off))
        return keel_error_set(err, KEEL_E_FORMAT, m->header_offset,
                              "archive member header at %X: bad long-name reference", m->header_offset);
    if (!ar->long_names || off >= ar->long_names_size)
        return keel_error_set(err, KEEL_E_INDEX, m->header_offset,
                              "archive member header at %X: long name %U is outside the name table", m->header_offset,
                              off);
    const char *s = ar->long_names + off;
    uint64_t max = ar->long_names_size - off, n = 0;
    while (n < max && s[n] != '\n' && s[n] != 0)
        n++;
    if (n > 0 && s[n - 1] == '/')
        n--;
    m->name = s;
    m->name_len = (uint32_t)n;
    return 0;
}

int keel_ar_next(const keel_ar *ar, uint64_t *pos, keel_ar_member *m, keel_error *err)
{
    if (*pos == 0)
        *pos = ar->first_member;
    if (*pos >= ar->size)
        return 0;
    int rc = read_header(ar, *pos, m, err);
    if (rc)
        return rc;
    const uint8_t *h = ar->data + *pos;
    bool has_data = !ar->thin || m->special;
    uint64_t data_len = has_data ? m->size : 0;
    if (has_data && !kl_in_bounds(m->data_offset, m->size, ar->size))
        return keel_error_set(err, KEEL_E_TRUNCATED, *pos,
                              "archive member at %X: size %U extends past the end of the archive (%X)", *pos, m->size,
                              ar->size);
    if (kl_memeq(h, "#1/", 3)) {
        uint64_t nlen;
        if (!parse_num(h + 3, 13, 10, &nlen) || nlen > m->size)
            return keel_error_set(err, KEEL_E_FORMAT, *pos, "archive member header at %X: bad BSD name", *pos);
        m->name = (const char *)ar->data + m->data_offset;
        m->name_len = (uint32_t)kl_strnlen(m->name, nlen);
        m->data_offset += nlen;
        m->size -= nlen;
        m->special = m->name_len >= 9 && kl_memeq(m->name, "__.SYMDEF", 9);
    } else if (h[0] == '/' && h[1] >= '0' && h[1] <= '9') {
        if ((rc = long_name(ar, m, err)))
            return rc;
    } else if (!m->special) {
        /* GNU short names end with '/', BSD ones with spaces */
        uint32_t n = 0;
        while (n < 16 && h[n] != '/' && h[n] != ' ')
            n++;
        m->name_len = n;
    } else {
        uint32_t n = 16;
        while (n > 0 && h[n - 1] == ' ')
            n--;
        m->name_len = n;
    }
    m->data = has_data ? ar->data + m->data_offset : NULL;
    uint64_t next = *pos + AR_HDR + data_len;
    next += next & 1;
    *pos = next;
    return 1;
}

int keel_ar_symbols_begin(const keel_ar *ar, keel_ar_symbols *s, keel_error *err)
{
    *s = (keel_ar_symbols){.ar = ar};
    const uint8_t *p = ar->symtab;
    uint64_t n = ar->symtab_size, off = ar->symtab_offset, count, w, bytes;
    switch (ar->symtab_kind) {
    case KEEL_AR_SYMTAB_NONE: return 0;
    case KEEL_AR_SYMTAB_GNU32:
    case KEEL_AR_SYMTAB_GNU64:
        w = ar->symtab_kind == KEEL_AR_SYMTAB_GNU64 ? 8 : 4;
        if (n < w)
            return keel_error_set(err, KEEL_E_TRUNCATED, off, "archive symbol table at %X is truncated", off);
        count = w == 8 ? kl_u64(p, true) : kl_u32(p, true);
        if (kl_mul_overflows(count, w, &bytes) || !kl_in_bounds(w, bytes, n))
            return keel_error_set(err, KEEL_E_RANGE, off,
                                  "archive symbol table at %X: %U entries do not fit in %U bytes", off, count, n);
        s->count = count;
        s->offsets = p + w;
        s->names = (const char *)p + w + bytes;
        s->names_size = n - w - bytes;
        return 0;
    default: /* BSD: ranlib array size in bytes, array, string size, strings */
        w = ar->symtab_kind == KEEL_AR_SYMTAB_BSD64 ? 8 : 4;
        if (n < w)
            return keel_error_set(err, KEEL_E_TRUNCATED, off, "archive symbol table at %X is truncated", off);
        bytes = kl_word(p, w == 8, false);
        if (bytes % (2 * w) || !kl_in_bounds(w, bytes, n) || n - w - bytes < w)
            return keel_error_set(err, KEEL_E_RANGE, off,
                                  "archive symbol table at %X: ranlib array of %U bytes does not fit", off, bytes);
        s->count = bytes / (2 * w);
        s->offsets = p + w;
        uint64_t strsz = kl_word(p + w + bytes, w == 8, false);
        if (!kl_in_bounds(2 * w + bytes, strsz, n))
            return keel_error_set(err, KEEL_E_RANGE, off,
                                  "archive symbol table at %X: string table of %U bytes does not fit", off, strsz);
        s->names = (const char *)p + 2 * w + bytes;
        s->names_size = strsz;
        return 0;
    }
}

int keel_ar_symbols_next(keel_ar_symbols *s, const char **name, uint64_t *member, keel_error *err)
{
    const keel_ar *ar = s->ar;
    if (s->next_index >= s->count)
        return 0;
    uint64_t i = s->next_index++, at = ar->symtab_offset, nameoff;
    switch (ar->symtab_kind) {
    case KEEL_AR_SYMTAB_GNU32:
        *member = kl_u32(s->offsets + 4 * i, true);
        nameoff = s->next_name;
        break;
    case KEEL_AR_SYMTAB_GNU64:
        *member = kl_u64(s->offsets + 8 * i, true);
        nameoff = s->next_name;
        break;
    case KEEL_AR_SYMTAB_BSD:
        nameoff = kl_u32(s->offsets + 8 * i, false);
        *member = kl_u32(s->offsets + 8 * i + 4, false);
        break;
    default:
        nameoff = kl_u64(s->offsets + 16 * i, false);
        *member = kl_u64(s->offsets + 16 * i + 8, false);
        break;
    }
    if (nameoff >= s->names_size)
        return keel_error_set(err, KEEL_E_INDEX, at, "archive symbol table at %X: name of symbol %U is out of range",
                              at, i);
    uint64_t len = kl_strnlen(s->names + nameoff, s->names_size - nameoff);
    if (len == s->names_size - nameoff)
        return keel_error_set(err, KEEL_E_FORMAT, at,
                              "archive symbol table at %X: name of symbol %U is not NUL-terminated", at, i);
    *name = s->names + nameoff;
    s->next_name = nameoff + len + 1;
    if (*member >= ar->size)
        return keel_error_set(err, KEEL_E_RANGE, at,
                              "archive symbol table at %X: symbol %U names member offset %X, past the end", at, i,
                              *member);
    return 1;
}
