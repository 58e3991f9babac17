/* The reader of GNU version scripts and dynamic lists, as ld.bfd reads
 * them (its ldlex.l version states and ldgram.y's vers_* rules):
 *
 *   file   := node+
 *   node   := '{' tag '}' ';'  |  TAG '{' tag '}' TAG* ';'
 *   tag    := <empty> | names ';' | global: names ';' [local: names ';']
 *           | local: names ';'
 *   names  := item (';' item)*
 *   item   := IDENT | "quoted" | global | local | extern
 *           | extern "LANG" '{' names [';'] '}'
 *
 * and a dynamic list is '{' names ';' '}' ';' repeated.  The lexer keeps
 * ld.bfd's two states: between nodes a tag is [.$_a-zA-Z][._a-zA-Z0-9]*;
 * inside one (braces counted, as ld.bfd's vers_node_nesting) a name is
 * [*?.$_a-zA-Z[]-!^\]([*?.$_a-zA-Z0-9[]-!^\]|::)*, or anything in double
 * quotes; `#` to the end of the line and C comments anywhere; any other
 * character is skipped with ld.bfd's warning.  A syntax error names the
 * line of the token that made it (0 at the end of the file, as ld.bfd,
 * whose line count is reset when the file ends).
 *
 * Each node is checked as ld.bfd's lang_register_vers_node checks it when
 * it is registered: the anonymous node alone, a tag once, a name not
 * global in one node and local in another; a parent must be a node before
 * it.  Memory is the link's arena; nothing here can crash on bad input. */
#include "version_script.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum tok { T_EOF, T_LBRACE, T_RBRACE, T_SEMI, T_COLON, T_COMMA, T_GLOBAL, T_LOCAL, T_EXTERN, T_IDENT, T_NAME, T_TAG };

typedef struct lexer {
    lk_vscript *vs;
    const char *file;
    const char *p, *end;
    uint32_t line;
    bool in_node; /* ld.bfd's VERS_NODE state (else VERS_SCRIPT) */
    int nesting;
    /* the current token */
    enum tok t;
    const char *s; /* its text (IDENT, NAME, TAG), in the arena */
    uint32_t tline;
    /* one token of lookahead, read already (bison's, after global/local) */
    bool has_la;
    enum tok la_t;
    const char *la_s;
    uint32_t la_line;
    int failed; /* an error was set */
} lexer;

static int fail(lexer *lx, int code, const char *fmt, ...)
{
    if (lx->failed)
        return lx->failed;
    char msg[sizeof lx->vs->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    keel_error_set(lx->vs->err, code, 0, "%s", msg);
    lx->failed = code;
    return code;
}

static int syntax(lexer *lx)
{
    return fail(lx, KEEL_E_FORMAT, "%s:%u: syntax error in %s", lx->file, lx->t == T_EOF ? 0u : lx->tline,
                lx->vs->dynamic_list ? "dynamic list" : "VERSION script");
}

static bool alpha(unsigned char c) { return (unsigned)((c | 32) - 'a') < 26u; }
static bool digit(unsigned char c) { return (unsigned)(c - '0') < 10u; }
static bool tag_first(unsigned char c) { return c == '.' || c == '$' || c == '_' || alpha(c); }
static bool tag_char(unsigned char c) { return c == '.' || c == '_' || alpha(c) || digit(c); }
static bool ident_first(unsigned char c) { return alpha(c) || (c && strchr("*?.$_[]-!^\\", c)); }
static bool ident_char(unsigned char c) { return ident_first(c) || digit(c); }

static void invalid(lexer *lx, unsigned char c)
{
    if (!lx->vs->say)
        return;
    char what[8], msg[512];
    if (c >= 0x20 && c < 0x7f)
        snprintf(what, sizeof what, "%c", c);
    else
        snprintf(what, sizeof what, "\\%03o", c);
    snprintf(msg, sizeof msg, "%s:%u: ignoring invalid character `%s' in script", lx->file, lx->line, what);
    lx->vs->say(lx->vs->say_ctx, msg);
}

/* The next token into lx->t (T_EOF at the end; -1 on an error). */
static int lex(lexer *lx)
{
    for (;;) {
        if (lx->p >= lx->end) {
            lx->t = T_EOF;
            return 0;
        }
        unsigned char c = (unsigned char)*lx->p;
        if (c == '\n') {
            lx->line++;
            lx->p++;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            lx->p++;
            continue;
        }
        if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n')
                lx->p++;
            continue;
        }
        if (c == '/' && lx->p + 1 < lx->end && lx->p[1] == '*') {
            const char *q = lx->p + 2;
            for (;;) {
                if (q + 1 >= lx->end)
                    return fail(lx, KEEL_E_FORMAT, "EOF in comment"), -1;
                if (*q == '\n')
                    lx->line++;
                if (q[0] == '*' && q[1] == '/')
                    break;
                q++;
            }
            lx->p = q + 2;
            continue;
        }
        lx->tline = lx->line;
        const char *start = lx->p;
        switch (c) {
        case '{':
            lx->p++;
            if (lx->in_node)
                lx->nesting++;
            else {
                lx->in_node = true;
                lx->nesting = 0;
            }
            lx->t = T_LBRACE;
            return 0;
        case '}':
            lx->p++;
            if (lx->in_node && --lx->nesting < 0)
                lx->in_node = false;
            lx->t = T_RBRACE;
            return 0;
        case ';':
            lx->p++;
            lx->t = T_SEMI;
            return 0;
        case ':':
            lx->p++;
            lx->t = T_COLON;
            return 0;
        case ',':
            lx->p++;
            lx->t = T_COMMA;
            return 0;
        default: break;
        }
        if (lx->in_node && c == '"') {
            const char *q = memchr(lx->p + 1, '"', (size_t)(lx->end - lx->p - 1));
            if (q) { /* ld.bfd's lexer counts no line inside quotes */
                lx->s = lk_strndup(lx->vs->arena, lx->p + 1, (size_t)(q - lx->p - 1));
                if (!lx->s)
                    return fail(lx, KEEL_E_NOMEM, "out of memory"), -1;
                lx->p = q + 1;
                lx->t = T_NAME;
                return 0;
            }
        }
        if (lx->in_node && ident_first(c)) {
            const char *q = lx->p + 1;
            while (q < lx->end &&
                   (ident_char((unsigned char)*q) || (*q == ':' && q + 1 < lx->end && q[1] == ':' && (q += 1))))
                q++;
            size_t n = (size_t)(q - start);
            lx->p = q;
            if (n == 6 && !memcmp(start, "global", 6))
                lx->t = T_GLOBAL;
            else if (n == 5 && !memcmp(start, "local", 5))
                lx->t = T_LOCAL;
            else if (n == 6 && !memcmp(start, "extern", 6))
                lx->t = T_EXTERN;
            else
                lx->t = T_IDENT;
            if (!(lx->s = lk_strndup(lx->vs->arena, start, n)))
                return fail(lx, KEEL_E_NOMEM, "out of memory"), -1;
            return 0;
        }
        if (!lx->in_node && tag_first(c)) {
            const char *q = lx->p + 1;
            while (q < lx->end && tag_char((unsigned char)*q))
                q++;
            if (!(lx->s = lk_strndup(lx->vs->arena, start, (size_t)(q - start))))
                return fail(lx, KEEL_E_NOMEM, "out of memory"), -1;
            lx->p = q;
            lx->t = T_TAG;
            return 0;
        }
        invalid(lx, c);
        lx->p++;
    }
}

static int next(lexer *lx)
{
    if (lx->has_la) {
        lx->has_la = false;
        lx->t = lx->la_t;
        lx->s = lx->la_s;
        lx->tline = lx->la_line;
        return 0;
    }
    return lex(lx);
}

/* The token after the current one, read (its warnings said) once. */
static int peek(lexer *lx, enum tok *t)
{
    if (!lx->has_la) {
        enum tok ct = lx->t;
        const char *cs = lx->s;
        uint32_t cl = lx->tline;
        if (lex(lx))
            return -1;
        lx->la_t = lx->t;
        lx->la_s = lx->s;
        lx->la_line = lx->tline;
        lx->has_la = true;
        lx->t = ct;
        lx->s = cs;
        lx->tline = cl;
    }
    *t = lx->la_t;
    return 0;
}

/* Patterns of the node being read, before it is registered. */
typedef struct plist {
    lk_vpat *v;
    size_t n, cap;
} plist;

/* ld.bfd's realsymbol: a name with no unescaped ? * [ is a literal, its
 * backslashes removed; NULL if it is a glob. */
static const char *real_symbol(lk_arena *a, const char *pat, bool *nomem)
{
    size_t n = strlen(pat);
    if (!memchr(pat, '\\', n))
        return strpbrk(pat, "?*[") ? NULL : pat;
    char *out = lk_alloc(a, n + 1), *s = out;
    if (!out) {
        *nomem = true;
        return NULL;
    }
    bool backslash = false;
    for (const char *p = pat; *p; p++) {
        if (backslash) {
            s[-1] = *p;
            backslash = false;
        } else {
            if (*p == '?' || *p == '*' || *p == '[')
                return NULL;
            *s++ = *p;
            backslash = *p == '\\';
        }
    }
    *s = 0;
    return out;
}

static int lang_of(lexer *lx, const char *lang, uint8_t *out)
{
    if (!lang || !strcasecmp(lang, "C"))
        *out = LK_VLANG_C;
    else if (!strcasecmp(lang, "C++"))
        *out = LK_VLANG_CXX;
    else if (!strcasecmp(lang, "Java"))
        *out = LK_VLANG_JAVA;
    else
        return fail(lx, KEEL_E_FORMAT, "unknown language `%s' in version information", lang);
    return 0;
}

static int add_pat(lexer *lx, plist *pl, const char *text, uint8_t lang, bool quoted, bool global)
{
    lk_vpat *v = lk_grow(lx->vs->arena, pl->v, pl->n, &pl->cap, sizeof *v, 8);
    if (!v)
        return fail(lx, KEEL_E_NOMEM, "out of memory");
    pl->v = v;
    bool nomem = false;
    const char *lit = quoted ? text : real_symbol(lx->vs->arena, text, &nomem);
    if (nomem)
        return fail(lx, KEEL_E_NOMEM, "out of memory");
    v[pl->n++] = (lk_vpat){.pattern = lit ? lit : text,
                           .lang = lang,
                           .literal = lit != NULL,
                           .global = global,
                           .star = !lit && !strcmp(text, "*")};
    return 0;
}

static int expect(lexer *lx, enum tok t)
{
    if (lx->t != t)
        return syntax(lx);
    return next(lx) ? lx->failed : 0;
}

/* Where a list of names is: what may follow its last ';'. */
enum where { W_PLAIN, W_GLOBAL, W_EXTERN };

/* names := item (';' item)*, up to the token after the last ';' that no
 * item follows; in an extern block the list may also end without its ';'
 * before the '}'.  After `global: names;` a `local:` may follow. */
static int names(lexer *lx, plist *pl, const char *lang, bool global, enum where w)
{
    uint8_t code = LK_VLANG_C;
    if (lang_of(lx, lang, &code))
        return lx->failed;
    for (;;) {
        switch (lx->t) {
        case T_IDENT:
        case T_NAME:
            if (add_pat(lx, pl, lx->s, code, lx->t == T_NAME, global) || next(lx))
                return lx->failed;
            break;
        case T_GLOBAL:
        case T_LOCAL:
            if (add_pat(lx, pl, lx->t == T_GLOBAL ? "global" : "local", code, false, global) || next(lx))
                return lx->failed;
            break;
        case T_EXTERN:
            if (next(lx))
                return lx->failed;
            if (lx->t != T_NAME) { /* `extern` alone is a name */
                if (add_pat(lx, pl, "extern", code, false, global))
                    return lx->failed;
                break;
            }
            {
                const char *inner = lx->s;
                if (next(lx) || expect(lx, T_LBRACE) || names(lx, pl, inner, global, W_EXTERN) || expect(lx, T_RBRACE))
                    return lx->failed;
            }
            break;
        default: return syntax(lx);
        }
        /* after an item: ';' and maybe another; in an extern block '}' may end it */
        if (w == W_EXTERN && lx->t == T_RBRACE)
            return 0;
        if (expect(lx, T_SEMI))
            return lx->failed;
        if (lx->t == T_IDENT || lx->t == T_NAME || lx->t == T_EXTERN)
            continue;
        if (lx->t != T_GLOBAL && lx->t != T_LOCAL)
            return 0;
        /* global and local are names too, unless a ':' follows: then
         * `local:` ends a global list; any other is bison's error at the
         * ':', once the keyword was taken as a name */
        enum tok after;
        if (peek(lx, &after))
            return lx->failed;
        if (after != T_COLON)
            continue;
        if (w == W_GLOBAL && lx->t == T_LOCAL)
            return 0;
        return next(lx) ? lx->failed : syntax(lx);
    }
}

static uint32_t hash_name(const char *s) { return lk_hash(s); }

/* Put a literal in the table of exact names, after any of the same name
 * (so that a chain is in script order). */
static int index_literal(lk_vscript *vs, lk_vpat *p)
{
    if (2 * (vs->exact_n + 1) > vs->exact_cap) {
        size_t cap = vs->exact_cap ? 2 * vs->exact_cap : 64;
        lk_vpat **v = lk_zalloc(vs->arena, cap * sizeof *v);
        if (!v)
            return -1;
        for (size_t i = 0; i < vs->exact_cap; i++)
            if (vs->exact[i]) {
                size_t k = hash_name(vs->exact[i]->pattern) & (cap - 1);
                while (v[k])
                    k = (k + 1) & (cap - 1);
                v[k] = vs->exact[i];
            }
        vs->exact = v;
        vs->exact_cap = cap;
    }
    size_t k = hash_name(p->pattern) & (vs->exact_cap - 1);
    while (vs->exact[k]) {
        if (!strcmp(vs->exact[k]->pattern, p->pattern)) {
            lk_vpat *q = vs->exact[k];
            while (q->hnext)
                q = q->hnext;
            q->hnext = p;
            return 0;
        }
        k = (k + 1) & (vs->exact_cap - 1);
    }
    vs->exact[k] = p;
    vs->exact_n++;
    return 0;
}

/* Index a pattern: a literal by its name, a glob in the list. */
static int index_pat(lk_vscript *vs, lk_vpat *p)
{
    if (p->literal)
        return index_literal(vs, p);
    lk_vpat **v = lk_grow(vs->arena, vs->globs, vs->nglobs, &vs->capglobs, sizeof *v, 16);
    if (!v)
        return -1;
    vs->globs = v;
    v[vs->nglobs++] = p;
    return 0;
}

/* The literals of that name, first in script order (NULL: none). */
const lk_vpat *lk_vs_exact(const lk_vscript *vs, const char *name)
{
    if (!vs->exact_cap)
        return NULL;
    size_t k = hash_name(name) & (vs->exact_cap - 1);
    while (vs->exact[k]) {
        if (!strcmp(vs->exact[k]->pattern, name))
            return vs->exact[k];
        k = (k + 1) & (vs->exact_cap - 1);
    }
    return NULL;
}

const lk_vnode *lk_vs_node(const lk_vscript *vs, const char *name, size_t len)
{
    for (size_t i = 0; i < vs->n; i++)
        if (vs->nodes[i]->name && strlen(vs->nodes[i]->name) == len && !memcmp(vs->nodes[i]->name, name, len))
            return vs->nodes[i];
    return NULL;
}

/* ld.bfd's lang_register_vers_node: the checks, then the node joins the
 * script (not when it is an anonymous node among named ones). */
static int register_node(lexer *lx, const char *name, plist *pl, lk_vnode **deps, size_t ndeps)
{
    lk_vscript *vs = lx->vs;
    if (vs->n && (!name || !vs->nodes[0]->name) && !(vs->anon_last && !name && vs->nodes[0]->name))
        return fail(lx, KEEL_E_FORMAT, "anonymous version tag cannot be combined with other version tags");
    for (size_t i = 0; name && i < vs->n; i++)
        if (vs->nodes[i]->name && !strcmp(vs->nodes[i]->name, name))
            return fail(lx, KEEL_E_FORMAT, "duplicate version tag `%s'", name);
    /* a name global here and local in a node before (or the reverse), in
     * the same language: literals by the table, globs by their text */
    for (size_t j = 0; j < pl->n; j++) {
        const lk_vpat *e = &pl->v[j];
        if (e->literal) {
            for (const lk_vpat *q = lk_vs_exact(vs, e->pattern); q; q = q->hnext)
                if (q->global != e->global && q->lang == e->lang)
                    return fail(lx, KEEL_E_FORMAT, "duplicate expression `%s' in version information", e->pattern);
        } else
            for (size_t i = 0; i < vs->n; i++)
                for (size_t k = 0; k < vs->nodes[i]->npats; k++) {
                    const lk_vpat *q = &vs->nodes[i]->pats[k];
                    if (!q->literal && q->global != e->global && q->lang == e->lang && !strcmp(q->pattern, e->pattern))
                        return fail(lx, KEEL_E_FORMAT, "duplicate expression `%s' in version information", e->pattern);
                }
    }
    lk_vnode *n = lk_zalloc(vs->arena, sizeof *n);
    lk_vnode **v = lk_grow(vs->arena, vs->nodes, vs->n, &vs->cap, sizeof *v, 8);
    if (!n || !v)
        return fail(lx, KEEL_E_NOMEM, "out of memory");
    vs->nodes = v;
    *n =
        (lk_vnode){.name = name, .index = (uint32_t)vs->n, .deps = deps, .ndeps = ndeps, .pats = pl->v, .npats = pl->n};
    for (size_t j = 0; j < pl->n; j++) {
        pl->v[j].node = n;
        vs->cxx |= pl->v[j].lang == LK_VLANG_CXX;
        vs->java |= pl->v[j].lang == LK_VLANG_JAVA;
        if (index_pat(vs, &pl->v[j]))
            return fail(lx, KEEL_E_NOMEM, "out of memory");
    }
    vs->npats += pl->n;
    v[vs->n++] = n;
    return 0;
}

/* tag, between the node's braces (the '{' read, the '}' not) */
static int tag(lexer *lx, plist *pl)
{
    if (lx->t == T_RBRACE)
        return 0;
    if (lx->t == T_GLOBAL || lx->t == T_LOCAL) {
        enum tok after;
        if (peek(lx, &after))
            return lx->failed;
        if (after == T_COLON) {
            bool global = lx->t == T_GLOBAL;
            if (next(lx) || next(lx) || names(lx, pl, NULL, global, global ? W_GLOBAL : W_PLAIN))
                return lx->failed;
            if (global && lx->t == T_LOCAL) /* names() saw its ':' */
                return next(lx) || next(lx) ? lx->failed : names(lx, pl, NULL, false, W_PLAIN);
            return 0;
        }
    }
    return names(lx, pl, NULL, true, W_PLAIN);
}

static int node(lexer *lx)
{
    const char *name = NULL;
    lk_vnode **deps = NULL;
    size_t ndeps = 0, cap = 0;
    plist pl = {0};
    if (lx->t == T_TAG) {
        name = lx->s;
        if (next(lx))
            return lx->failed;
    }
    if (expect(lx, T_LBRACE) || tag(lx, &pl) || expect(lx, T_RBRACE))
        return lx->failed;
    if (name) /* ld.bfd finds each parent as it reads it */
        while (lx->t == T_TAG) {
            const lk_vnode *d = lk_vs_node(lx->vs, lx->s, strlen(lx->s));
            if (!d)
                return fail(lx, KEEL_E_FORMAT, "unable to find version dependency `%s'", lx->s);
            lk_vnode **v = lk_grow(lx->vs->arena, deps, ndeps, &cap, sizeof *v, 4);
            if (!v)
                return fail(lx, KEEL_E_NOMEM, "out of memory");
            deps = v;
            deps[ndeps++] = (lk_vnode *)d;
            if (next(lx))
                return lx->failed;
        }
    if (expect(lx, T_SEMI))
        return lx->failed;
    return register_node(lx, name, &pl, deps, ndeps);
}

/* Append patterns to a dynamic list's one node (made if need be), the
 * table of exact names rebuilt once (the old copies moved). */
static int append(lk_vscript *vs, const lk_vpat *add, size_t count)
{
    lk_vnode *n = vs->n ? vs->nodes[0] : NULL;
    if (!n) {
        lk_vnode **v = lk_grow(vs->arena, vs->nodes, 0, &vs->cap, sizeof *v, 1);
        if (!v || !(n = lk_zalloc(vs->arena, sizeof *n)))
            return -1;
        vs->nodes = v;
        v[vs->n++] = n;
    }
    if (count > SIZE_MAX / sizeof *add - n->npats)
        return -1;
    lk_vpat *p = lk_alloc(vs->arena, (n->npats + count) * sizeof *p);
    if (!p)
        return -1;
    if (n->npats)
        memcpy(p, n->pats, n->npats * sizeof *p);
    memcpy(p + n->npats, add, count * sizeof *p);
    n->pats = p;
    n->npats += count;
    vs->npats += count;
    vs->exact = NULL;
    vs->exact_cap = vs->exact_n = vs->nglobs = 0;
    for (size_t j = 0; j < n->npats; j++) {
        p[j].hnext = NULL;
        p[j].node = n;
        p[j].global = true;
        vs->cxx |= p[j].lang == LK_VLANG_CXX;
        vs->java |= p[j].lang == LK_VLANG_JAVA;
        if (index_pat(vs, &p[j]))
            return -1;
    }
    return 0;
}

/* dynamic list node := '{' names ';' '}' ';' (all in one anonymous list) */
static int list_node(lexer *lx)
{
    plist pl = {0};
    if (expect(lx, T_LBRACE) || names(lx, &pl, NULL, true, W_PLAIN) || expect(lx, T_RBRACE) || expect(lx, T_SEMI))
        return lx->failed;
    return append(lx->vs, pl.v, pl.n) ? fail(lx, KEEL_E_NOMEM, "out of memory") : 0;
}

void lk_vs_init(lk_vscript *vs, lk_arena *a, keel_error *err, bool dynamic_list)
{
    *vs = (lk_vscript){.arena = a, .err = err, .dynamic_list = dynamic_list};
}

int lk_vs_read_text(lk_vscript *vs, const char *file, const char *text, size_t len)
{
    lexer lx = {.vs = vs, .file = file, .p = text, .end = text + len, .line = 1};
    if (lex(&lx))
        return lx.failed;
    do
        if (vs->dynamic_list ? list_node(&lx) : node(&lx))
            return lx.failed;
    while (lx.t != T_EOF);
    return 0;
}

int lk_vs_add_pattern(lk_vscript *vs, const char *pattern, uint8_t lang, bool literal)
{
    lk_vpat p = {.pattern = pattern, .lang = lang, .literal = literal, .star = !literal && !strcmp(pattern, "*")};
    return append(vs, &p, 1);
}

static const char *const lang_names[] = {"C", "C++", "Java"};

void lk_vs_print(const lk_vscript *vs, FILE *out)
{
    for (size_t i = 0; i < vs->n; i++) {
        const lk_vnode *n = vs->nodes[i];
        fprintf(out, "node %s", n->name ? n->name : "(anonymous)");
        for (size_t d = 0; d < n->ndeps; d++)
            fprintf(out, "%s%s", d ? " " : " parents ", n->deps[d]->name);
        fputc('\n', out);
        for (size_t k = 0; k < n->npats; k++) {
            const lk_vpat *p = &n->pats[k];
            fprintf(out, "  %s %s %s \"%s\"\n", p->global ? "global" : "local", lang_names[p->lang],
                    p->literal ? "exact"
                    : p->star  ? "star"
                               : "glob",
                    p->pattern);
        }
    }
}
