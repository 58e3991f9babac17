/* Errors as values: a small formatter that needs no libc, so that the
 * freestanding reader can still say what is wrong and where. */
#include <stdarg.h>

#include "internal.h"

const char *keel_status_name(int code)
{
    switch (code) {
    case KEEL_OK: return "ok";
    case KEEL_E_NOT_ELF: return "not an ELF file";
    case KEEL_E_TRUNCATED: return "truncated";
    case KEEL_E_UNSUPPORTED: return "unsupported";
    case KEEL_E_RANGE: return "out of range";
    case KEEL_E_INDEX: return "bad index";
    case KEEL_E_FORMAT: return "malformed";
    case KEEL_E_LINK: return "bad link";
    case KEEL_E_CALLBACK: return "callback failed";
    case KEEL_E_NOMEM: return "out of memory";
    case KEEL_E_IO: return "I/O error";
    }
    return "error";
}

struct sink {
    char *buf;
    size_t cap, len;
};

static void put(struct sink *s, char c)
{
    if (s->len + 1 < s->cap)
        s->buf[s->len++] = c;
}

static void put_str(struct sink *s, const char *p)
{
    while (p && *p)
        put(s, *p++);
}

static void put_num(struct sink *s, uint64_t v, unsigned base)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v);
    if (base == 16)
        put_str(s, "0x");
    while (n)
        put(s, tmp[--n]);
}

int keel_error_set(keel_error *err, int code, uint64_t offset, const char *fmt, ...)
{
    if (!err)
        return code;
    struct sink s = {err->msg, sizeof err->msg, 0};
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || !p[1]) {
            put(&s, *p);
            continue;
        }
        switch (*++p) {
        case 's': put_str(&s, va_arg(ap, const char *)); break;
        case 'U': put_num(&s, va_arg(ap, uint64_t), 10); break;
        case 'X': put_num(&s, va_arg(ap, uint64_t), 16); break;
        default: put(&s, *p); break;
        }
    }
    va_end(ap);
    s.buf[s.len] = 0;
    err->code = code;
    err->offset = offset;
    return code;
}
