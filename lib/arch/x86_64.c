/* x86-64 relocations (System V psABI, "Relocation Types"), and the call
 * stub that reaches a far function through a GOT slot. */
#include "arch.h"

#define R(n, size, formula, check, needs) {"R_X86_64_" n, size, formula, check, needs}

static const kl_howto howtos[] = {
    [0] = R("NONE", 0, KL_F_NONE, KL_CHECK_NONE, 0),
    [1] = R("64", 8, KL_F_ABS, KL_CHECK_NONE, 0),
    [2] = R("PC32", 4, KL_F_PC, KL_CHECK_SIGNED, 0),
    [3] = R("GOT32", 4, KL_F_GOTREL, KL_CHECK_SIGNED, KL_NEED_GOT | KL_NEED_GOTBASE),
    [4] = R("PLT32", 4, KL_F_PLT, KL_CHECK_SIGNED, KL_NEED_PLT),
    [9] = R("GOTPCREL", 4, KL_F_GOTPCREL, KL_CHECK_SIGNED, KL_NEED_GOT),
    [10] = R("32", 4, KL_F_ABS, KL_CHECK_UNSIGNED, 0),
    [11] = R("32S", 4, KL_F_ABS, KL_CHECK_SIGNED, 0),
    [12] = R("16", 2, KL_F_ABS, KL_CHECK_EITHER, 0),
    [13] = R("PC16", 2, KL_F_PC, KL_CHECK_SIGNED, 0),
    [14] = R("8", 1, KL_F_ABS, KL_CHECK_EITHER, 0),
    [15] = R("PC8", 1, KL_F_PC, KL_CHECK_SIGNED, 0),
    [17] = R("DTPOFF64", 8, KL_F_TLS, KL_CHECK_NONE, KL_NEED_TLS_DTPOFF),
    [18] = R("TPOFF64", 8, KL_F_TLS, KL_CHECK_NONE, KL_NEED_TLS_LE),
    [19] = R("TLSGD", 4, KL_F_TLS_PC, KL_CHECK_SIGNED, KL_NEED_TLS_GD),
    [20] = R("TLSLD", 4, KL_F_TLS_PC, KL_CHECK_SIGNED, KL_NEED_TLS_LD),
    [21] = R("DTPOFF32", 4, KL_F_TLS, KL_CHECK_SIGNED, KL_NEED_TLS_DTPOFF),
    [22] = R("GOTTPOFF", 4, KL_F_TLS_PC, KL_CHECK_SIGNED, KL_NEED_TLS_IE),
    [23] = R("TPOFF32", 4, KL_F_TLS, KL_CHECK_SIGNED, KL_NEED_TLS_LE),
    [24] = R("PC64", 8, KL_F_PC, KL_CHECK_NONE, 0),
    [25] = R("GOTOFF64", 8, KL_F_GOTOFF, KL_CHECK_NONE, KL_NEED_GOTBASE),
    [26] = R("GOTPC32", 4, KL_F_GOTPC, KL_CHECK_SIGNED, KL_NEED_GOTBASE),
    [27] = R("GOT64", 8, KL_F_GOTREL, KL_CHECK_NONE, KL_NEED_GOT | KL_NEED_GOTBASE),
    [28] = R("GOTPCREL64", 8, KL_F_GOTPCREL, KL_CHECK_NONE, KL_NEED_GOT),
    [29] = R("GOTPC64", 8, KL_F_GOTPC, KL_CHECK_NONE, KL_NEED_GOTBASE),
    [32] = R("SIZE32", 4, KL_F_SIZE, KL_CHECK_UNSIGNED, 0),
    [33] = R("SIZE64", 8, KL_F_SIZE, KL_CHECK_NONE, 0),
    [34] = R("GOTPC32_TLSDESC", 4, KL_F_TLS_PC, KL_CHECK_SIGNED, KL_NEED_TLSDESC),
    [35] = R("TLSDESC_CALL", 0, KL_F_MARKER, KL_CHECK_NONE, KL_NEED_TLSDESC),
    [41] = R("GOTPCRELX", 4, KL_F_GOTPCREL, KL_CHECK_SIGNED, KL_NEED_GOT),
    [42] = R("REX_GOTPCRELX", 4, KL_F_GOTPCREL, KL_CHECK_SIGNED, KL_NEED_GOT),
};

static const kl_howto *x86_64_howto(uint32_t type)
{
    if (type >= sizeof howtos / sizeof howtos[0] || !howtos[type].name)
        return 0;
    return &howtos[type];
}

/* jmp *disp32(%rip), then int3 padding to 8 bytes */
static void x86_64_write_stub(uint8_t *out, uint64_t stub, uint64_t got_slot)
{
    uint32_t disp = (uint32_t)(got_slot - (stub + 6));
    out[0] = 0xff;
    out[1] = 0x25;
    for (int i = 0; i < 4; i++)
        out[2 + i] = (uint8_t)(disp >> (8 * i));
    out[6] = out[7] = 0xcc;
}

const kl_arch kl_arch_x86_64 = {
    .machine = 62,
    .name = "x86-64",
    .howto = x86_64_howto,
    .stub_size = 8,
    .write_stub = x86_64_write_stub,
    .pc32_reach = 0x7fffffffu,
};
