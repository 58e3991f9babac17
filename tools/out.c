#include "out.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

void out_init(out *o, int fd)
{
    o->fd = fd;
    o->len = 0;
    o->failed = 0;
}

void out_flush(out *o)
{
    size_t done = 0;
    while (done < o->len && !o->failed) {
        ssize_t w = write(o->fd, o->buf + done, o->len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            o->failed = 1;
        else
            done += (size_t)w;
    }
    o->len = 0;
}

static inline void reserve(out *o, size_t n)
{
    if (o->len + n > sizeof o->buf)
        out_flush(o);
}

void out_write(out *o, const char *s, size_t n)
{
    if (n > sizeof o->buf / 2) {
        out_flush(o);
        size_t len = o->len;
        (void)len;
        while (n) {
            size_t k = n < sizeof o->buf ? n : sizeof o->buf;
            memcpy(o->buf, s, k);
            o->len = k;
            out_flush(o);
            s += k, n -= k;
        }
        return;
    }
    reserve(o, n);
    memcpy(o->buf + o->len, s, n);
    o->len += n;
}

void out_str(out *o, const char *s) { out_write(o, s, strlen(s)); }

void out_chr(out *o, char c)
{
    reserve(o, 1);
    o->buf[o->len++] = c;
}

void out_spaces(out *o, int n)
{
    while (n > 0) {
        int k = n > 64 ? 64 : n;
        reserve(o, (size_t)k);
        memset(o->buf + o->len, ' ', (size_t)k);
        o->len += (size_t)k;
        n -= k;
    }
}

void out_pad(out *o, const char *s, int width)
{
    size_t n = strlen(s);
    out_write(o, s, n);
    if ((int)n < width)
        out_spaces(o, width - (int)n);
}

void out_rpad(out *o, const char *s, int width)
{
    size_t n = strlen(s);
    if ((int)n < width)
        out_spaces(o, width - (int)n);
    out_write(o, s, n);
}

void out_hex(out *o, uint64_t v, int digits)
{
    char tmp[16];
    int n = 0;
    do {
        tmp[n++] = "0123456789abcdef"[v & 15];
        v >>= 4;
    } while (v);
    reserve(o, 32);
    while (n < digits && digits <= 16)
        tmp[n++] = '0';
    while (n)
        o->buf[o->len++] = tmp[--n];
}

void out_0x(out *o, uint64_t v, int digits)
{
    out_write(o, "0x", 2);
    out_hex(o, v, digits);
}

/* Right-justify `sign` and the decimal digits of v in `width`. */
static void put_decimal(out *o, const char *sign, uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    int len = n + (*sign != 0);
    reserve(o, 64);
    while (width > len && width < 40) {
        o->buf[o->len++] = ' ';
        width--;
    }
    if (*sign)
        o->buf[o->len++] = *sign;
    while (n)
        o->buf[o->len++] = tmp[--n];
}

void out_dec(out *o, uint64_t v, int width) { put_decimal(o, "", v, width); }

void out_sdec(out *o, int64_t v, int width)
{
    if (v < 0)
        put_decimal(o, "-", (uint64_t)0 - (uint64_t)v, width);
    else
        put_decimal(o, "", (uint64_t)v, width);
}

void out_json_str(out *o, const char *s, size_t n)
{
    out_chr(o, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\' && c < 0x7f)
            continue;
        out_write(o, s + start, i - start);
        start = i + 1;
        if (c == '"' || c == '\\') {
            out_chr(o, '\\');
            out_chr(o, (char)c);
        } else {
            /* control and non-ASCII bytes: \u00XX keeps the output valid
             * JSON whatever the names contain */
            out_write(o, "\\u00", 4);
            out_hex(o, c, 2);
        }
    }
    out_write(o, s + start, n - start);
    out_chr(o, '"');
}
