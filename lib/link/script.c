/* GNU ld input scripts standing for a library (glibc's libm.a and
 * libc.so): GROUP(...), INPUT(...) and AS_NEEDED(...) name the files
 * (AS_NEEDED's shared libraries are --as-needed, as in ld.bfd);
 * OUTPUT_FORMAT and OUTPUT_ARCH are passed over.  Read as ld.bfd reads
 * them (ldlex.l, ldgram.y, ldfile.c):
 *   - names are separated by blanks or commas, a quoted name is taken
 *     without its quotes and as it is ("-lm" in quotes is a file);
 *   - an unquoted -lNAME is libNAME.so, then libNAME.a (only .a under
 *     -Bstatic; -l:FILE is FILE) in each search directory (-L, then the
 *     default ones);
 *   - any other name is looked for in the script's directory, then as
 *     given (absolute, or relative to the working directory), then in
 *     the search directories;
 *   - a GROUP's files are searched as a group of their own, closed at
 *     its ')';
 *   - a syntax error is "script:LINE: syntax error", LINE 0 at the end of
 *     the file, after ld.bfd's "file format not recognized; treating as
 *     linker script". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

/* T_BAD: a syntax error at this token; T_ERROR: an error already set */
enum tok { T_EOF, T_NAME, T_QUOTED, T_OPEN, T_CLOSE, T_COMMA, T_SEMI, T_BAD, T_ERROR };

typedef struct lexer {
    lk_link *l;
    const char *path; /* the script */
    const char *p, *end;
    unsigned line;
    /* the current token */
    enum tok tok;
    const char *text;
    size_t len;
    unsigned tok_line;
} lexer;

static bool blank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* The next token; T_ERROR with the error set (an unterminated comment). */
static enum tok next(lexer *x)
{
    for (;;) {
        while (x->p < x->end && blank(*x->p))
            x->line += *x->p++ == '\n';
        if (x->end - x->p >= 2 && x->p[0] == '/' && x->p[1] == '*') {
            const char *c = x->p + 2;
            while (c < x->end && !(c[0] == '*' && c + 1 < x->end && c[1] == '/'))
                x->line += *c++ == '\n';
            if (c >= x->end) {
                lk_fail(x->l, KEEL_E_FORMAT, "%s: EOF in comment", x->path);
                return x->tok = T_ERROR;
            }
            x->p = c + 2;
            continue;
        }
        break;
    }
    x->tok_line = x->line;
    x->text = x->p;
    x->len = 1;
    if (x->p >= x->end) {
        x->tok_line = 0; /* ld.bfd's line at the end of the file */
        return x->tok = T_EOF;
    }
    switch (*x->p) {
    case '(': x->p++; return x->tok = T_OPEN;
    case ')': x->p++; return x->tok = T_CLOSE;
    case ',': x->p++; return x->tok = T_COMMA;
    case ';': x->p++; return x->tok = T_SEMI;
    case '"': {
        const char *q = memchr(x->p + 1, '"', (size_t)(x->end - x->p - 1));
        if (!q || memchr(x->p + 1, '\n', (size_t)(q - x->p - 1))) {
            x->p++; /* an unterminated string: a syntax error where it starts */
            return x->tok = T_BAD;
        }
        x->text = x->p + 1;
        x->len = (size_t)(q - x->p - 1);
        x->p = q + 1;
        return x->tok = T_QUOTED;
    }
    default:
        /* a comma after a name's first character is part of it, as in
         * ld's lexer ("a.o,b.o" is one name, "a.o , b.o" two) */
        while (x->p < x->end && !blank(*x->p) && !strchr("();\"", *x->p) &&
               !(x->p[0] == '/' && x->p + 1 < x->end && x->p[1] == '*'))
            x->p++;
        x->len = (size_t)(x->p - x->text);
        return x->tok = T_NAME;
    }
}

static bool is(const lexer *x, const char *word)
{
    return x->tok == T_NAME && x->len == strlen(word) && memcmp(x->text, word, x->len) == 0;
}

static int syntax_error(lexer *x)
{
    if (x->tok == T_ERROR)
        return -1; /* already said */
    lk_diag(x->l, KEEL_DIAG_WARNING, "%s: file format not recognized; treating as linker script", x->path);
    return lk_fail(x->l, KEEL_E_FORMAT, "%s:%u: syntax error", x->path, x->tok_line);
}

static bool usable(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISDIR(st.st_mode);
}

/* dir/name in the arena, or NULL when out of memory. */
static char *joined(lk_link *l, const char *dir, size_t dlen, const char *name)
{
    size_t n = strlen(name);
    bool slash = dlen && dir[dlen - 1] == '/';
    char *s = lk_alloc(&l->arena, dlen + 1 + n + 1);
    if (!s)
        return NULL;
    memcpy(s, dir, dlen);
    if (!slash)
        s[dlen++] = '/';
    memcpy(s + dlen, name, n + 1);
    return s;
}

/* --sysroot=DIR, or NULL if there is none (a sysroot of slashes only
 * prefixes nothing, as in ld.bfd). */
static const char *sysroot_of(const keel_link_options *opt)
{
    const char *r = opt->sysroot;
    return r && strspn(r, "/") != strlen(r) ? r : NULL;
}

/* Whether the file path is inside the directory root (both resolved). */
static bool under(const char *root, const char *path)
{
    char *r = realpath(root, NULL), *p = realpath(path, NULL);
    size_t rl = r ? strlen(r) : 0;
    bool in = r && p && strncmp(r, p, rl) == 0 && (p[rl] == '/' || (rl && r[rl - 1] == '/'));
    free(r);
    free(p);
    return in;
}

/* Where a name of the script is, by ld.bfd's search (the header). */
static int find(lexer *x, const char *name, bool lib, const char **out)
{
    lk_link *l = x->l;
    const keel_link_options *opt = l->opt;
    char *path;
    if (lib) { /* -lNAME: libNAME.so then libNAME.a in each directory (only .a under -Bstatic), -l:FILE: FILE */
        char file[4096];
        for (size_t d = 0; d < opt->nsearch_dirs; d++)
            for (int shared = name[0] != ':' && !l->in_static; shared >= 0; shared--) {
                snprintf(file, sizeof file,
                         name[0] == ':' ? "%s"
                         : shared       ? "lib%s.so"
                                        : "lib%s.a",
                         name[0] == ':' ? name + 1 : name);
                if (!(path = joined(l, opt->search_dirs[d], strlen(opt->search_dirs[d]), file)))
                    return lk_fail(l, KEEL_E_NOMEM, "out of memory");
                if (usable(path)) {
                    *out = path;
                    return 0;
                }
            }
        return lk_fail(l, KEEL_E_IO, "cannot find -l%s: No such file or directory", name);
    }
    /* =/path and $SYSROOT/path: under --sysroot (or / without one) */
    bool forced = name[0] == '=' || strncmp(name, "$SYSROOT", 8) == 0;
    name += name[0] == '=' ? 1 : forced ? 8 : 0;
    const char *root = sysroot_of(opt);
    if (root && name[0] == '/' && (forced || under(root, x->path))) {
        /* ld.bfd: an absolute name in a script that is itself under the
         * sysroot is under it too, and there only */
        size_t rl = strlen(root), nl = strlen(name);
        if (!(path = lk_alloc(&l->arena, rl + nl + 1)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        memcpy(path, root, rl);
        memcpy(path + rl, name, nl + 1);
        if (usable(path)) {
            *out = path;
            return 0;
        }
        return lk_fail(l, KEEL_E_IO, "cannot find %s inside %s", name, root);
    }
    if (name[0] != '/') {
        const char *slash = strrchr(x->path, '/');
        if (slash) { /* the script's own directory first */
            if (!(path = joined(l, x->path, (size_t)(slash - x->path), name)))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            if (usable(path)) {
                *out = path;
                return 0;
            }
        }
    }
    if (usable(name)) {
        *out = name;
        return 0;
    }
    for (size_t d = 0; name[0] != '/' && d < opt->nsearch_dirs; d++) {
        if (!(path = joined(l, opt->search_dirs[d], strlen(opt->search_dirs[d]), name)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        if (usable(path)) {
            *out = path;
            return 0;
        }
    }
    return lk_fail(l, KEEL_E_IO, "cannot find %s: No such file or directory", name);
}

/* The names up to the list's ')', the '(' read; AS_NEEDED lists nest. */
static int list(lexer *x, uint32_t group, bool whole, int depth, int nesting)
{
    for (bool first = true;; first = false) {
        enum tok t = next(x);
        if (t == T_CLOSE)
            return 0;
        if ((t == T_COMMA && !first) || t == T_SEMI)
            continue; /* (ld's lexer passes a ';' in a list over) */
        if (t != T_NAME && t != T_QUOTED)
            return syntax_error(x);
        if (t == T_NAME && is(x, "AS_NEEDED")) {
            if (next(x) != T_OPEN || nesting > 8)
                return syntax_error(x);
            /* its shared libraries are --as-needed (ld.bfd's ldlang.c), the rest as they were */
            bool was = x->l->in_as_needed;
            x->l->in_as_needed = true;
            int rc = list(x, group, whole, depth, nesting + 1);
            x->l->in_as_needed = was;
            if (rc)
                return rc;
            continue;
        }
        char *name = lk_strndup(&x->l->arena, x->text, x->len);
        if (!name)
            return lk_fail(x->l, KEEL_E_NOMEM, "out of memory");
        bool lib = t == T_NAME && name[0] == '-' && name[1] == 'l';
        const char *path;
        int rc = find(x, lib ? name + 2 : name, lib, &path);
        bool searched = x->l->in_searched;
        x->l->in_searched = lib; /* a shared library's DT_NEEDED name: the file's name, or the path */
        if (!rc)
            rc = lk_add_input(x->l, path, group, whole, depth + 1);
        x->l->in_searched = searched;
        if (rc)
            return rc;
    }
}

/* OUTPUT_FORMAT(a[, b, c]) and the like: names up to ')', passed over. */
static int skip_args(lexer *x)
{
    if (next(x) != T_OPEN)
        return syntax_error(x);
    for (;;) {
        enum tok t = next(x);
        if (t == T_CLOSE)
            return 0;
        if (t != T_NAME && t != T_QUOTED && t != T_COMMA)
            return syntax_error(x);
    }
}

int lk_add_script(lk_link *l, const char *path, const char *text, size_t size, uint32_t group, bool whole, int depth)
{
    /* other commands of ld's language, which keel's layout does not take */
    static const char *const unsupported[] = {
        "SECTIONS",
        "MEMORY",
        "PHDRS",
        "ENTRY",
        "SEARCH_DIR",
        "STARTUP",
        "OUTPUT",
        "TARGET",
        "INCLUDE",
        "EXTERN",
        "PROVIDE",
        "PROVIDE_HIDDEN",
        "HIDDEN",
        "ASSERT",
        "INSERT",
        "NOCROSSREFS",
        "NOCROSSREFS_TO",
        "REGION_ALIAS",
        "VERSION",
        "FORCE_COMMON_ALLOCATION",
        "INHIBIT_COMMON_ALLOCATION",
        "FORCE_GROUP_ALLOCATION",
        "LD_FEATURE",
    };
    lexer x = {.l = l, .path = path, .p = text, .end = text + size, .line = 1};
    if (l->opt->trace) /* ld.bfd's -t names the script, then what it loads */
        lk_diag(l, KEEL_DIAG_OUTPUT, "%s", path);
    for (;;) {
        enum tok t = next(&x);
        int rc = 0;
        if (t == T_EOF)
            return 0;
        if (t == T_SEMI)
            continue;
        if (is(&x, "GROUP")) {
            uint32_t own = ++l->next_group;
            rc = next(&x) != T_OPEN ? syntax_error(&x) : list(&x, own, whole, depth, 0);
            if (!rc)
                rc = lk_close_group(l, own);
        } else if (is(&x, "INPUT")) {
            rc = next(&x) != T_OPEN ? syntax_error(&x) : list(&x, group, whole, depth, 0);
        } else if (is(&x, "OUTPUT_FORMAT") || is(&x, "OUTPUT_ARCH")) {
            rc = skip_args(&x);
        } else {
            for (size_t i = 0; t == T_NAME && i < sizeof unsupported / sizeof unsupported[0]; i++)
                if (is(&x, unsupported[i]))
                    return lk_fail(l, KEEL_E_UNSUPPORTED,
                                   "%s:%u: linker script command '%s' is not supported (only "
                                   "GROUP, INPUT, AS_NEEDED and OUTPUT_FORMAT)",
                                   path, x.tok_line, unsupported[i]);
            rc = syntax_error(&x);
        }
        if (rc)
            return rc;
    }
}
