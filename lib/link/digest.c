/* SHA-1 (FIPS 180-4) and MD5 (RFC 1321), for --build-id: the core links
 * against libc only, and libc has neither.  Straightforward, one block at
 * a time; a build ID hashes the output once. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void sha1_block(uint32_t h[5], const uint8_t *p)
{
    uint32_t w[80];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 80; i++)
        w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
    for (int i = 0; i < 80; i++) {
        uint32_t f, k;
        if (i < 20)
            f = (b & c) | (~b & d), k = 0x5a827999;
        else if (i < 40)
            f = b ^ c ^ d, k = 0x6ed9eba1;
        else if (i < 60)
            f = (b & c) | (b & d) | (c & d), k = 0x8f1bbcdc;
        else
            f = b ^ c ^ d, k = 0xca62c1d6;
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d, d = c, c = rol(b, 30), b = a, a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d, h[4] += e;
}

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

/* SHA-1 with the SHA extensions (most x86-64 processors since about
 * 2017): a build ID over a big executable is worth it.  The 80 rounds are
 * 20 groups of four (sha1rnds4); the message schedule lives in four
 * registers m0..m3 that take turns.  Written out straight: a loop over the
 * groups with the registers behind pointers and the round function chosen
 * by a switch (the intrinsic wants an immediate) hashed 64 MiB at 860 MB/s
 * (gcc) and 1000 (clang), this at 1240 and 1190: the compiler keeps it all
 * in registers and interleaves the independent msg1/msg2/xor with the
 * rounds. */

/* One group of four rounds in the middle of the block: ea becomes the next
 * e (sha1nexte of the previous one and the message words ma); eb keeps abcd
 * for the group after; mb is finished by msg2 (it is the words the group
 * after next uses), mc starts its schedule with msg1 and md takes ma's
 * xor.  fn is the round function (0..3, one per 20 rounds). */
#define SHA1_GROUP(ea, eb, ma, mb, mc, md, fn)                                                                         \
    do {                                                                                                               \
        ea = _mm_sha1nexte_epu32(ea, ma);                                                                              \
        eb = abcd;                                                                                                     \
        mb = _mm_sha1msg2_epu32(mb, ma);                                                                               \
        abcd = _mm_sha1rnds4_epu32(abcd, ea, fn);                                                                      \
        mc = _mm_sha1msg1_epu32(mc, ma);                                                                               \
        md = _mm_xor_si128(md, ma);                                                                                    \
    } while (0)

__attribute__((target("sha,sse4.1"))) static void sha1_blocks_ni(uint32_t h[5], const uint8_t *p, size_t blocks)
{
    const __m128i mask = _mm_set_epi64x(0x0001020304050607ULL, 0x08090a0b0c0d0e0fULL);
    __m128i abcd = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0x1b);
    __m128i e0 = _mm_set_epi32((int)h[4], 0, 0, 0), e1;
    for (; blocks--; p += 64) {
        __m128i abcd_save = abcd, e0_save = e0, m0, m1, m2, m3;
        /* rounds 0-11: the message words are loaded as they are needed */
        m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), mask);
        e0 = _mm_add_epi32(e0, m0);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), mask);
        e1 = _mm_sha1nexte_epu32(e1, m1);
        e0 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 0);
        m0 = _mm_sha1msg1_epu32(m0, m1);
        m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), mask);
        e0 = _mm_sha1nexte_epu32(e0, m2);
        e1 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 0);
        m1 = _mm_sha1msg1_epu32(m1, m2);
        m0 = _mm_xor_si128(m0, m2);
        m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), mask);
        /* rounds 12-67: the full schedule, registers rotating */
        SHA1_GROUP(e1, e0, m3, m0, m2, m1, 0);
        SHA1_GROUP(e0, e1, m0, m1, m3, m2, 0);
        SHA1_GROUP(e1, e0, m1, m2, m0, m3, 1);
        SHA1_GROUP(e0, e1, m2, m3, m1, m0, 1);
        SHA1_GROUP(e1, e0, m3, m0, m2, m1, 1);
        SHA1_GROUP(e0, e1, m0, m1, m3, m2, 1);
        SHA1_GROUP(e1, e0, m1, m2, m0, m3, 1);
        SHA1_GROUP(e0, e1, m2, m3, m1, m0, 2);
        SHA1_GROUP(e1, e0, m3, m0, m2, m1, 2);
        SHA1_GROUP(e0, e1, m0, m1, m3, m2, 2);
        SHA1_GROUP(e1, e0, m1, m2, m0, m3, 2);
        SHA1_GROUP(e0, e1, m2, m3, m1, m0, 2);
        SHA1_GROUP(e1, e0, m3, m0, m2, m1, 3);
        SHA1_GROUP(e0, e1, m0, m1, m3, m2, 3);
        /* rounds 68-79: the schedule winds down, no more msg1 */
        e1 = _mm_sha1nexte_epu32(e1, m1);
        e0 = abcd;
        m2 = _mm_sha1msg2_epu32(m2, m1);
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
        m3 = _mm_xor_si128(m3, m1);
        e0 = _mm_sha1nexte_epu32(e0, m2);
        e1 = abcd;
        m3 = _mm_sha1msg2_epu32(m3, m2);
        abcd = _mm_sha1rnds4_epu32(abcd, e0, 3);
        e1 = _mm_sha1nexte_epu32(e1, m3);
        e0 = abcd;
        abcd = _mm_sha1rnds4_epu32(abcd, e1, 3);
        /* add the block's result to the state */
        e0 = _mm_sha1nexte_epu32(e0, e0_save);
        abcd = _mm_add_epi32(abcd, abcd_save);
    }
    _mm_storeu_si128((__m128i *)h, _mm_shuffle_epi32(abcd, 0x1b));
    h[4] = (uint32_t)_mm_extract_epi32(e0, 3);
}
#undef SHA1_GROUP

static bool have_sha_ni(void)
{
    static int known; /* 0 unknown, 1 no, 2 yes */
    if (!known) {
        unsigned a, b, c, d;
        known = __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & (1u << 29)) ? 2 : 1;
    }
    return known == 2;
}
#else
static bool have_sha_ni(void) { return false; }
static void sha1_blocks_ni(uint32_t h[5], const uint8_t *p, size_t blocks) { (void)h, (void)p, (void)blocks; }
#endif

static const uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};
static const int md5_r[64] = {7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 7,  12, 17, 22, 5,  9,  14, 20, 5,  9,
                              14, 20, 5,  9,  14, 20, 5,  9,  14, 20, 4,  11, 16, 23, 4,  11, 16, 23, 4,  11, 16, 23,
                              4,  11, 16, 23, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21, 6,  10, 15, 21};

static void md5_block(uint32_t h[4], const uint8_t *p)
{
    uint32_t m[16];
    for (int i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; i++) {
        uint32_t f;
        int g;
        if (i < 16)
            f = (b & c) | (~b & d), g = i;
        else if (i < 32)
            f = (d & b) | (~d & c), g = (5 * i + 1) % 16;
        else if (i < 48)
            f = b ^ c ^ d, g = (3 * i + 5) % 16;
        else
            f = c ^ (b | ~d), g = (7 * i) % 16;
        uint32_t t = d;
        d = c, c = b;
        b = b + rol(a + f + md5_k[i] + m[g], md5_r[i]);
        a = t;
    }
    h[0] += a, h[1] += b, h[2] += c, h[3] += d;
}

/* The digest of data[0, n): 20 bytes (SHA-1) or 16 (MD5). */
void lk_digest(bool md5, const uint8_t *data, uint64_t n, uint8_t *out)
{
    uint32_t h[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    uint64_t done = 0;
    if (!md5 && have_sha_ni()) {
        done = n & ~(uint64_t)63;
        sha1_blocks_ni(h, data, (size_t)(done / 64));
    }
    for (; n - done >= 64; done += 64)
        md5 ? md5_block(h, data + done) : sha1_block(h, data + done);
    uint8_t tail[128] = {0};
    uint64_t rest = n - done, bits = n * 8;
    memcpy(tail, data + done, rest);
    tail[rest] = 0x80;
    size_t blocks = rest + 9 > 64 ? 2 : 1;
    for (int i = 0; i < 8; i++) /* the length: little-endian for MD5, big-endian for SHA-1 */
        tail[blocks * 64 - 8 + i] = (uint8_t)(bits >> (md5 ? 8 * i : 56 - 8 * i));
    for (size_t b = 0; b < blocks; b++) {
        if (!md5 && have_sha_ni())
            sha1_blocks_ni(h, tail + 64 * b, 1);
        else
            md5 ? md5_block(h, tail + 64 * b) : sha1_block(h, tail + 64 * b);
    }
    for (int i = 0; i < (md5 ? 4 : 5); i++)
        for (int k = 0; k < 4; k++)
            out[4 * i + k] = (uint8_t)(md5 ? h[i] >> (8 * k) : h[i] >> (24 - 8 * k));
}

/* A big output is hashed as lld hashes it: the digests of its 1 MiB chunks,
 * made in parallel, then the digest of those.  The chunk size is fixed,
 * so the ID does not depend on the number of threads. */
#define TREE_CHUNK ((uint64_t)1 << 20)

typedef struct tree {
    bool md5;
    const uint8_t *data;
    uint64_t size, nchunks;
    uint8_t *digests; /* 20 bytes a chunk */
    uint64_t next;    /* atomic */
} tree;

static void *tree_worker(void *arg)
{
    tree *t = arg;
    for (;;) {
        uint64_t c = __atomic_fetch_add(&t->next, 1, __ATOMIC_RELAXED);
        if (c >= t->nchunks)
            return NULL;
        uint64_t at = c * TREE_CHUNK, n = t->size - at < TREE_CHUNK ? t->size - at : TREE_CHUNK;
        lk_digest(t->md5, t->data + at, n, t->digests + 20 * c);
    }
}

int lk_tree_digest(bool md5, const uint8_t *data, uint64_t n, uint8_t *out)
{
    if (n <= TREE_CHUNK) {
        lk_digest(md5, data, n, out);
        return 0;
    }
    tree t = {md5, data, n, (n + TREE_CHUNK - 1) / TREE_CHUNK, NULL, 0};
    (void)have_sha_ni(); /* its cache is filled here, before the workers read it */
    if (!(t.digests = calloc(t.nchunks, 20)))
        return -1;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    pthread_t th[7];
    int nth = 0;
    for (; nth < 7 && nth + 1 < cpus && (uint64_t)nth + 1 < t.nchunks; nth++)
        if (pthread_create(&th[nth], NULL, tree_worker, &t))
            break;
    tree_worker(&t);
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    lk_digest(md5, t.digests, 20 * t.nchunks, out);
    free(t.digests);
    return 0;
}
