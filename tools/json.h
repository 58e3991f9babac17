/* A streaming JSON writer that tracks nesting, so that an error found
 * half-way through a file can close every open bracket and still leave a
 * valid document with an "error" member. */
#ifndef KEEL_TOOLS_JSON_H
#define KEEL_TOOLS_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "out.h"

typedef struct json {
    out *o;
    int depth;
    char closer[32];
    bool first[32];
} json;

void json_init(json *j, out *o);
void json_obj(json *j); /* { as a value */
void json_arr(json *j); /* [ as a value */
void json_end(json *j); /* close the innermost */
void json_key(json *j, const char *k);
void json_str(json *j, const char *s);
void json_strn(json *j, const char *s, size_t n);
void json_u64(json *j, uint64_t v);
void json_i64(json *j, int64_t v);
void json_bool(json *j, bool v);
void json_null(json *j);
/* Close brackets until `depth` levels remain. */
void json_unwind(json *j, int depth);

/* key + value shorthands */
static inline void json_kstr(json *j, const char *k, const char *v)
{
    json_key(j, k);
    json_str(j, v);
}
static inline void json_ku64(json *j, const char *k, uint64_t v)
{
    json_key(j, k);
    json_u64(j, v);
}

#endif
