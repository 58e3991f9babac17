/* Computing and writing a relocation's value, with the overflow check,
 * from the architecture's description of the type. */
#include "arch.h"

const kl_arch *kl_arch_for(uint16_t machine)
{
    return machine == kl_arch_x86_64.machine ? &kl_arch_x86_64 : 0;
}

static bool fits(uint64_t v, unsigned bytes, unsigned check)
{
    if (bytes >= 8 || check == KL_CHECK_NONE)
        return true;
    unsigned bits = bytes * 8;
    int64_t s = (int64_t)v;
    bool as_signed = s >= -((int64_t)1 << (bits - 1)) && s < ((int64_t)1 << (bits - 1));
    bool as_unsigned = v >> bits == 0;
    return check == KL_CHECK_SIGNED ? as_signed : check == KL_CHECK_UNSIGNED ? as_unsigned : as_signed || as_unsigned;
}

int kl_reloc_apply(const kl_arch *arch, const kl_howto *h, const kl_reloc_in *in, uint8_t *out, bool big_endian,
                   uint64_t *value)
{
    uint64_t a = (uint64_t)in->A, v;
    (void)arch;
    switch (h->formula) {
    case KL_F_ABS: v = in->S + a; break;
    case KL_F_PC: v = in->S + a - in->P; break;
    case KL_F_PLT: v = in->L + a - in->P; break;
    case KL_F_GOTPCREL: v = in->G + a - in->P; break;
    case KL_F_GOTOFF: v = in->S + a - in->GOT; break;
    case KL_F_GOTPC: v = in->GOT + a - in->P; break;
    case KL_F_PLTOFF: v = in->L + a - in->GOT; break;
    case KL_F_GOTREL: v = in->G + a - in->GOT; break;
    case KL_F_SIZE: v = in->Z + a; break;
    case KL_F_TLS: v = in->T + a; break;
    case KL_F_TLS_PC: v = in->T + a - in->P; break;
    default: v = 0; break;
    }
    *value = v;
    if (h->size == 0)
        return 0;
    if (!fits(v, h->size, h->check))
        return KEEL_E_RANGE;
    for (unsigned i = 0; i < h->size; i++)
        out[big_endian ? h->size - 1 - i : i] = (uint8_t)(v >> (8 * i));
    return 0;
}
