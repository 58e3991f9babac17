/* The pass "build ID": the .note.gnu.build-id note's header, and its
 * descriptor from the finished file (SHA-1 or MD5 over it, the descriptor
 * still zero: digest.c), a random UUID, or the bytes given.  It runs
 * after the write pass, on the whole image, and before the file is
 * renamed into place. */
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "image.h"

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

static size_t build_id_size(const keel_link_options *opt)
{
    switch (opt->build_id) {
    case KEEL_BUILD_ID_SHA1: return 20;
    case KEEL_BUILD_ID_MD5:
    case KEEL_BUILD_ID_UUID: return 16;
    case KEEL_BUILD_ID_HEX: return opt->build_id_hex_len;
    default: return 0;
    }
}

size_t lk_build_id_note_size(const keel_link_options *opt)
{
    size_t n = build_id_size(opt);
    return n ? 16 + ((n + 3) & ~(size_t)3) : 0;
}

static int write_build_id(lk_link *l, uint8_t *buf, uint64_t total)
{
    const keel_link_options *opt = l->opt;
    uint8_t *note = buf + l->build_id->offset, *desc = note + 16;
    size_t n = build_id_size(opt);
    put32(note, 4);
    put32(note + 4, (uint32_t)n);
    put32(note + 8, 3); /* NT_GNU_BUILD_ID */
    memcpy(note + 12, "GNU", 4);
    if (opt->build_id == KEEL_BUILD_ID_HEX) {
        memcpy(desc, opt->build_id_hex, n);
    } else if (opt->build_id == KEEL_BUILD_ID_UUID) {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        bool ok = fd >= 0 && read(fd, desc, 16) == 16;
        if (fd >= 0)
            close(fd);
        if (!ok)
            return lk_fail(l, KEEL_E_IO, "--build-id=uuid: cannot read /dev/urandom");
        desc[6] = (uint8_t)((desc[6] & 0x0f) | 0x40); /* version 4 */
        desc[8] = (uint8_t)((desc[8] & 0x3f) | 0x80);
    } else {
        uint8_t digest[20];
        if (lk_tree_digest(opt->build_id == KEEL_BUILD_ID_MD5, buf, total, digest))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory for the build ID");
        memcpy(desc, digest, n);
    }
    return 0;
}

int lk_pass_build_id(lk_link *l)
{
    if (!l->build_id)
        return 0;
    return write_build_id(l, l->img->out.buf, l->img->total);
}
