/* A buffered writer with hand-rolled number formatting: `keel info` prints
 * millions of fields for a large library, and printf's format parsing
 * would dominate its run time. */
#ifndef KEEL_TOOLS_OUT_H
#define KEEL_TOOLS_OUT_H

#include <stddef.h>
#include <stdint.h>

typedef struct out {
    int fd;
    size_t len;
    int failed;
    char buf[1 << 16];
} out;

void out_init(out *o, int fd);
void out_flush(out *o);
void out_write(out *o, const char *s, size_t n);
void out_str(out *o, const char *s);
void out_chr(out *o, char c);
void out_spaces(out *o, int n);
/* s left-justified in a field of `width` (never truncated). */
void out_pad(out *o, const char *s, int width);
/* s right-justified in a field of `width`. */
void out_rpad(out *o, const char *s, int width);
/* lower-case hex, zero-padded to at least `digits`, no prefix. */
void out_hex(out *o, uint64_t v, int digits);
/* "0x" + hex, zero-padded to at least `digits`. */
void out_0x(out *o, uint64_t v, int digits);
/* decimal, right-justified in `width` (0: no padding). */
void out_dec(out *o, uint64_t v, int width);
void out_sdec(out *o, int64_t v, int width);
/* A JSON string literal, quotes included. */
void out_json_str(out *o, const char *s, size_t n);

#endif
