/* The x86-64 target: its relocations (System V psABI, "Relocation
 * Types"), the call and IPLT stubs that reach a function through a GOT
 * slot, the GOT and TLS relaxations, and the machine's facts. */
#include "arch.h"

/* data fields: no narrower width, no shift, no encoding */
#define R(n, size, formula, check, needs)                                                                              \
    {                                                                                                                  \
        "R_X86_64_" n, size, formula, check, needs, 0, 0, 0                                                            \
    }

static const ka_howto howtos[] = {
    [0] = R("NONE", 0, KA_F_NONE, KA_CHECK_NONE, 0),
    [1] = R("64", 8, KA_F_ABS, KA_CHECK_NONE, 0),
    [2] = R("PC32", 4, KA_F_PC, KA_CHECK_SIGNED, 0),
    [3] = R("GOT32", 4, KA_F_GOTREL, KA_CHECK_SIGNED, KA_NEED_GOT | KA_NEED_GOTBASE),
    [4] = R("PLT32", 4, KA_F_PLT, KA_CHECK_SIGNED, KA_NEED_PLT),
    [9] = R("GOTPCREL", 4, KA_F_GOTPCREL, KA_CHECK_SIGNED, KA_NEED_GOT),
    [10] = R("32", 4, KA_F_ABS, KA_CHECK_UNSIGNED, 0),
    [11] = R("32S", 4, KA_F_ABS, KA_CHECK_SIGNED, 0),
    [12] = R("16", 2, KA_F_ABS, KA_CHECK_EITHER, 0),
    [13] = R("PC16", 2, KA_F_PC, KA_CHECK_SIGNED, 0),
    [14] = R("8", 1, KA_F_ABS, KA_CHECK_EITHER, 0),
    [15] = R("PC8", 1, KA_F_PC, KA_CHECK_SIGNED, 0),
    [17] = R("DTPOFF64", 8, KA_F_TLS, KA_CHECK_NONE, KA_NEED_TLS_DTPOFF),
    [18] = R("TPOFF64", 8, KA_F_TLS, KA_CHECK_NONE, KA_NEED_TLS_LE),
    [19] = R("TLSGD", 4, KA_F_TLS_PC, KA_CHECK_SIGNED, KA_NEED_TLS_GD),
    [20] = R("TLSLD", 4, KA_F_TLS_PC, KA_CHECK_SIGNED, KA_NEED_TLS_LD),
    [21] = R("DTPOFF32", 4, KA_F_TLS, KA_CHECK_SIGNED, KA_NEED_TLS_DTPOFF),
    [22] = R("GOTTPOFF", 4, KA_F_TLS_PC, KA_CHECK_SIGNED, KA_NEED_TLS_IE),
    [23] = R("TPOFF32", 4, KA_F_TLS, KA_CHECK_SIGNED, KA_NEED_TLS_LE),
    [24] = R("PC64", 8, KA_F_PC, KA_CHECK_NONE, 0),
    [25] = R("GOTOFF64", 8, KA_F_GOTOFF, KA_CHECK_NONE, KA_NEED_GOTBASE),
    [26] = R("GOTPC32", 4, KA_F_GOTPC, KA_CHECK_SIGNED, KA_NEED_GOTBASE),
    [27] = R("GOT64", 8, KA_F_GOTREL, KA_CHECK_NONE, KA_NEED_GOT | KA_NEED_GOTBASE),
    [28] = R("GOTPCREL64", 8, KA_F_GOTPCREL, KA_CHECK_NONE, KA_NEED_GOT),
    [29] = R("GOTPC64", 8, KA_F_GOTPC, KA_CHECK_NONE, KA_NEED_GOTBASE),
    [30] = R("GOTPLT64", 8, KA_F_GOTREL, KA_CHECK_NONE, KA_NEED_GOT | KA_NEED_GOTBASE),
    [31] = R("PLTOFF64", 8, KA_F_PLTOFF, KA_CHECK_NONE, KA_NEED_PLT | KA_NEED_GOTBASE),
    [32] = R("SIZE32", 4, KA_F_SIZE, KA_CHECK_UNSIGNED, 0),
    [33] = R("SIZE64", 8, KA_F_SIZE, KA_CHECK_NONE, 0),
    [34] = R("GOTPC32_TLSDESC", 4, KA_F_TLS_PC, KA_CHECK_SIGNED, KA_NEED_TLSDESC),
    [35] = R("TLSDESC_CALL", 0, KA_F_MARKER, KA_CHECK_NONE, KA_NEED_TLSDESC),
    [41] = R("GOTPCRELX", 4, KA_F_GOTPCREL, KA_CHECK_SIGNED, KA_NEED_GOT),
    [42] = R("REX_GOTPCRELX", 4, KA_F_GOTPCREL, KA_CHECK_SIGNED, KA_NEED_GOT),
};

static const ka_howto *x86_64_howto(uint32_t type)
{
    if (type >= sizeof howtos / sizeof howtos[0] || !howtos[type].name)
        return 0;
    return &howtos[type];
}

/* jmp *disp32(%rip), then int3 padding to size bytes */
static void jmp_through(uint8_t *out, uint64_t stub, uint64_t got_slot, unsigned size)
{
    uint32_t disp = (uint32_t)(got_slot - (stub + 6));
    out[0] = 0xff;
    out[1] = 0x25;
    for (int i = 0; i < 4; i++)
        out[2 + i] = (uint8_t)(disp >> (8 * i));
    for (unsigned i = 6; i < size; i++)
        out[i] = 0xcc;
}

/* jmp rel32: the entry of a function a live swap replaced */
static void x86_64_write_jump(uint8_t *out, uint64_t at, uint64_t to)
{
    uint32_t disp = (uint32_t)(to - (at + 5));
    out[0] = 0xe9;
    for (int i = 0; i < 4; i++)
        out[1 + i] = (uint8_t)(disp >> (8 * i));
}

/* pause; cmpb $0, flag(%rip); jne (back to the pause); jmp *slot(%rip) */
static void x86_64_write_gate(uint8_t *out, uint64_t at, uint64_t flag, uint64_t slot)
{
    uint32_t disp = (uint32_t)(flag - (at + 9));
    out[0] = 0xf3, out[1] = 0x90;
    out[2] = 0x80, out[3] = 0x3d;
    for (int i = 0; i < 4; i++)
        out[4 + i] = (uint8_t)(disp >> (8 * i));
    out[8] = 0;
    out[9] = 0x75, out[10] = 0xf5; /* -11: the pause */
    jmp_through(out + 11, at + 11, slot, 13);
}

/* the loader's far-call stub: 8 bytes */
static void x86_64_write_stub(uint8_t *out, uint64_t stub, uint64_t got_slot) { jmp_through(out, stub, got_slot, 8); }

/* an IPLT entry: 16 bytes, as GNU ld's .iplt (int3 where its lazy PLT
 * would push an index: IRELATIVE slots are filled before any call) */
static void x86_64_write_iplt(uint8_t *out, uint64_t stub, uint64_t got_slot) { jmp_through(out, stub, got_slot, 16); }

static void put_rel32(uint8_t *p, uint64_t target, uint64_t next)
{
    uint32_t d = (uint32_t)(target - next);
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(d >> (8 * i));
}

/* The lazy PLT as GNU ld writes it (elf_x86_64_lazy_plt):
 * PLT0:    pushq GOT+8(%rip); jmpq *GOT+16(%rip); nopl 0(%rax)
 * entry i: jmpq *slot(%rip); pushq $i; jmpq PLT0 */
static void x86_64_write_plt0(uint8_t *out, uint64_t plt, uint64_t got_plt)
{
    static const uint8_t code[16] = {0xff, 0x35, 0, 0, 0, 0, 0xff, 0x25, 0, 0, 0, 0, 0x0f, 0x1f, 0x40, 0x00};
    for (int i = 0; i < 16; i++)
        out[i] = code[i];
    put_rel32(out + 2, got_plt + 8, plt + 6);
    put_rel32(out + 8, got_plt + 16, plt + 12);
}

static void x86_64_write_plt(uint8_t *out, uint64_t stub, uint64_t got_slot, uint32_t index, uint64_t plt0)
{
    jmp_through(out, stub, got_slot, 6);
    out[6] = 0x68;
    for (int i = 0; i < 4; i++)
        out[7 + i] = (uint8_t)(index >> (8 * i));
    out[11] = 0xe9;
    put_rel32(out + 12, plt0, stub + 16);
}

/* .plt.got as GNU ld writes it (elf_x86_64_non_lazy_plt): jmpq *slot(%rip); xchg %ax,%ax */
static void x86_64_write_pltgot(uint8_t *out, uint64_t stub, uint64_t got_slot)
{
    jmp_through(out, stub, got_slot, 6);
    out[6] = 0x66;
    out[7] = 0x90;
}

/* elf_x86_64_tlsdesc_plt_entry: endbr64; pushq GOT+8(%rip); jmpq *tlsdesc_got(%rip) */
static void x86_64_write_tlsdesc_plt(uint8_t *out, uint64_t at, uint64_t got_plt, uint64_t tlsdesc_got)
{
    static const uint8_t code[16] = {0xf3, 0x0f, 0x1e, 0xfa, 0xff, 0x35, 0, 0, 0, 0, 0xff, 0x25, 0, 0, 0, 0};
    for (int i = 0; i < 16; i++)
        out[i] = code[i];
    put_rel32(out + 6, got_plt + 8, at + 10);
    put_rel32(out + 12, tlsdesc_got, at + 16);
}

/* GOTPCRELX and REX_GOTPCRELX (psABI "Optimize GOTPCRELX Relocations"):
 * the instructions that load from a GOT slot and can address the symbol
 * itself, the forms GNU ld relaxes in a static executable (elf64-x86-64.c,
 * elf_x86_64_convert_load_reloc): mov (8b), call and jmp through the slot
 * (ff 15, ff 25), test (85), and the binary operations adc, add, and, cmp,
 * or, sbb, sub, xor (13 03 23 3b 0b 1b 2b 33). */
static bool is_binop(uint8_t op)
{
    return op == 0x03 || op == 0x0b || op == 0x13 || op == 0x1b || op == 0x23 || op == 0x2b || op == 0x33 || op == 0x3b;
}

static bool x86_64_got_load_relaxes(uint32_t type, const uint8_t *code, uint64_t size, uint64_t offset)
{
    if ((type != 41 && type != 42) || offset < 2 || offset > size || size - offset < 4)
        return false;
    uint8_t op = code[offset - 2], modrm = code[offset - 1];
    if (op == 0xff)
        return modrm == 0x15 || modrm == 0x25;
    return (modrm & 0xc7) == 0x05 && (op == 0x8b || op == 0x85 || is_binop(op));
}

static void put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The register operand moves from ModRM.reg to r/m, and REX.R to REX.B
 * when the instruction has a REX prefix (rex: the relocation type says
 * so; the byte before the opcode may belong to the previous instruction). */
static void reg_to_rm(uint8_t *code, uint64_t offset, bool rex, uint8_t op, uint8_t ext)
{
    uint8_t modrm = code[offset - 1];
    if (rex) {
        uint8_t r = code[offset - 3];
        code[offset - 3] = (uint8_t)((r & ~4) | (r & 4) >> 2);
    }
    code[offset - 2] = op;
    code[offset - 1] = (uint8_t)(0xc0 | ext << 3 | (modrm & 0x38) >> 3);
}

/* In position-independent output only the forms that stay PC-relative
 * (mov to lea, call, jmp), as GNU ld relaxes them there: an immediate
 * would hold the link-time address. */
static bool x86_64_got_load_relaxes_pic(uint32_t type, const uint8_t *code, uint64_t size, uint64_t offset)
{
    return x86_64_got_load_relaxes(type, code, size, offset) && (code[offset - 2] == 0xff || code[offset - 2] == 0x8b);
}

static bool relax_got_load(uint8_t *code, uint64_t size, uint64_t offset, uint32_t type, uint64_t S, int64_t A,
                           uint64_t P, bool pic)
{
    if (!(pic ? x86_64_got_load_relaxes_pic : x86_64_got_load_relaxes)(type, code, size, offset))
        return false;
    uint8_t op = code[offset - 2], modrm = code[offset - 1];
    bool rex = type == 42 /* REX_GOTPCRELX */ && offset >= 3 && (code[offset - 3] & 0xf0) == 0x40;
    bool rex_w = rex && (code[offset - 3] & 0x08);
    /* an immediate: sign-extended under REX.W, else zero-extended */
    bool imm = !pic && (rex_w ? (int64_t)S >= INT32_MIN && (int64_t)S <= INT32_MAX : S <= UINT32_MAX);
    int64_t rel = (int64_t)(S + (uint64_t)A - P);
    bool near = rel >= INT32_MIN && rel <= INT32_MAX;
    if (op == 0xff && modrm == 0x25) { /* jmp *foo@GOTPCREL(%rip) -> jmp foo; nop (the field one byte earlier) */
        int64_t d = (int64_t)(S - (P + 3));
        if (d < INT32_MIN || d > INT32_MAX)
            return false;
        code[offset - 2] = 0xe9;
        put32(code + offset - 1, (uint32_t)d);
        code[offset + 3] = 0x90;
    } else if (op == 0xff) { /* call *foo@GOTPCREL(%rip) -> addr32 call foo */
        if (!near)
            return false;
        code[offset - 2] = 0x67;
        code[offset - 1] = 0xe8;
        put32(code + offset, (uint32_t)rel);
    } else if (op == 0x8b && imm) { /* mov foo@GOTPCREL(%rip), %reg -> mov $foo, %reg (as GNU ld, in an executable) */
        reg_to_rm(code, offset, rex, 0xc7, 0);
        put32(code + offset, (uint32_t)S);
    } else if (op == 0x8b && near) { /* mov foo@GOTPCREL(%rip), %reg -> lea foo(%rip), %reg (foo above 2 GiB) */
        code[offset - 2] = 0x8d;
        put32(code + offset, (uint32_t)rel);
    } else if (!imm) {
        return false;
    } else if (op == 0x85) { /* test %reg, foo@GOTPCREL(%rip) -> test $foo, %reg */
        reg_to_rm(code, offset, rex, 0xf7, 0);
        put32(code + offset, (uint32_t)S);
    } else { /* binop foo@GOTPCREL(%rip), %reg -> binop $foo, %reg (81 /n, n from the opcode) */
        reg_to_rm(code, offset, rex, 0x81, (uint8_t)((op & 0x38) >> 3));
        put32(code + offset, (uint32_t)S);
    }
    return true;
}

static bool x86_64_relax_got_load(uint8_t *code, uint64_t size, uint64_t offset, uint32_t type, uint64_t S, int64_t A,
                                  uint64_t P)
{
    return relax_got_load(code, size, offset, type, S, A, P, false);
}

static bool x86_64_relax_got_load_pic(uint8_t *code, uint64_t size, uint64_t offset, uint32_t type, uint64_t S,
                                      int64_t A, uint64_t P)
{
    return relax_got_load(code, size, offset, type, S, A, P, true);
}

/* GOTTPOFF on movq foo@gottpoff(%rip), %reg and addq foo@gottpoff(%rip),
 * %reg (REX.W 8b or 03, ModRM mod 00 r/m 101): the forms GNU ld rewrites
 * to local-exec (elf64-x86-64.c, elf_x86_64_check_tls_transition) */
static bool x86_64_tls_ie_relaxes(uint32_t type, const uint8_t *code, uint64_t size, uint64_t offset)
{
    if (type != 22 || offset < 3 || offset > size || size - offset < 4)
        return false;
    uint8_t rex = code[offset - 3], op = code[offset - 2], modrm = code[offset - 1];
    return (rex == 0x48 || rex == 0x4c) && (op == 0x8b || op == 0x03) && (modrm & 0xc7) == 0x05;
}

/* movq foo@gottpoff(%rip), %reg -> movq $tpoff, %reg (c7 /0);
 * addq foo@gottpoff(%rip), %rsp or %r12 -> addq $tpoff, %reg (81 /0);
 * addq foo@gottpoff(%rip), %reg -> leaq tpoff(%reg), %reg (8d, mod 10):
 * the register moves from ModRM.reg to r/m, REX.R to REX.B, as GNU ld
 * writes them */
static bool x86_64_relax_tls_ie(uint8_t *code, uint64_t offset, int64_t tpoff)
{
    if (tpoff < INT32_MIN || tpoff > INT32_MAX) /* the immediate is sign-extended from 32 bits */
        return false;
    uint8_t rex = code[offset - 3], op = code[offset - 2], reg = (code[offset - 1] >> 3) & 7;
    if (op == 0x8b) {
        if (rex == 0x4c)
            code[offset - 3] = 0x49;
        code[offset - 2] = 0xc7;
        code[offset - 1] = (uint8_t)(0xc0 | reg);
    } else if (reg == 4) {
        if (rex == 0x4c)
            code[offset - 3] = 0x49;
        code[offset - 2] = 0x81;
        code[offset - 1] = (uint8_t)(0xc0 | reg);
    } else {
        if (rex == 0x4c)
            code[offset - 3] = 0x4d;
        code[offset - 2] = 0x8d;
        code[offset - 1] = (uint8_t)(0x80 | reg | (reg << 3));
    }
    put32(code + offset, (uint32_t)tpoff);
    return true;
}

/* (no C library here: the loader shares this layer) */
static bool bytes_are(const uint8_t *code, uint64_t size, uint64_t at, const char *want, uint64_t n)
{
    if (at > size || size - at < n)
        return false;
    for (uint64_t i = 0; i < n; i++)
        if (code[at + i] != (uint8_t)want[i])
            return false;
    return true;
}

static void put_bytes(uint8_t *code, const char *bytes, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        code[i] = (uint8_t)bytes[i];
}

/* General dynamic, local dynamic and descriptors to local exec, in an
 * executable (psABI "Thread-Local Storage" relaxations; the sequences and
 * rewrites of GNU ld's elf64-x86-64.c, elf_x86_64_relocate_section):
 *   GD   66 lea x@tlsgd(%rip),%rdi; 66 66 rex64 call __tls_get_addr@PLT
 *        (or 66 rex64 call *__tls_get_addr@GOTPCREL(%rip), -fno-plt)
 *     -> mov %fs:0,%rax; lea x@tpoff(%rax),%rax
 *   GD, large model: lea x@tlsgd(%rip),%rdi; movabs $__tls_get_addr@pltoff,
 *        %rax; add %r15 (or %rbx),%rax; call *%rax -> the same, and a
 *        6-byte nop
 *   LD   lea x@tlsld(%rip),%rdi; call __tls_get_addr@PLT -> 66 66 66
 *        mov %fs:0,%rax (with -fno-plt's call *...@GOTPCREL: 66 66 66 66)
 *   LD, large model: as GD's -> nopw %cs:0(%rax,%rax,1); mov %fs:0,%rax
 *   GOTPC32_TLSDESC lea x@tlsdesc(%rip),%rax -> mov $tpoff,%rax
 *   TLSDESC_CALL call *x@tlscall(%rax) -> xchg %ax,%ax */
static bool x86_64_relax_tls_le(uint32_t type, uint8_t *code, uint64_t size, uint64_t offset, uint32_t tpoff,
                                uint64_t *end)
{
    static const char gd_le[] = "\x64\x48\x8b\x04\x25\0\0\0\0\x48\x8d\x80";
    if (offset > size || size - offset < 4)
        return false;
    /* the large model's call: movabs $__tls_get_addr@pltoff, %rax; add %r15 (or %rbx), %rax; call *%rax */
    bool large = size - offset >= 19 && code[offset + 4] == 0x48 && code[offset + 5] == 0xb8 &&
                 (bytes_are(code, size, offset + 14, "\x4c\x01\xf8\xff\xd0", 5) ||
                  bytes_are(code, size, offset + 14, "\x48\x01\xd8\xff\xd0", 5));
    if (type == 19 /* TLSGD */ && large && bytes_are(code, size, offset - 3, "\x48\x8d\x3d", 3)) {
        put_bytes(code + offset - 3, gd_le, 12);
        put32(code + offset + 9, tpoff);
        put_bytes(code + offset + 13, "\x66\x0f\x1f\x44\0\0", 6);
        *end = offset + 19;
    } else if (type == 19 && offset >= 4 && bytes_are(code, size, offset - 4, "\x66\x48\x8d\x3d", 4) &&
               (bytes_are(code, size, offset + 4, "\x66\x66\x48\xe8", 4) ||
                bytes_are(code, size, offset + 4, "\x66\x48\xff\x15", 4)) &&
               size - offset >= 12) {
        put_bytes(code + offset - 4, gd_le, 12);
        put32(code + offset + 8, tpoff);
        *end = offset + 12;
    } else if (type == 20 /* TLSLD */ && offset >= 3 && bytes_are(code, size, offset - 3, "\x48\x8d\x3d", 3)) {
        if (large) {
            put_bytes(code + offset - 3, "\x66\x66\x66\x66\x2e\x0f\x1f\x84\0\0\0\0\0\x64\x48\x8b\x04\x25\0\0\0\0", 22);
            *end = offset + 19;
        } else if (size - offset >= 9 && code[offset + 4] == 0xe8) {
            put_bytes(code + offset - 3, "\x66\x66\x66\x64\x48\x8b\x04\x25\0\0\0\0", 12);
            *end = offset + 9;
        } else if (size - offset >= 10 && code[offset + 4] == 0xff && code[offset + 5] == 0x15) {
            put_bytes(code + offset - 3, "\x66\x66\x66\x66\x64\x48\x8b\x04\x25\0\0\0\0", 13);
            *end = offset + 10;
        } else {
            return false;
        }
    } else if (type == 34 /* GOTPC32_TLSDESC */ && offset >= 3 && (code[offset - 3] & 0xfb) == 0x48 &&
               code[offset - 2] == 0x8d && (code[offset - 1] & 0xc7) == 0x05) {
        /* lea x@tlsdesc(%rip),%reg -> mov $tpoff,%reg (REX.R to REX.B) */
        reg_to_rm(code, offset, true, 0xc7, 0);
        put32(code + offset, tpoff);
        *end = offset + 4;
    } else if (type == 35 /* TLSDESC_CALL */ && size - offset >= 2 && code[offset] == 0xff &&
               code[offset + 1] == 0x10) {
        code[offset] = 0x66;
        code[offset + 1] = 0x90;
        *end = offset + 2;
    } else {
        return false;
    }
    return true;
}

/* General dynamic and descriptors to initial-exec, for a shared
 * library's variable in an executable (GNU ld's elf_x86_64_relocate_section,
 * "GD->IE transition", "GDesc -> IE transition"):
 *   GD   66 lea x@tlsgd(%rip),%rdi; 66 66 rex64 call __tls_get_addr@PLT
 *        (or 66 rex64 call *__tls_get_addr@GOTPCREL(%rip))
 *     -> mov %fs:0,%rax; add x@gottpoff(%rip),%rax
 *   GD, large model: lea x@tlsgd(%rip),%rdi; movabs $__tls_get_addr@pltoff,
 *        %rax; add %r15 (or %rbx),%rax; call *%rax -> the same, and a
 *        5-byte nop
 *   GOTPC32_TLSDESC lea x@tlsdesc(%rip),%reg -> mov x@gottpoff(%rip),%reg
 *   (TLSDESC_CALL: xchg %ax,%ax, as relax_tls_le writes it) */
static bool x86_64_relax_tls_to_ie(uint32_t type, uint8_t *code, uint64_t size, uint64_t offset, uint64_t place,
                                   uint64_t slot, uint64_t *end)
{
    uint64_t field; /* the slot's rel32, PC-relative to the end of the instruction (the field's) */
    static const char gd_ie[] = "\x64\x48\x8b\x04\x25\0\0\0\0\x48\x03\x05\0\0\0\0\x66\x0f\x1f\x44\0\0";
    if (offset > size || size - offset < 4)
        return false;
    bool large = size - offset >= 19 && code[offset + 4] == 0x48 && code[offset + 5] == 0xb8 &&
                 (bytes_are(code, size, offset + 14, "\x4c\x01\xf8\xff\xd0", 5) ||
                  bytes_are(code, size, offset + 14, "\x48\x01\xd8\xff\xd0", 5));
    if (type == 19 /* TLSGD */ && large && bytes_are(code, size, offset - 3, "\x48\x8d\x3d", 3)) {
        put_bytes(code + offset - 3, gd_ie, 22);
        field = offset + 9;
        *end = offset + 19;
    } else if (type == 19 && offset >= 4 && bytes_are(code, size, offset - 4, "\x66\x48\x8d\x3d", 4) &&
               (bytes_are(code, size, offset + 4, "\x66\x66\x48\xe8", 4) ||
                bytes_are(code, size, offset + 4, "\x66\x48\xff\x15", 4)) &&
               size - offset >= 12) {
        put_bytes(code + offset - 4, gd_ie, 16);
        field = offset + 8;
        *end = offset + 12;
    } else if (type == 34 /* GOTPC32_TLSDESC */ && offset >= 3 && (code[offset - 3] & 0xfb) == 0x48 &&
               code[offset - 2] == 0x8d && (code[offset - 1] & 0xc7) == 0x05) {
        code[offset - 2] = 0x8b; /* lea to mov: the slot's contents */
        field = offset;
        *end = offset + 4;
    } else {
        return false;
    }
    int64_t rel = (int64_t)(slot - (place - offset + field + 4));
    if (rel < INT32_MIN || rel > INT32_MAX)
        return false;
    put32(code + field, (uint32_t)rel);
    return true;
}

/* --emit-relocs, after the rewrites above (GNU ld's elf_x86_64_convert_load
 * and TLS transitions): a direct call or jmp, or a lea, is R_X86_64_PC32
 * (the jmp's field one byte earlier); an immediate operand is
 * R_X86_64_32S under REX.W (else R_X86_64_32), and a thread-pointer
 * offset R_X86_64_TPOFF32, both with the addend the field had before
 * the -4 of a PC-relative one. */
static void x86_64_emitted(const uint8_t *in, const uint8_t *out, uint64_t size, uint32_t *type, uint64_t *offset,
                           int64_t *addend)
{
    uint64_t at = *offset;
    if (at < 2 || at > size || size - at < 4 || in[at - 2] == out[at - 2])
        return; /* not rewritten */
    uint8_t op = out[at - 2];
    bool rex_w = at >= 3 && (out[at - 3] & 0xf8) == 0x48;
    if (*type == 22 /* GOTTPOFF */) {
        *type = 23; /* TPOFF32 */
        *addend += 4;
    } else if (*type != 41 && *type != 42) { /* GOTPCRELX, REX_GOTPCRELX */
        return;
    } else if (op == 0x67 || op == 0x8d) { /* addr32 call, lea */
        *type = 2;
    } else if (op == 0xe9) { /* jmp; nop */
        *type = 2;
        *offset = at - 1;
    } else { /* mov, test, or a binary operation, with an immediate */
        *type = rex_w ? 11 : 10;
        *addend += 4;
    }
}

/* The x86 property ranges (elfxx-x86.c, the x86-64 psABI):
 * GNU_PROPERTY_X86_UINT32_AND_LO..HI (FEATURE_1_AND: IBT, SHSTK),
 * OR_LO..HI (ISA_1_NEEDED), OR_AND_LO..HI (FEATURE_2_USED). */
static uint8_t x86_64_property_merge(uint32_t type)
{
    if (type >= 0xc0000002u && type <= 0xc0007fffu)
        return KA_PROP_AND;
    if (type >= 0xc0008000u && type <= 0xc000ffffu)
        return KA_PROP_OR;
    if (type >= 0xc0010000u && type <= 0xc0017fffu)
        return KA_PROP_OR_AND;
    return KA_PROP_NONE;
}

const ka_arch ka_arch_x86_64 = {
    .machine = 62, /* EM_X86_64 */
    .name = "x86-64",
    .bfd_name = "i386:x86-64",
    .mapfile_names = "_x86 _x86_64", /* illumos's _x86, and keel's own for x86-64 */
    .elfclass = 2,                   /* ELFCLASS64 */
    .byteorder = 1,                  /* ELFDATA2LSB */
    .word_size = 8,
    .ehdr_size = 64,
    .phdr_size = 56,
    .shdr_size = 64,
    .sym_size = 24,
    .rela_size = 24,
    /* 4 KiB pages, as GNU ld lays x86-64 out with -z separate-code */
    .max_page = 0x1000,
    .common_page = 0x1000,
    .image_base = 0x400000,
    .tls_variant = KA_TLS_VARIANT_2,
    .howto = x86_64_howto,
    .encode = 0, /* every field is data: the value's low bytes */
    .stub_size = 8,
    .write_stub = x86_64_write_stub,
    .iplt_size = 16,
    .write_iplt = x86_64_write_iplt,
    .jump_size = 5,
    .write_jump = x86_64_write_jump,
    .gate_size = 24,
    .write_gate = x86_64_write_gate,
    .dyn = {.none = 0,
            .abs = 1 /* 64 */,
            .relative = 8,
            .glob_dat = 6,
            .jump_slot = 7,
            .irelative = 37,
            .copy = 5,
            .tls_module = 16 /* DTPMOD64 */,
            .tls_offset = 17 /* DTPOFF64 */,
            .tls_tpoff = 18 /* TPOFF64 */,
            .tlsdesc = 36},
    .property_merge = x86_64_property_merge,
    .pc32_reach = 0x7fffffffu,
    .branch_reach = 0x7fffffffu, /* call and jmp rel32 */
    .got_load_relaxes = x86_64_got_load_relaxes,
    .plt0_size = 16,
    .plt_size = 16,
    .write_plt0 = x86_64_write_plt0,
    .write_plt = x86_64_write_plt,
    .plt_lazy_offset = 6,
    .pltgot_size = 8,
    .write_pltgot = x86_64_write_pltgot,
    .tlsdesc_plt_size = 16,
    .write_tlsdesc_plt = x86_64_write_tlsdesc_plt,
    .relax_got_load = x86_64_relax_got_load,
    .got_load_relaxes_pic = x86_64_got_load_relaxes_pic,
    .relax_got_load_pic = x86_64_relax_got_load_pic,
    .tls_ie_relaxes = x86_64_tls_ie_relaxes,
    .relax_tls_le = x86_64_relax_tls_le,
    .relax_tls_to_ie = x86_64_relax_tls_to_ie,
    .relax_tls_ie = x86_64_relax_tls_ie,
    .emitted = x86_64_emitted,
};
