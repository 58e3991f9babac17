/* Private helpers of the ELF reader: endian-aware loads and checked
 * arithmetic.  Freestanding: only compiler builtins. */
#ifndef KEEL_ELF_INTERNAL_H
#define KEEL_ELF_INTERNAL_H

#include <keel/elf.h>

/* Constants we need; kept here instead of <elf.h> so that the reader builds
 * without any libc headers (the freestanding build). */
enum {
    KL_SHN_UNDEF = 0,
    KL_SHN_LORESERVE = 0xff00,
    KL_SHN_XINDEX = 0xffff,
    KL_PN_XNUM = 0xffff,
    KL_SHT_NULL = 0,
    KL_SHT_SYMTAB = 2,
    KL_SHT_STRTAB = 3,
    KL_SHT_RELA = 4,
    KL_SHT_DYNAMIC = 6,
    KL_SHT_NOTE = 7,
    KL_SHT_NOBITS = 8,
    KL_SHT_REL = 9,
    KL_SHT_DYNSYM = 11,
    KL_SHT_GROUP = 17,
    KL_SHT_SYMTAB_SHNDX = 18,
    KL_SHT_RELR = 19,
    KL_SHT_GNU_VERDEF = 0x6ffffffd,
    KL_SHT_GNU_VERNEED = 0x6ffffffe,
    KL_SHT_GNU_VERSYM = 0x6fffffff,
    KL_SHF_ALLOC = 0x2,
    KL_SHF_TLS = 0x400,
    KL_SHF_COMPRESSED = 0x800,
    KL_PT_LOAD = 1,
    KL_PT_DYNAMIC = 2,
    KL_PT_NOTE = 4,
    KL_PT_TLS = 7,
    KL_PT_GNU_RELRO = 0x6474e552,
};

static inline uint16_t kl_u16(const uint8_t *p, bool be)
{
    return be ? (uint16_t)((unsigned)p[0] << 8 | p[1]) : (uint16_t)((unsigned)p[1] << 8 | p[0]);
}

static inline uint32_t kl_u32(const uint8_t *p, bool be)
{
    if (be)
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static inline uint64_t kl_u64(const uint8_t *p, bool be)
{
    uint64_t a = kl_u32(p, be), b = kl_u32(p + 4, be);
    return be ? a << 32 | b : b << 32 | a;
}

/* A 32- or 64-bit word depending on the class. */
static inline uint64_t kl_word(const uint8_t *p, bool is64, bool be) { return is64 ? kl_u64(p, be) : kl_u32(p, be); }

static inline bool kl_be(const keel_elf *e) { return e->byteorder == 2; }

/* [off, off+len) lies inside [0, size). */
static inline bool kl_in_bounds(uint64_t off, uint64_t len, uint64_t size) { return off <= size && len <= size - off; }

static inline bool kl_mul_overflows(uint64_t a, uint64_t b, uint64_t *r) { return __builtin_mul_overflow(a, b, r); }

static inline bool kl_add_overflows(uint64_t a, uint64_t b, uint64_t *r) { return __builtin_add_overflow(a, b, r); }

static inline bool kl_is_pow2_or_zero(uint64_t v) { return (v & (v - 1)) == 0; }

/* Freestanding string helpers (the library may not call strlen & co). */
static inline size_t kl_strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

static inline bool kl_streq(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

static inline bool kl_memeq(const void *a, const void *b, size_t n)
{
    const uint8_t *x = a, *y = b;
    for (size_t i = 0; i < n; i++)
        if (x[i] != y[i])
            return false;
    return true;
}

/* The file offset of a pointer into the ELF buffer. */
static inline uint64_t kl_off(const keel_elf *e, const void *p) { return (uint64_t)((const uint8_t *)p - e->data); }

/* Check that section `from`'s sh_link value `link` names a section of type
 * `type_a` or `type_b`; a wrong link is reported at the sh_link field of
 * the linking section's header, where the mistake is. */
int kl_check_link(const keel_elf *e, uint32_t from, uint32_t link, uint32_t type_a, uint32_t type_b, const char *what,
                  keel_error *err);

#endif
