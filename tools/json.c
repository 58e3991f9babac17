#include "json.h"

#include <string.h>

void json_init(json *j, out *o)
{
    j->o = o;
    j->depth = 0;
    j->first[0] = true;
}

/* A value is about to be written at the current level. */
static void value_prefix(json *j)
{
    if (j->depth == 0)
        return;
    if (j->closer[j->depth - 1] == ']') {
        if (!j->first[j->depth])
            out_chr(j->o, ',');
        j->first[j->depth] = false;
    }
}

static void open(json *j, char c, char close)
{
    value_prefix(j);
    out_chr(j->o, c);
    if (j->depth < 31) {
        j->closer[j->depth++] = close;
        j->first[j->depth] = true;
    }
}

void json_obj(json *j) { open(j, '{', '}'); }
void json_arr(json *j) { open(j, '[', ']'); }

void json_end(json *j)
{
    if (j->depth == 0)
        return;
    out_chr(j->o, j->closer[--j->depth]);
    if (j->depth == 0)
        out_chr(j->o, '\n');
}

void json_unwind(json *j, int depth)
{
    while (j->depth > depth)
        json_end(j);
}

void json_key(json *j, const char *k)
{
    if (!j->first[j->depth])
        out_chr(j->o, ',');
    j->first[j->depth] = false;
    out_json_str(j->o, k, strlen(k));
    out_chr(j->o, ':');
}

void json_strn(json *j, const char *s, size_t n)
{
    value_prefix(j);
    out_json_str(j->o, s, n);
}

void json_str(json *j, const char *s)
{
    if (!s) {
        json_null(j);
        return;
    }
    json_strn(j, s, strlen(s));
}

void json_u64(json *j, uint64_t v)
{
    value_prefix(j);
    out_dec(j->o, v, 0);
}

void json_i64(json *j, int64_t v)
{
    value_prefix(j);
    out_sdec(j->o, v, 0);
}

void json_bool(json *j, bool v)
{
    value_prefix(j);
    out_str(j->o, v ? "true" : "false");
}

void json_null(json *j)
{
    value_prefix(j);
    out_str(j->o, "null");
}
