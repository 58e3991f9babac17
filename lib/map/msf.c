/* The MSF 7.00 container of PDB files: a superblock, fixed-size blocks,
 * a stream directory whose blocks the block map lists, and streams
 * scattered over blocks.  Everything is checked once at open (every block
 * number of every stream is below the block count, every size fits its
 * blocks), so that reading a stream afterwards needs only its bounds.
 * Nothing is copied: a stream is read block by block into the caller's
 * buffer, or viewed in place when its blocks are consecutive. */
#include "internal.h"

static const char magic[32] = "Microsoft C/C++ MSF 7.00\r\n\x1a"
                              "DS\0\0";

enum {
    SB_BLOCK_SIZE = 32,
    SB_NUM_BLOCKS = 40,
    SB_DIR_BYTES = 44,
    SB_BLOCK_MAP = 52,
    SB_SIZE = 56,
    NIL_STREAM = 0xffffffff,
};

bool keel_is_pdb(const void *data, size_t size)
{
    return size >= sizeof magic && __builtin_memcmp(data, magic, sizeof magic) == 0;
}

static uint32_t blocks_for(const keel_pdb *p, uint64_t bytes)
{
    return (uint32_t)((bytes + p->block_size - 1) / p->block_size);
}

/* Directory word i (the directory is itself scattered over blocks). */
static uint32_t dir_u32(const keel_pdb *p, uint32_t i)
{
    uint64_t o = (uint64_t)i * 4;
    uint32_t blk = km_u32(p->dir_blocks + o / p->block_size * 4);
    return km_u32(p->data + (uint64_t)blk * p->block_size + o % p->block_size);
}

static uint32_t stream_bytes(const keel_pdb *p, uint32_t s)
{
    uint32_t n = dir_u32(p, 1 + s);
    return n == NIL_STREAM ? 0 : n;
}

/* The directory word where stream s's block list starts. */
static uint32_t stream_list(const keel_pdb *p, uint32_t s)
{
    uint32_t w = 1 + p->num_streams;
    for (uint32_t j = 0; j < s; j++)
        w += blocks_for(p, stream_bytes(p, j));
    return w;
}

int km_msf_open(keel_pdb *p, const void *data, size_t size, keel_error *err)
{
    *p = (keel_pdb){0};
    const uint8_t *d = data;
    if (!keel_is_pdb(data, size))
        return keel_error_set(err, KEEL_E_FORMAT, 0, "not a PDB file (no MSF 7.00 magic)");
    if (size < SB_SIZE)
        return keel_error_set(err, KEEL_E_TRUNCATED, 0,
                              "MSF superblock (%U bytes) extends past the end of the file (%X)", (uint64_t)SB_SIZE,
                              (uint64_t)size);
    keel_pdb t = {d, size, km_u32(d + SB_BLOCK_SIZE), km_u32(d + SB_NUM_BLOCKS), km_u32(d + SB_DIR_BYTES), 0, 0, {0}};
    uint32_t bs = t.block_size;
    if (bs < 512 || bs > 32768 || (bs & (bs - 1)))
        return keel_error_set(err, KEEL_E_FORMAT, SB_BLOCK_SIZE,
                              "MSF superblock at %X: block size %U is not a power of two from 512 to 32768",
                              (uint64_t)SB_BLOCK_SIZE, (uint64_t)bs);
    if ((uint64_t)t.num_blocks * bs > size)
        return keel_error_set(err, KEEL_E_TRUNCATED, SB_NUM_BLOCKS,
                              "MSF superblock at %X: %U blocks of %U bytes extend past the end of the file (%X)",
                              (uint64_t)SB_NUM_BLOCKS, (uint64_t)t.num_blocks, (uint64_t)bs, (uint64_t)size);
    uint32_t map = km_u32(d + SB_BLOCK_MAP);
    if (map == 0 || map >= t.num_blocks)
        return keel_error_set(err, KEEL_E_RANGE, SB_BLOCK_MAP,
                              "MSF superblock at %X: block map block %U is not a block of the file (1 to %U)",
                              (uint64_t)SB_BLOCK_MAP, (uint64_t)map, (uint64_t)t.num_blocks - 1);
    t.dir_blocks = d + (uint64_t)map * bs;
    uint32_t ndir = blocks_for(&t, t.dir_size);
    if (t.dir_size < 4 || ndir > bs / 4)
        return keel_error_set(err, KEEL_E_RANGE, SB_DIR_BYTES,
                              "MSF superblock at %X: a stream directory of %U bytes does not fit one block map block",
                              (uint64_t)SB_DIR_BYTES, (uint64_t)t.dir_size);
    for (uint32_t i = 0; i < ndir; i++) {
        uint32_t b = km_u32(t.dir_blocks + i * 4);
        if (b == 0 || b >= t.num_blocks)
            return keel_error_set(err, KEEL_E_RANGE, (uint64_t)map * bs + i * 4,
                                  "MSF block map at %X: directory block %U is %U, not a block of the file (1 to %U)",
                                  (uint64_t)map * bs + i * 4, (uint64_t)i, (uint64_t)b, (uint64_t)t.num_blocks - 1);
    }
    /* the directory: its word count bounds everything read from it */
    uint32_t words = t.dir_size / 4;
    t.num_streams = dir_u32(&t, 0);
    if (t.num_streams >= words)
        return keel_error_set(err, KEEL_E_RANGE, 0,
                              "MSF stream directory at 0x0: %U streams do not fit the directory's %U bytes",
                              (uint64_t)t.num_streams, (uint64_t)t.dir_size);
    uint64_t w = 1 + (uint64_t)t.num_streams;
    for (uint32_t s = 0; s < t.num_streams; s++) {
        uint32_t n = blocks_for(&t, stream_bytes(&t, s));
        if (w + n > words)
            return keel_error_set(err, KEEL_E_RANGE, (1 + (uint64_t)s) * 4,
                                  "MSF stream directory at %X: stream %U's %U bytes need block numbers past the "
                                  "directory's end (%U bytes)",
                                  (1 + (uint64_t)s) * 4, (uint64_t)s, (uint64_t)stream_bytes(&t, s),
                                  (uint64_t)t.dir_size);
        for (uint32_t k = 0; k < n; k++, w++) {
            uint32_t b = dir_u32(&t, (uint32_t)w);
            if (b >= t.num_blocks)
                return keel_error_set(
                    err, KEEL_E_RANGE, w * 4,
                    "MSF stream directory at %X: block %U of stream %U is %U, past the file's %U blocks", w * 4,
                    (uint64_t)k, (uint64_t)s, (uint64_t)b, (uint64_t)t.num_blocks);
        }
    }
    *p = t;
    return 0;
}

int keel_pdb_stream_size(const keel_pdb *p, uint32_t stream, uint32_t *size, keel_error *err)
{
    if (stream >= p->num_streams)
        return keel_error_set(err, KEEL_E_INDEX, 0, "stream %U: the PDB has %U streams", (uint64_t)stream,
                              (uint64_t)p->num_streams);
    *size = stream_bytes(p, stream);
    return 0;
}

int keel_pdb_stream_read(const keel_pdb *p, uint32_t stream, uint32_t off, void *buf, uint32_t len, keel_error *err)
{
    uint32_t size = 0;
    int rc = keel_pdb_stream_size(p, stream, &size, err);
    if (rc)
        return rc;
    if (!kl_in_bounds(off, len, size))
        return keel_error_set(err, KEEL_E_TRUNCATED, off,
                              "stream %U at %X: %U bytes extend past the end of the stream (%X bytes)",
                              (uint64_t)stream, (uint64_t)off, (uint64_t)len, (uint64_t)size);
    uint32_t list = stream_list(p, stream);
    uint8_t *out = buf;
    while (len) {
        uint32_t k = off / p->block_size, in = off % p->block_size;
        uint32_t n = p->block_size - in < len ? p->block_size - in : len;
        uint32_t blk = dir_u32(p, list + k);
        __builtin_memcpy(out, p->data + (uint64_t)blk * p->block_size + in, n);
        out += n;
        off += n;
        len -= n;
    }
    return 0;
}

const void *keel_pdb_stream_view(const keel_pdb *p, uint32_t stream)
{
    if (stream >= p->num_streams)
        return 0;
    uint32_t list = stream_list(p, stream), n = blocks_for(p, stream_bytes(p, stream));
    if (n == 0)
        return p->data; /* an empty stream: any pointer */
    uint32_t first = dir_u32(p, list);
    for (uint32_t k = 1; k < n; k++)
        if (dir_u32(p, list + k) != first + k)
            return 0;
    return p->data + (uint64_t)first * p->block_size;
}
