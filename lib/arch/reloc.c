/* Computing and writing a relocation's value, with the overflow check,
 * from the target's description of the type; the targets by machine; the
 * class-dependent record and TLS layout helpers every target shares. */
#include "arch.h"

const ka_arch *ka_arch_for(uint16_t machine) { return machine == ka_arch_x86_64.machine ? &ka_arch_x86_64 : 0; }

const ka_arch *ka_arch_default(void) { return &ka_arch_x86_64; /* the only target built */ }

/* Whether v (already shifted right) fits a field of bits bits. */
static bool fits(uint64_t v, unsigned bits, unsigned check)
{
    if (bits >= 64 || check == KA_CHECK_NONE)
        return true;
    int64_t s = (int64_t)v;
    bool as_signed = s >= -((int64_t)1 << (bits - 1)) && s < ((int64_t)1 << (bits - 1));
    bool as_unsigned = v >> bits == 0;
    return check == KA_CHECK_SIGNED ? as_signed : check == KA_CHECK_UNSIGNED ? as_unsigned : as_signed || as_unsigned;
}

static uint64_t page(uint64_t x) { return x & ~(uint64_t)0xfff; }

static inline uint64_t value_of(const ka_howto *h, const ka_reloc_in *in)
{
    uint64_t a = (uint64_t)in->A;
    switch (h->formula) {
    case KA_F_ABS: return in->S + a;
    case KA_F_PC: return in->S + a - in->P;
    case KA_F_PLT: return in->L + a - in->P;
    case KA_F_GOTPCREL: return in->G + a - in->P;
    case KA_F_GOTOFF: return in->S + a - in->GOT;
    case KA_F_GOTPC: return in->GOT + a - in->P;
    case KA_F_PLTOFF: return in->L + a - in->GOT;
    case KA_F_GOTREL: return in->G + a - in->GOT;
    case KA_F_SIZE: return in->Z + a;
    case KA_F_TLS: return in->T + a;
    case KA_F_TLS_PC: return in->T + a - in->P;
    case KA_F_PAGE_PC: return page(in->S + a) - page(in->P);
    case KA_F_GOTPAGE_PC: return page(in->G + a) - page(in->P);
    case KA_F_PAIR: return in->T;
    default: return 0;
    }
}

uint64_t ka_reloc_value(const ka_howto *h, const ka_reloc_in *in) { return value_of(h, in); }

/* The value's low size bytes at out; constant indices, so that the
 * compiler makes one store of each width (the hot path of a link). */
static void put(uint8_t *out, uint64_t v, unsigned size, bool big_endian)
{
    if (big_endian) {
        for (unsigned i = 0; i < size; i++)
            out[size - 1 - i] = (uint8_t)(v >> (8 * i));
        return;
    }
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the host's order: one store (a load's every data relocation) */
    if (size == 8) {
        __builtin_memcpy(out, &v, 8);
        return;
    }
    if (size == 4) {
        uint32_t w = (uint32_t)v;
        __builtin_memcpy(out, &w, 4);
        return;
    }
#endif
    switch (size) {
    case 8:
        out[7] = (uint8_t)(v >> 56), out[6] = (uint8_t)(v >> 48), out[5] = (uint8_t)(v >> 40);
        out[4] = (uint8_t)(v >> 32);
        /* fall through */
    case 4:
        out[3] = (uint8_t)(v >> 24), out[2] = (uint8_t)(v >> 16);
        /* fall through */
    case 2:
        out[1] = (uint8_t)(v >> 8);
        /* fall through */
    case 1: out[0] = (uint8_t)v; break;
    default:
        for (unsigned i = 0; i < size; i++)
            out[i] = (uint8_t)(v >> (8 * i));
    }
}

/* A field narrower than its bytes, or shifted, or encoded by the target. */
static int apply_field(const ka_arch *arch, const ka_howto *h, uint64_t v, uint8_t *out, bool big_endian)
{
    uint64_t value = v;
    unsigned bits = h->bits ? h->bits : h->size * 8u;
    if (h->shift) {
        if (h->shift >= 64 || v & (((uint64_t)1 << h->shift) - 1))
            return KEEL_E_RANGE; /* a branch to an address its field cannot hold */
        /* arithmetic shift: a negative displacement stays negative */
        v = (uint64_t)((int64_t)v >> h->shift);
        bits = bits > h->shift ? bits - h->shift : 1;
    }
    if (!fits(v, bits, h->check))
        return KEEL_E_RANGE;
    if (!h->insn) /* a data field checked narrower than it is: the low bytes */
        put(out, v, h->size, big_endian);
    return h->insn ? arch && arch->encode ? arch->encode(h, out, value) : KEEL_E_UNSUPPORTED : 0;
}

int ka_reloc_apply(const ka_arch *arch, const ka_howto *h, const ka_reloc_in *in, uint8_t *out, bool big_endian,
                   uint64_t *value)
{
    uint64_t v = value_of(h, in);
    *value = v;
    if (h->size == 0)
        return 0;
    if (h->insn | h->shift | h->bits) /* an instruction field (not on the data-only path: speed) */
        return apply_field(arch, h, v, out, big_endian);
    if (!fits(v, h->size * 8u, h->check))
        return KEEL_E_RANGE;
    put(out, v, h->size, big_endian);
    return 0;
}

void ka_put_word(const ka_arch *arch, uint8_t *out, uint64_t v)
{
    put(out, v, arch->word_size, arch->byteorder == 2 /* ELFDATA2MSB */);
}

void ka_write_rela(const ka_arch *arch, uint8_t *out, uint64_t offset, uint32_t sym, uint32_t type, int64_t addend)
{
    bool be = arch->byteorder == 2 /* ELFDATA2MSB */;
    unsigned w = arch->word_size;
    /* ELF64: r_info = sym << 32 | type; ELF32: sym << 8 | (type & 0xff) */
    uint64_t info = w == 8 ? (uint64_t)sym << 32 | type : (uint64_t)sym << 8 | (type & 0xff);
    put(out, offset, w, be);
    put(out + w, info, w, be);
    put(out + 2 * w, (uint64_t)addend, w, be);
}

uint64_t ka_tls_tp(const ka_arch *arch, uint64_t start, uint64_t end, uint64_t align)
{
    if (!align)
        align = 1;
    if (arch->tls_variant == KA_TLS_VARIANT_1) /* the block after the TCB, aligned */
        return start - ((arch->tls_tcb_size + align - 1) & ~(align - 1));
    return (end + align - 1) & ~(align - 1);
}

uint16_t ka_reloc_need(const ka_arch *arch, uint32_t type, const uint8_t *code, uint64_t size, uint64_t offset,
                       bool *got_relaxes)
{
    const ka_howto *h = arch->howto(type);
    *got_relaxes = false;
    if (!h)
        return 0;
    uint16_t need = h->needs;
    /* general and local dynamic, descriptors: one block at a fixed offset
     * in an executable (the sequence is rewritten; relax_tls_le) */
    if (need & (KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC))
        return (uint16_t)((need & ~(KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC)) | KA_NEED_TLS_LE);
    if ((need & KA_NEED_TLS_IE) && code && arch->tls_ie_relaxes(type, code, size, offset))
        return (uint16_t)((need & ~KA_NEED_TLS_IE) | KA_NEED_TLS_LE);
    if ((need & KA_NEED_GOT) && code)
        *got_relaxes = arch->got_load_relaxes(type, code, size, offset);
    return need;
}
