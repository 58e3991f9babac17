/* The mapfile lexer (version 2): tokens, quoting, integers as wide as the
 * output class; a '$' first on a line goes to the control directives, and
 * a region a false $if skips is passed over line by line. */
#include <string.h>

#include "mapfile_reader.h"

/* A character for a message: itself if printable, else its octal code,
 * as the notes word it ('\ooo'). */
static const char *shown(char *buf, size_t n, unsigned char c)
{
    if (c > ' ' && c < 0x7f)
        snprintf(buf, n, "%c", c);
    else
        snprintf(buf, n, "\\%03o", c);
    return buf;
}

static void to_eol(mf_reader *r)
{
    while (r->pos < r->len && r->buf[r->pos] != '\n')
        r->pos++;
}

/* An integer: C's decimal, 0x hex and leading-0 octal, unsigned, at most
 * as wide as the output class. */
static void lex_int(mf_reader *r)
{
    size_t start = r->pos, end = start;
    while (end < r->len && (mf_name_rest((unsigned char)r->buf[end])))
        end++;
    const char *s = r->buf + start;
    size_t n = end - start, i = 0;
    unsigned base = 10;
    if (n > 1 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        base = 16, i = 2;
    else if (n > 1 && s[0] == '0')
        base = 8, i = 1;
    uint64_t v = 0, max = r->t.elfclass == 1 ? UINT32_MAX : UINT64_MAX;
    bool over = false;
    if (i == n && base == 16) {
        mf_error(r, r->line, "malformed numeric value: %.*s", (int)n, s);
        return;
    }
    for (; i < n; i++) {
        int c = (unsigned char)s[i];
        unsigned d = mf_digit(c)              ? (unsigned)(c - '0')
                     : (c >= 'a' && c <= 'f') ? (unsigned)(c - 'a' + 10)
                     : (c >= 'A' && c <= 'F') ? (unsigned)(c - 'A' + 10)
                                              : 99;
        if (d >= base) {
            mf_error(r, r->line, "malformed numeric value: %.*s", (int)n, s);
            return;
        }
        if (v > (max - d) / base)
            over = true;
        else
            v = v * base + d;
    }
    if (over) {
        mf_error(r, r->line, "numeric value exceeds word size: %.*s", (int)n, s);
        return;
    }
    r->pos = end;
    r->tok.kind = MF_T_INT;
    r->tok.num = v;
    r->tok.s = s;
    r->tok.n = n;
}

/* A quoted string, on one line: '...' literal, "..." with C's escapes,
 * decoded in place (never longer than its source). */
static void lex_string(mf_reader *r)
{
    char q = r->buf[r->pos++], *out = r->buf + r->pos;
    r->tok.s = out;
    for (;;) {
        if (r->pos >= r->len || r->buf[r->pos] == '\n') {
            mf_error(r, r->line, "unterminated quoted string");
            return;
        }
        char c = r->buf[r->pos++];
        if (c == q)
            break;
        if (!c) { /* a name is a C string */
            mf_error(r, r->line, "illegal character '\\000'");
            return;
        }
        if (c == '\\' && q == '"') {
            char e = r->pos < r->len ? r->buf[r->pos] : 0;
            static const char from[] = "abfnrtv\\'\"", to[] = "\a\b\f\n\r\t\v\\'\"";
            const char *k = e ? strchr(from, e) : NULL;
            if (k) {
                c = to[k - from];
                r->pos++;
            } else if (e >= '0' && e <= '7') {
                unsigned v = 0;
                for (int d = 0; d < 3 && r->pos < r->len && r->buf[r->pos] >= '0' && r->buf[r->pos] <= '7'; d++)
                    v = v * 8 + (unsigned)(r->buf[r->pos++] - '0');
                if (v > 0xff || v == 0) { /* a NUL would cut the name short */
                    mf_error(r, r->line, "invalid octal escape in quoted string: \\%o", v);
                    return;
                }
                c = (char)v;
            } else {
                char b[8];
                mf_error(r, r->line, "invalid escape sequence in quoted string: '\\%s'",
                         shown(b, sizeof b, (unsigned char)e));
                return;
            }
        }
        *out++ = c;
    }
    r->tok.kind = MF_T_STR;
    r->tok.n = (size_t)(out - r->tok.s);
}

void mf_next(mf_reader *r)
{
    for (;;) {
        r->tok = (mf_token){.kind = MF_T_ERR, .line = r->line};
        if (r->rc)
            return;
        if (r->pos >= r->len) {
            r->tok.kind = MF_T_EOF;
            return;
        }
        unsigned char c = (unsigned char)r->buf[r->pos];
        if (r->bol) {
            while (r->pos < r->len && mf_blank((unsigned char)r->buf[r->pos]))
                r->pos++;
            r->bol = false;
            if (r->pos < r->len && r->buf[r->pos] == '$') {
                mf_control(r); /* through its line; r->bol again after the newline */
                continue;
            }
            if (mf_skipping(r))
                to_eol(r);
            continue;
        }
        if (c == '\n') {
            r->line++, r->pos++, r->bol = true;
            continue;
        }
        if (mf_blank(c)) {
            r->pos++;
            continue;
        }
        if (c == '#') {
            to_eol(r);
            continue;
        }
        char b[8];
        const char *punct = ";:={}!*";
        const char *p = strchr(punct, c);
        if (c && p) {
            static const int kinds[] = {MF_T_SEMI, MF_T_COLON, MF_T_EQ, MF_T_LBRACE, MF_T_RBRACE, MF_T_BANG, MF_T_STAR};
            r->tok.kind = kinds[p - punct];
            r->tok.s = r->buf + r->pos++;
            r->tok.n = 1;
            return;
        }
        if (c == '+' || c == '-') {
            if (r->pos + 1 < r->len && r->buf[r->pos + 1] == '=') {
                r->tok.kind = c == '+' ? MF_T_PLUSEQ : MF_T_MINUSEQ;
                r->tok.s = r->buf + r->pos;
                r->tok.n = 2;
                r->pos += 2;
                return;
            }
            mf_error(r, r->line, "unexpected text: '%c' (expected '%c=')", c, c);
            return;
        }
        if (c == '$') {
            mf_error(r, r->line, "'$' control directive not at start of line");
            return;
        }
        if (c == '\'' || c == '"') {
            lex_string(r);
            return;
        }
        if (mf_digit(c)) {
            lex_int(r);
            return;
        }
        if (mf_name_first(c)) {
            size_t end = r->pos + 1;
            while (end < r->len && mf_name_rest((unsigned char)r->buf[end]))
                end++;
            if (end < r->len && (r->buf[end] == '\'' || r->buf[end] == '"')) {
                mf_error(r, r->line, "whitespace needed before token: %c", r->buf[end]);
                return;
            }
            r->tok.kind = MF_T_NAME;
            r->tok.s = r->buf + r->pos;
            r->tok.n = end - r->pos;
            r->tok.paren = end < r->len && r->buf[end] == '(';
            r->pos = end;
            return;
        }
        if (c >= 0x80 || c < ' ' || c == 0x7f) {
            mf_error(r, r->line, "illegal character '\\%03o'", c);
            return;
        }
        mf_error(r, r->line, "unexpected text: '%s'", shown(b, sizeof b, c));
        return;
    }
}

/* MATCH(m/text/[i]) or MATCHREF(/text/), r->pos at the '(': the delimiter
 * is '/', which a backslash escapes in the text (the only escape: an
 * ERE's own backslashes stay as written); all on one line. */
int mf_lex_match(mf_reader *r, bool ref, mf_value *v)
{
    const char *what = ref ? "MATCHREF" : "MATCH";
    size_t p = r->pos + 1; /* past '(' */
    char m = 0;
    if (!ref) {
        m = p < r->len ? r->buf[p] : 0;
        if (m != 'g' && m != 'r' && m != 't')
            return mf_error(r, r->line, "%s: expected g, r or t, then /text/", what);
        p++;
    }
    if (p >= r->len || r->buf[p] != '/')
        return mf_error(r, r->line, "%s: expected /text/ after '('", what);
    p++;
    char *out = r->buf + p, *start = out;
    for (;;) {
        if (p >= r->len || r->buf[p] == '\n')
            return mf_error(r, r->line, "%s: unterminated /text/", what);
        char c = r->buf[p++];
        if (c == '/')
            break;
        if (c == '\\' && p < r->len && r->buf[p] == '/')
            c = r->buf[p++];
        *out++ = c;
    }
    bool icase = false;
    if (!ref && p < r->len && r->buf[p] == 'i')
        icase = true, p++;
    if (p >= r->len || r->buf[p] != ')')
        return mf_error(r, r->line, "%s: expected ')' after /text/%s", what, ref ? "" : " or /text/i");
    r->pos = p + 1;
    size_t n = (size_t)(out - start);
    if (!n)
        return mf_error(r, r->line, "%s: empty /text/", what);
    *v = (mf_value){.kind = ref ? MF_V_MATCHREF : MF_V_MATCH, .match = m, .icase = icase};
    if (!(v->str = lk_strndup(r->a, start, n)))
        return mf_nomem(r);
    if (memchr(v->str, 0, n))
        return mf_error(r, r->line, "%s: NUL byte in /text/", what);
    return 0;
}

/* An archive member after a file name, name(member), r->tok the name and
 * r->pos at the '(': the token grows to take it in. */
int mf_lex_member(mf_reader *r)
{
    size_t p = r->pos + 1;
    while (p < r->len && r->buf[p] != ')' && r->buf[p] != '\n' && r->buf[p])
        p++;
    if (p >= r->len || r->buf[p] != ')' || p == r->pos + 1)
        return mf_error(r, r->line, "malformed archive member: expected name(member)");
    r->tok.n += p + 1 - r->pos;
    r->pos = p + 1;
    r->tok.paren = false;
    return 0;
}

/* The first item of a file: blanks, newlines and comments skipped, then
 * `$mapfile_version 2' and nothing but a comment on its line. */
int mf_version(mf_reader *r)
{
    for (;;) {
        while (r->pos < r->len && mf_blank((unsigned char)r->buf[r->pos]))
            r->pos++;
        if (r->pos < r->len && r->buf[r->pos] == '#')
            to_eol(r);
        if (r->pos < r->len && r->buf[r->pos] == '\n') {
            r->pos++, r->line++;
            continue;
        }
        break;
    }
    static const char tag[] = "$mapfile_version";
    size_t n = sizeof tag - 1;
    if (r->len - r->pos < n || strncasecmp(r->buf + r->pos, tag, n) != 0 ||
        (r->pos + n < r->len && mf_name_rest((unsigned char)r->buf[r->pos + n])))
        return mf_error(r, r->line,
                        "not a version 2 mapfile: keel reads only version 2 mapfiles, which start with "
                        "$mapfile_version 2 (a version 1 (SysV) mapfile must be rewritten)");
    r->pos += n;
    if (r->pos >= r->len || (r->buf[r->pos] != ' ' && r->buf[r->pos] != '\t'))
        return mf_error(r, r->line, "$mapfile_version: expected a space, then the version");
    while (r->pos < r->len && mf_blank((unsigned char)r->buf[r->pos]))
        r->pos++;
    if (r->pos >= r->len || !mf_digit((unsigned char)r->buf[r->pos]))
        return mf_error(r, r->line, "$mapfile_version: expected the version, an integer");
    lex_int(r);
    if (r->rc)
        return r->rc;
    if (r->tok.num < 2)
        return mf_error(r, r->line, "must specify version 2 or higher: %.*s", (int)r->tok.n, r->tok.s);
    if (r->tok.num > 2)
        return mf_error(r, r->line, "unknown mapfile version: %.*s", (int)r->tok.n, r->tok.s);
    while (r->pos < r->len && mf_blank((unsigned char)r->buf[r->pos]))
        r->pos++;
    if (r->pos < r->len && r->buf[r->pos] == '#')
        to_eol(r);
    if (r->pos < r->len && r->buf[r->pos] != '\n')
        return mf_error(r, r->line, "$mapfile_version: unexpected text after the version");
    return 0;
}
