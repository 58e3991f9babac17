/* The libraries shared libraries need (DT_NEEDED), found and read as
 * ld.bfd does (ldelf.c, ldelf_after_open): a needed name that no library
 * of the link carries as its DT_SONAME (or file name) is searched in
 * -rpath-link, -rpath, LD_RUN_PATH (without -rpath), LD_LIBRARY_PATH, the
 * needing library's DT_RUNPATH (DT_RPATH without one; $ORIGIN is its
 * directory), the directories of /etc/ld.so.conf, then the default
 * directories (not -L's: ld.bfd says "not found" for a library only -L
 * has).  Such a library is not named on the command line: it
 * resolves what the libraries need, and a regular object's reference that
 * only it meets is ld.bfd's "DSO missing from command line".  Then the
 * libraries' own undefined references (--no-allow-shlib-undefined, the
 * default for an executable), and what keel cannot write yet. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../elfdefs.h"
#include "dso.h"

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The library of the link that name stands for, if any. */
static lk_dso *known(const lk_link *l, const char *name)
{
    for (size_t i = 0; i < l->ndsos; i++)
        if (strcmp(l->dsos[i]->soname, name) == 0 || strcmp(base_name(l->dsos[i]->path), name) == 0)
            return l->dsos[i];
    return NULL;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* DIR/NAME in the arena, $ORIGIN and ${ORIGIN} in DIR replaced by origin
 * (the needing library's directory; NULL: left as they are). */
static char *in_dir(lk_link *l, const char *dir, size_t dlen, const char *origin, const char *name)
{
    char buf[4096];
    size_t n = 0;
    for (size_t i = 0; i < dlen && n < sizeof buf - 1;) {
        size_t skip = origin && strncmp(dir + i, "$ORIGIN", 7) == 0     ? 7
                      : origin && strncmp(dir + i, "${ORIGIN}", 9) == 0 ? 9
                                                                        : 0;
        if (skip && i + skip <= dlen) {
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", origin);
            i += skip;
        } else
            buf[n++] = dir[i++];
        if (n >= sizeof buf)
            return NULL;
    }
    buf[n] = 0;
    size_t len = n + 1 + strlen(name) + 1;
    char *s = lk_alloc(&l->arena, len);
    if (s)
        snprintf(s, len, "%s%s%s", buf, n && buf[n - 1] == '/' ? "" : "/", name);
    return s;
}

/* The first DIR/name that is a file, over a colon-separated list. */
static const char *search_list(lk_link *l, const char *list, const char *origin, const char *name)
{
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, ":");
        if (len) {
            const char *path = in_dir(l, p, len, origin, name);
            if (path && is_file(path))
                return path;
        }
        p += len + (p[len] == ':');
    }
    return NULL;
}

/* /etc/ld.so.conf's directories (its "include" globs read too), once,
 * as one colon list in the arena. */
static void conf_read(lk_link *l, const char *file, char **acc, size_t *len, int depth)
{
    FILE *f = depth < 8 ? fopen(file, "r") : NULL;
    char line[4096];
    while (f && fgets(line, sizeof line, f)) {
        char *p = line + strspn(line, " \t");
        p[strcspn(p, "#\r\n")] = 0;
        for (size_t e = strlen(p); e && (p[e - 1] == ' ' || p[e - 1] == '\t');)
            p[--e] = 0;
        if (!*p)
            continue;
        if (strncmp(p, "include", 7) == 0 && (p[7] == ' ' || p[7] == '\t')) {
            char pat[4096];
            const char *g = p + 8 + strspn(p + 8, " \t");
            const char *slash = strrchr(file, '/');
            if (g[0] != '/' && slash) /* relative to the including file's directory */
                snprintf(pat, sizeof pat, "%.*s/%s", (int)(slash - file), file, g);
            else
                snprintf(pat, sizeof pat, "%s", g);
            glob_t gl;
            if (glob(pat, 0, NULL, &gl) == 0)
                for (size_t i = 0; i < gl.gl_pathc; i++)
                    conf_read(l, gl.gl_pathv[i], acc, len, depth + 1);
            globfree(&gl);
            continue;
        }
        size_t n = strlen(p);
        char *s = lk_alloc(&l->arena, *len + n + 2);
        if (!s)
            continue;
        if (*len)
            memcpy(s, *acc, *len), s[(*len)++] = ':';
        memcpy(s + *len, p, n + 1);
        *acc = s;
        *len += n;
    }
    if (f)
        fclose(f);
}

/* Where the library `by` needs finds `name` (NULL: nowhere). */
static const char *find_needed(lk_link *l, const lk_dso *by, const char *name, const char **conf)
{
    const keel_link_options *opt = l->opt;
    if (strchr(name, '/'))
        return is_file(name) ? name : NULL;
    const char *path;
    for (size_t i = 0; i < opt->nrpath_link; i++)
        if ((path = search_list(l, opt->rpath_link[i], NULL, name)))
            return path;
    for (size_t i = 0; i < opt->nrpath; i++)
        if ((path = search_list(l, opt->rpath[i], NULL, name)))
            return path;
    if (!opt->nrpath && (path = search_list(l, getenv("LD_RUN_PATH"), NULL, name)))
        return path;
    if ((path = search_list(l, getenv("LD_LIBRARY_PATH"), NULL, name)))
        return path;
    if (by->runpath) {
        char origin[4096];
        const char *slash = strrchr(by->path, '/');
        snprintf(origin, sizeof origin, "%.*s", slash ? (int)(slash - by->path) : 1, slash ? by->path : ".");
        if ((path = search_list(l, by->runpath, origin, name)))
            return path;
    }
    if (!*conf) {
        char *acc = NULL;
        size_t len = 0;
        conf_read(l, "/etc/ld.so.conf", &acc, &len, 0);
        *conf = acc ? acc : "";
    }
    if ((path = search_list(l, *conf, NULL, name)))
        return path;
    /* the default directories, not -L's (ld.bfd skips search->cmdline) */
    for (size_t i = opt->nsearch_dirs_given; i < opt->nsearch_dirs; i++)
        if ((path = search_list(l, opt->search_dirs[i], NULL, name)))
            return path;
    return NULL;
}

int lk_dso_load_needed(lk_link *l)
{
    const char *conf = NULL;
    /* ld.bfd (ldelf_after_open) skips the needs of a library when
     * --allow-shlib-undefined is in effect (with its default
     * --no-copy-dt-needed-entries), and those of an --as-needed library
     * that is not needed */
    if (l->opt->allow_shlib_undefined == 1)
        return 0;
    /* the list grows as libraries are loaded: each one's needs are read in turn */
    for (size_t i = 0; i < l->ndsos; i++) {
        lk_dso *by = l->dsos[i];
        if (!by->is_needed && !by->implicit)
            continue;
        for (size_t k = 0; k < by->nneeded; k++) {
            const char *name = by->needed[k];
            lk_dso *d = known(l, name);
            if (d) { /* named, but --as-needed and unused until now: it serves the libraries now, and a
                      * regular reference only it meets is "DSO missing", as for one not named */
                int rc = 0;
                if (!d->added) {
                    d->implicit = true;
                    rc = lk_dso_add_symbols(l, d, true);
                }
                if (rc)
                    return rc;
                continue;
            }
            const char *path = find_needed(l, by, name, &conf);
            if (!path) {
                lk_diag(l, KEEL_DIAG_WARNING, "warning: %s, needed by %s, not found (try using -rpath or -rpath-link)",
                        name, by->path);
                continue;
            }
            const uint8_t *data;
            size_t size;
            int rc = lk_map_file(l, path, &data, &size);
            if (!rc)
                rc = lk_dso_open(l, path, data, size, &d);
            if (!rc) {
                d->implicit = true;
                if (!d->soname)
                    d->soname = name;
                rc = lk_dso_append(l, d);
            }
            if (!rc)
                rc = lk_dso_add_symbols(l, d, true);
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* A shared library's strong undefined references that nothing defines:
 * ld.bfd's errors, each name once, naming the first library that
 * references it; unless --allow-shlib-undefined, or in a -shared output
 * where that is the default.
 * --warn-unresolved-symbols makes them warnings, --noinhibit-exec goes on
 * after them, as in ld.bfd. */
static int shlib_undefined(lk_link *l)
{
    int first = 0;
    const keel_link_options *opt = l->opt;
    if (opt->allow_shlib_undefined == 1 || (opt->allow_shlib_undefined == 0 && opt->shared))
        return 0; /* (allowed: given, or -shared's default, as in ld.bfd) */
    for (size_t i = 0; i < l->ndsos; i++) {
        lk_dso *d = l->dsos[i];
        if (!d->is_needed || !d->has_dynsym)
            continue;
        for (uint64_t k = d->dynsym.first_global; k < d->dynsym.count; k++) {
            keel_sym sym;
            const char *name;
            if (keel_symtab_get(&d->dynsym, k, &sym, NULL) || keel_symtab_name(&d->dynsym, &sym, &name, NULL) ||
                sym.shndx != SHN_UNDEF || !*name || KEEL_ST_BIND(sym.info) != STB_GLOBAL)
                continue;
            lk_sym *s = lk_sym_find(&l->syms, name, lk_hash(name));
            if (s && (s->state >= LK_SHARED || s->defsym || s->mark == 2))
                continue;
            if (s)
                s->mark = 2; /* said (mark: this pass's scratch) */
            char msg[512];
            snprintf(msg, sizeof msg, "%s: %sundefined reference to '%s'", d->path,
                     opt->warn_unresolved ? "warning: " : "", name);
            lk_diag(l, opt->warn_unresolved ? KEEL_DIAG_WARNING : KEEL_DIAG_ERROR, "%s", msg);
            if (!first && !opt->warn_unresolved && !opt->noinhibit_exec)
                first = lk_fail(l, KEEL_E_LINK, "%s", msg);
        }
    }
    return first;
}

int lk_dso_check(lk_link *l)
{
    if (!l->ndsos)
        return 0;
    /* KEEL_DEBUG_NEEDED set: the DT_NEEDED list the output side will
     * write, in its order (what tests compare with ld.bfd's readelf -d) */
    const char *dbg = getenv("KEEL_DEBUG_NEEDED");
    for (size_t i = 0; dbg && *dbg && strcmp(dbg, "0") != 0 && i < lk_dso_count(l); i++)
        lk_diag(l, KEEL_DIAG_NOTE, "needed: %s", lk_dso_needed(l, i)->soname);
    return shlib_undefined(l); /* (the output side: dyn_import.c) */
}
