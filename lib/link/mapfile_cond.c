/* Conditional input: the control directives ($if, $elif, $else, $endif,
 * $add, $clear, $error) and their expressions.  A directive is a whole
 * line whose first non-blank character is '$'; its argument is the rest
 * of the line, a '#' comment removed.
 *
 * Expressions: identifiers (defined or not), 0 and 1, '!', '&&', '||'
 * and parentheses.  illumos gives && and || equal precedence, left to
 * right, where C binds && tighter: an expression that mixes them without
 * parentheses would mean different things to the two readings, so keel
 * refuses it (docs/linker.md, "Mapfiles"). */
#include <string.h>

#include "mapfile_reader.h"

#define MAX_DEPTH 64 /* parentheses and '!' nested: the evaluation recurses */

typedef struct expr {
    mf_reader *r;
    const char *s, *end;
    uint32_t line;
    unsigned depth;
} expr;

static void skip(expr *e)
{
    while (e->s < e->end && mf_blank((unsigned char)*e->s))
        e->s++;
}

static int syntax(expr *e) { return mf_error(e->r, e->line, "syntax error in conditional expression"); }

static int or_and(expr *e, bool *v);

static int unary(expr *e, bool *v)
{
    skip(e);
    if (++e->depth > MAX_DEPTH)
        return mf_error(e->r, e->line, "conditional expression nested too deeply");
    int rc = 0;
    if (e->s >= e->end)
        rc = syntax(e);
    else if (*e->s == '!') {
        e->s++;
        rc = unary(e, v);
        *v = !*v;
    } else if (*e->s == '(') {
        e->s++;
        rc = or_and(e, v);
        skip(e);
        if (!rc && (e->s >= e->end || *e->s != ')'))
            rc = mf_error(e->r, e->line, "unbalanced parenthesis in conditional expression");
        e->s++;
    } else if (*e->s == '&' || *e->s == '|')
        rc = mf_error(e->r, e->line, "invalid operator use in conditional expression: '%c' without an operand", *e->s);
    else if (*e->s == ')')
        rc = mf_error(e->r, e->line, "unbalanced parenthesis in conditional expression");
    else if (mf_name_rest((unsigned char)*e->s)) {
        const char *id = e->s;
        while (e->s < e->end && mf_name_rest((unsigned char)*e->s))
            e->s++;
        size_t n = (size_t)(e->s - id);
        if (mf_digit((unsigned char)*id)) {
            if (n != 1 || (*id != '0' && *id != '1'))
                rc = mf_error(e->r, e->line, "malformed conditional expression operand: %.*s (0, 1 or a name)", (int)n,
                              id);
            *v = *id == '1';
        } else
            *v = mf_defined(e->r, id, n);
    } else
        rc = syntax(e);
    e->depth--;
    return rc;
}

static int or_and(expr *e, bool *v)
{
    int rc = unary(e, v);
    char used = 0;
    while (!rc) {
        skip(e);
        if (e->s >= e->end || *e->s == ')')
            break;
        char op = *e->s;
        if ((op != '&' && op != '|') || e->s + 1 >= e->end || e->s[1] != op) {
            if (op == '&' || op == '|')
                return mf_error(e->r, e->line, "invalid operator use in conditional expression: '%c' (expected '%c%c')",
                                op, op, op);
            return syntax(e);
        }
        if (used && used != op)
            return mf_error(e->r, e->line,
                            "invalid operator use in conditional expression: && and || mixed without parentheses");
        used = op;
        e->s += 2;
        bool w = false;
        rc = unary(e, &w);
        *v = op == '&' ? (*v && w) : (*v || w);
    }
    return rc;
}

static int eval(mf_reader *r, const char *s, const char *end, bool *v)
{
    expr e = {r, s, end, r->line, 0};
    skip(&e);
    if (e.s >= e.end)
        return syntax(&e);
    int rc = or_and(&e, v);
    skip(&e);
    if (!rc && e.s < e.end)
        rc = *e.s == ')' ? mf_error(r, r->line, "unbalanced parenthesis in conditional expression") : syntax(&e);
    return rc;
}

static int push(mf_reader *r, bool value)
{
    mf_cond *c = lk_grow(r->a, r->conds, r->nconds, &r->capconds, sizeof *c, 8);
    if (!c)
        return mf_nomem(r);
    r->conds = c;
    bool outer = !mf_skipping(r);
    c[r->nconds++] = (mf_cond){.outer = outer, .active = outer && value, .taken = value, .line = r->line};
    return 0;
}

/* $add and $clear: one name. */
static int define(mf_reader *r, const char *what, const char *s, const char *end, bool add)
{
    const char *id = s;
    while (s < end && mf_name_rest((unsigned char)*s))
        s++;
    if (s == id || s != end || mf_digit((unsigned char)*id))
        return mf_error(r, r->line, "malformed %s argument: '%.*s' (one name)", what, (int)(end - id), id);
    mf_entry *e = mf_add(r, MF_S_DEFINE, NULL, id, (size_t)(end - id));
    if (!e)
        return mf_nomem(r);
    e->val = add ? (void *)e : NULL;
    return 0;
}

int mf_control(mf_reader *r)
{
    const char *line = r->buf + r->pos, *eol = memchr(line, '\n', r->len - r->pos);
    if (!eol)
        eol = r->buf + r->len;
    r->pos = (size_t)(eol - r->buf); /* the newline is the lexer's */
    const char *name = line + 1, *p = name;
    while (p < eol && (mf_alpha((unsigned char)*p) || *p == '_'))
        p++;
    size_t n = (size_t)(p - name);
    /* the argument: blanks and a comment removed */
    const char *arg = p, *end = memchr(arg, '#', (size_t)(eol - arg));
    if (!end)
        end = eol;
    bool sep = p == eol || mf_blank((unsigned char)*p) || *p == '#';
    while (arg < end && mf_blank((unsigned char)*arg))
        arg++;
    while (end > arg && mf_blank((unsigned char)end[-1]))
        end--;
    bool none = arg == end;
#define IS(w) (sep && n == sizeof(w) - 1 && strncasecmp(name, w, n) == 0)
    bool skipping = mf_skipping(r);
    if (IS("if")) {
        bool v = false;
        if (!skipping && eval(r, arg, end, &v))
            return r->rc;
        return push(r, v);
    }
    if (IS("elif") || IS("else")) {
        bool is_else = n == 4 && strncasecmp(name, "else", 4) == 0;
        const char *w = is_else ? "$else" : "$elif";
        if (!r->nconds)
            return mf_error(r, r->line, "%s used without opening $if", w);
        mf_cond *c = &r->conds[r->nconds - 1];
        if (c->in_else)
            return mf_error(r, r->line, "%s used after $else (the $if at line %u)", w, (unsigned)c->line);
        if (is_else && !none && c->outer) /* a skipped region's arguments are not checked */
            return mf_error(r, r->line, "$else takes no argument");
        bool v = is_else;
        if (!is_else && c->outer && !c->taken && eval(r, arg, end, &v))
            return r->rc;
        c->in_else = is_else;
        c->active = c->outer && !c->taken && v;
        c->taken = c->taken || v;
        return 0;
    }
    if (IS("endif")) {
        if (!r->nconds)
            return mf_error(r, r->line, "$endif used without opening $if");
        if (!none && r->conds[r->nconds - 1].outer)
            return mf_error(r, r->line, "$endif takes no argument");
        r->nconds--;
        return 0;
    }
    if (skipping) /* in a skipped region nothing else is looked at */
        return 0;
    if (IS("add") || IS("clear"))
        return define(r, n == 3 ? "$add" : "$clear", arg, end, n == 3);
    if (IS("error"))
        return mf_error(r, r->line, "error: %.*s", (int)(end - arg), arg);
    if (IS("mapfile_version"))
        return mf_error(r, r->line, "$mapfile_version must be first directive in file");
#undef IS
    return mf_error(r, r->line, "unrecognized mapfile control directive: $%.*s", (int)(p - name + (p < eol && !sep)),
                    name);
}
