/* The mapfile reader's files and tables: a mapfile or a directory of
 * them read whole into the arena, the version line, the directives, the
 * conditional levels closed at the end of each file; the names the
 * reader keeps (defined names, segments, criteria, list members) in one
 * open-addressing table. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../regular_file.h"
#include "mapfile_reader.h"

static const char *const key_names[MF_NKEYS] = {
    [MF_K_NONE] = "?",
#define MF_X(k) [MF_K_##k] = #k,
    MF_KEYWORDS(MF_X)
#undef MF_X
        [MF_K_SYMBOL] = "SYMBOL",
};

const char *mf_key_name(unsigned key) { return key < MF_NKEYS ? key_names[key] : "?"; }

unsigned mf_keyword(const char *s, size_t n)
{
    for (unsigned k = MF_K_NONE + 1; k < MF_K_SYMBOL; k++)
        if (strlen(key_names[k]) == n && strncasecmp(key_names[k], s, n) == 0)
            return k;
    return MF_K_NONE;
}

int mf_error(mf_reader *r, uint32_t line, const char *fmt, ...)
{
    if (r->rc) /* the first error is the one reported */
        return r->rc;
    char msg[KEEL_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->rc = keel_error_set(r->err, KEEL_E_FORMAT, 0, "%s: line %U: %s", r->file, (uint64_t)line, msg);
    if (!r->rc)
        r->rc = KEEL_E_FORMAT;
    return r->rc;
}

int mf_nomem(mf_reader *r)
{
    if (!r->rc)
        r->rc = keel_error_set(r->err, KEEL_E_NOMEM, 0, "%s: out of memory", r->file ? r->file : "mapfile");
    return r->rc ? r->rc : KEEL_E_NOMEM;
}

static uint32_t hash(uint8_t space, const void *owner, const char *s, size_t n)
{
    uint32_t h = 2166136261u ^ space;
    uintptr_t o = (uintptr_t)owner;
    for (size_t i = 0; i < sizeof o; i++, o >>= 8)
        h = (h ^ (uint8_t)o) * 16777619u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint8_t)s[i]) * 16777619u;
    return h;
}

static mf_entry *slot(mf_reader *r, uint8_t space, const void *owner, const char *s, size_t n, uint32_t h)
{
    if (!r->captab)
        return NULL;
    for (size_t i = h & (r->captab - 1);; i = (i + 1) & (r->captab - 1)) {
        mf_entry *e = &r->tab[i];
        if (!e->s || (e->hash == h && e->space == space && e->owner == owner && strncmp(e->s, s, n) == 0 && !e->s[n]))
            return e;
    }
}

mf_entry *mf_find(mf_reader *r, uint8_t space, const void *owner, const char *s, size_t n)
{
    mf_entry *e = slot(r, space, owner, s, n, hash(space, owner, s, n));
    return e && e->s ? e : NULL;
}

mf_entry *mf_add(mf_reader *r, uint8_t space, const void *owner, const char *s, size_t n)
{
    uint32_t h = hash(space, owner, s, n);
    mf_entry *e = slot(r, space, owner, s, n, h);
    if (e && e->s)
        return e;
    if (2 * (r->ntab + 1) > r->captab) { /* at most half full */
        size_t cap = r->captab ? 2 * r->captab : 64;
        mf_entry *t = lk_zalloc(r->a, cap * sizeof *t);
        if (!t)
            return NULL;
        for (size_t i = 0; i < r->captab; i++)
            if (r->tab[i].s) {
                size_t j = r->tab[i].hash & (cap - 1);
                while (t[j].s)
                    j = (j + 1) & (cap - 1);
                t[j] = r->tab[i];
            }
        r->tab = t;
        r->captab = cap;
        e = slot(r, space, owner, s, n, h);
    }
    char *copy = lk_strndup(r->a, s, n);
    if (!copy)
        return NULL;
    *e = (mf_entry){.s = copy, .owner = owner, .hash = h, .space = space};
    r->ntab++;
    return e;
}

bool mf_defined(mf_reader *r, const char *s, size_t n)
{
    mf_entry *e = mf_find(r, MF_S_DEFINE, NULL, s, n);
    return e && e->val;
}

mf_reader *mf_reader_new(lk_arena *a, const mf_target *t, keel_error *err)
{
    mf_reader *r = lk_zalloc(a, sizeof *r);
    if (!r)
        return NULL;
    r->a = a;
    r->t = *t;
    r->err = err;
    r->file = "mapfile";
    r->seg_order_gen = 1;
    /* the predefined names: the class, the output kind, the machine's */
    const char *names[4];
    size_t n = 0;
    names[n++] = "true";
    names[n++] = t->elfclass == 1 ? "_ELF32" : "_ELF64";
    if (t->etype == 1)
        names[n++] = "_ET_REL";
    else if (t->etype == 2)
        names[n++] = "_ET_EXEC";
    else if (t->etype == 3)
        names[n++] = "_ET_DYN";
    for (size_t i = 0; i < n; i++) {
        mf_entry *e = mf_add(r, MF_S_DEFINE, NULL, names[i], strlen(names[i]));
        if (!e)
            return NULL;
        e->val = e;
    }
    for (const char *m = t->machine; m && *m;) {
        size_t len = strcspn(m, " ");
        mf_entry *e = len ? mf_add(r, MF_S_DEFINE, NULL, m, len) : NULL;
        if (len && !e)
            return NULL;
        if (e)
            e->val = e;
        m += len + (m[len] == ' ');
    }
    return r;
}

/* Reads buf[0..len) (the reader's, NUL-terminated) as mapfile name. */
static int read_buffer(mf_reader *r, const char *name, char *buf, size_t len)
{
    const char *file = lk_strndup(r->a, name, strlen(name));
    if (!file)
        return mf_nomem(r);
    buf[len] = 0;
    r->file = file;
    r->buf = buf;
    r->len = len;
    r->pos = 0;
    r->line = 1;
    r->bol = false;
    r->nconds = 0;
    if (mf_version(r) || mf_parse(r))
        return r->rc;
    if (r->nconds) /* a $if's block ends in its own file */
        return mf_error(r, r->line, "EOF encountered without closing $endif for the $if at line %u",
                        (unsigned)r->conds[r->nconds - 1].line);
    return 0;
}

int mf_read_text(mf_reader *r, const char *name, const char *text, size_t len)
{
    if (r->rc)
        return r->rc;
    char *buf = len < SIZE_MAX ? lk_alloc(r->a, len + 1) : NULL;
    if (!buf)
        return mf_nomem(r);
    if (len)
        memcpy(buf, text, len);
    return read_buffer(r, name, buf, len);
}

static int io_error(mf_reader *r, const char *path, const char *what)
{
    if (!r->rc)
        r->rc = keel_error_set(r->err, KEEL_E_IO, 0, "%s: %s: %s", path, what, strerror(errno));
    return r->rc ? r->rc : KEEL_E_IO;
}

static int read_file(mf_reader *r, const char *path)
{
    /* as every input (regular_file.h): a FIFO without a writer would
     * hang a plain open() for ever, and opening a device has effects */
    struct stat st;
    int fd = kf_open_regular(path, &st);
    if (fd == -2) {
        if (!r->rc)
            r->rc = keel_error_set(r->err, KEEL_E_IO, 0, "%s: not a regular file (%s)", path, kf_file_kind(st.st_mode));
        return r->rc;
    }
    if (fd < 0)
        return io_error(r, path, "cannot open mapfile");
    if ((uint64_t)st.st_size > (1u << 30)) { /* no mapfile is a gigabyte: refuse before allocating */
        close(fd);
        if (!r->rc)
            r->rc = keel_error_set(r->err, KEEL_E_IO, 0, "%s: mapfile too large", path);
        return r->rc;
    }
    size_t size = (size_t)st.st_size, got = 0;
    char *buf = lk_alloc(r->a, size + 1);
    if (!buf) {
        close(fd);
        return mf_nomem(r);
    }
    while (got < size) {
        ssize_t k = read(fd, buf + got, size - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            close(fd);
            return io_error(r, path, "cannot read mapfile");
        }
        if (k == 0)
            break;
        got += (size_t)k;
    }
    close(fd);
    return read_buffer(r, path, buf, got);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A directory: its files not starting with '.', in strcmp order of their
 * names, so the order (and so which criteria take precedence) is the same
 * on every machine and in every locale, whatever readdir returns. */
int mf_read_path(mf_reader *r, const char *path)
{
    if (r->rc)
        return r->rc;
    struct stat st;
    if (stat(path, &st) != 0)
        return io_error(r, path, "cannot open mapfile");
    if (!S_ISDIR(st.st_mode))
        return read_file(r, path);
    DIR *d = opendir(path);
    if (!d)
        return io_error(r, path, "cannot open mapfile directory");
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        size_t len = strlen(path), nl = strlen(de->d_name);
        char **v = lk_grow(r->a, names, n, &cap, sizeof *v, 16);
        char *full = lk_alloc(r->a, len + nl + 2);
        if (!v || !full) {
            closedir(d);
            return mf_nomem(r);
        }
        names = v;
        memcpy(full, path, len);
        full[len] = '/';
        memcpy(full + len + 1, de->d_name, nl + 1);
        names[n++] = full;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n && !r->rc; i++)
        read_file(r, names[i]);
    return r->rc;
}

int mf_finish(mf_reader *r)
{
    for (size_t i = 0; i < r->nsegs && !r->rc; i++) {
        const mf_seg *s = r->segs[i];
        if (s->key != MF_K_RESERVE_SEGMENT)
            continue;
        r->file = s->file;
        if (!s->has_vaddr || (!s->has_size && !s->sysstat))
            mf_error(r, s->line, "RESERVE_SEGMENT %s: must have %s", s->name,
                     s->sysstat ? "a VADDR" : "a VADDR and a SIZE");
    }
    return r->rc;
}

const mf_directive *mf_directives(const mf_reader *r, size_t *n)
{
    *n = r->ndirs;
    return r->dirs;
}
