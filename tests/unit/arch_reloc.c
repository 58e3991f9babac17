/* The x86-64 target (lib/arch) against values worked out by hand from
 * the psABI's "Relocation Types" table: every type the target knows has
 * rows here (a type added without one fails the coverage check), each
 * with inputs S, A, P, Z, G, GOT, L, T and the bytes the field must hold,
 * or a range error and nothing written, at the boundaries of each field
 * width (signed 32 at -2^31 and 2^31-1, unsigned 32, the 8- and 16-bit
 * ones).  The type names and the dynamic-relocation vocabulary are checked
 * against the ELF reader's independent name table (lib/elf/names.c).
 * Then the stub writers, the relocation record, the TLS thread pointer,
 * the relaxations on hand-assembled instructions, and the instruction-
 * field path of ka_reloc_apply through a test encoder laid out as
 * aarch64's CALL26 and ADRP fields are. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <keel/elf.h>

#include "../../lib/arch/arch.h"

#include "tap.h"

#define NEG(x) ((uint64_t) - (int64_t)(x))
enum { FITS = 0, RANGE = 1 };

typedef struct row {
    uint32_t type;
    const char *why;
    uint64_t S;
    int64_t A;
    uint64_t P, Z, G, GOT, L, T;
    int range;       /* RANGE: the value must not fit, nothing written */
    uint64_t expect; /* the field's bytes, little-endian, as a number */
} row;

/* S, A, P, Z, G, GOT, L, T: the psABI's names (arch.h) */
static const row rows[] = {
    {0, "NONE: nothing", 0x401000, 0, 0, 0, 0, 0, 0, 0, FITS, 0},
    /* 64: S + A, word64, no overflow possible */
    {1, "64: S + A", 0x123456789abcdef0, 0x10, 0, 0, 0, 0, 0, 0, FITS, 0x123456789abcdf00},
    {1, "64: wraps modulo 2^64", 0xffffffffffffffff, 2, 0, 0, 0, 0, 0, 0, FITS, 1},
    /* PC32: S + A - P, word32 signed */
    {2, "PC32: S + A - P", 0x401000, -4, 0x400800, 0, 0, 0, 0, 0, FITS, 0x7fc},
    {2, "PC32: 2^31-1 fits", 0x80000fff, 0, 0x1000, 0, 0, 0, 0, 0, FITS, 0x7fffffff},
    {2, "PC32: 2^31 overflows", 0x80001000, 0, 0x1000, 0, 0, 0, 0, 0, RANGE, 0},
    {2, "PC32: -2^31 fits", 0, 0, 0x80000000, 0, 0, 0, 0, 0, FITS, 0x80000000},
    {2, "PC32: -2^31-1 overflows", 0, 0, 0x80000001, 0, 0, 0, 0, 0, RANGE, 0},
    /* GOT32: G + A - GOT (G the slot's address here, GOT the base) */
    {3, "GOT32: G + A - GOT", 0, 0, 0, 0, 0x602018, 0x602000, 0, 0, FITS, 0x18},
    {3, "GOT32: 2^31 overflows", 0, 0, 0, 0, 0x80602000, 0x602000, 0, 0, RANGE, 0},
    /* PLT32: L + A - P */
    {4, "PLT32: L + A - P (the stub, not S)", 0x401000, -4, 0x401000, 0, 0, 0, 0x401100, 0, FITS, 0xfc},
    {4, "PLT32: -2^31-1 overflows", 0, 0, 0x80000001, 0, 0, 0, 0, 0, RANGE, 0},
    {4, "PLT32: -2^31 fits", 0, 0, 0x80000000, 0, 0, 0, 0, 0, FITS, 0x80000000},
    /* GOTPCREL: G + GOT + A - P in the psABI with G an offset; G here is
     * the slot's address already */
    {9, "GOTPCREL: G + A - P", 0, -4, 0x401003, 0, 0x403ff8, 0, 0, 0, FITS, 0x2ff1},
    {9, "GOTPCREL: 2^31 overflows", 0, 0, 0x1000, 0, 0x80001000, 0, 0, 0, RANGE, 0},
    /* 32: S + A, word32 zero-extended */
    {10, "32: 0xffffffff fits", 0xfffffff0, 0xf, 0, 0, 0, 0, 0, 0, FITS, 0xffffffff},
    {10, "32: 2^32 overflows", 0xfffffff0, 0x10, 0, 0, 0, 0, 0, 0, RANGE, 0},
    {10, "32: -1 overflows (not zero-extended)", 0, -1, 0, 0, 0, 0, 0, 0, RANGE, 0},
    /* 32S: S + A, word32 sign-extended */
    {11, "32S: -2^31 fits", 0xffffffff80000000, 0, 0, 0, 0, 0, 0, 0, FITS, 0x80000000},
    {11, "32S: 2^31-1 fits", 0x7fffffff, 0, 0, 0, 0, 0, 0, 0, FITS, 0x7fffffff},
    {11, "32S: 2^31 overflows", 0x80000000, 0, 0, 0, 0, 0, 0, 0, RANGE, 0},
    {11, "32S: -2^31-1 overflows", 0xffffffff7fffffff, 0, 0, 0, 0, 0, 0, 0, RANGE, 0},
    /* 16: S + A, word16, either signed or unsigned */
    {12, "16: 0xffff fits", 0xffff, 0, 0, 0, 0, 0, 0, 0, FITS, 0xffff},
    {12, "16: 0x10000 overflows", 0x10000, 0, 0, 0, 0, 0, 0, 0, RANGE, 0},
    {12, "16: -0x8000 fits", NEG(0x8000), 0, 0, 0, 0, 0, 0, 0, FITS, 0x8000},
    {12, "16: -0x8001 overflows", NEG(0x8001), 0, 0, 0, 0, 0, 0, 0, RANGE, 0},
    /* PC16: S + A - P, word16 signed */
    {13, "PC16: 0x7fff fits", 0x8fff, 0, 0x1000, 0, 0, 0, 0, 0, FITS, 0x7fff},
    {13, "PC16: 0x8000 overflows", 0x9000, 0, 0x1000, 0, 0, 0, 0, 0, RANGE, 0},
    {13, "PC16: -0x8000 fits", 0, 0, 0x8000, 0, 0, 0, 0, 0, FITS, 0x8000},
    {13, "PC16: -0x8001 overflows", 0, 0, 0x8001, 0, 0, 0, 0, 0, RANGE, 0},
    /* 8: S + A, word8, either */
    {14, "8: 0xff fits", 0xf0, 0xf, 0, 0, 0, 0, 0, 0, FITS, 0xff},
    {14, "8: 0x100 overflows", 0x100, 0, 0, 0, 0, 0, 0, 0, RANGE, 0},
    {14, "8: -0x80 fits", 0, -0x80, 0, 0, 0, 0, 0, 0, FITS, 0x80},
    {14, "8: -0x81 overflows", 0, -0x81, 0, 0, 0, 0, 0, 0, RANGE, 0},
    /* PC8: S + A - P, word8 signed */
    {15, "PC8: 0x7f fits", 0x107f, 0, 0x1000, 0, 0, 0, 0, 0, FITS, 0x7f},
    {15, "PC8: 0x80 overflows", 0x1080, 0, 0x1000, 0, 0, 0, 0, 0, RANGE, 0},
    {15, "PC8: -0x80 fits", 0x1000, 0, 0x1080, 0, 0, 0, 0, 0, FITS, 0x80},
    {15, "PC8: -0x81 overflows", 0x1000, 0, 0x1081, 0, 0, 0, 0, 0, RANGE, 0},
    /* DTPOFF64: the offset in the TLS block (T) + A, word64 */
    {17, "DTPOFF64: T + A", 0, 8, 0, 0, 0, 0, 0, 0x10, FITS, 0x18},
    /* TPOFF64: the offset from the thread pointer (T) + A, word64 */
    {18, "TPOFF64: negative offset", 0, 0, 0, 0, 0, 0, 0, NEG(0x20), FITS, 0xffffffffffffffe0},
    /* TLSGD, TLSLD: the GOT pair's address (T) + A - P, word32 signed */
    {19, "TLSGD: T + A - P", 0, -4, 0x401010, 0, 0, 0, 0, 0x403000, FITS, 0x1fec},
    {19, "TLSGD: 2^31 overflows", 0, 0, 0x1000, 0, 0, 0, 0, 0x80001000, RANGE, 0},
    {20, "TLSLD: T + A - P", 0, -4, 0x401000, 0, 0, 0, 0, 0x403010, FITS, 0x200c},
    {20, "TLSLD: -2^31-1 overflows", 0, 0, 0x80000001, 0, 0, 0, 0, 0, RANGE, 0},
    /* DTPOFF32: T + A, word32 signed */
    {21, "DTPOFF32: 2^31-1 fits", 0, 0, 0, 0, 0, 0, 0, 0x7fffffff, FITS, 0x7fffffff},
    {21, "DTPOFF32: 2^31 overflows", 0, 0, 0, 0, 0, 0, 0, 0x80000000, RANGE, 0},
    {21, "DTPOFF32: -2^31 fits", 0, 0, 0, 0, 0, 0, 0, NEG(0x80000000), FITS, 0x80000000},
    {21, "DTPOFF32: -2^31-1 overflows", 0, 0, 0, 0, 0, 0, 0, NEG(0x80000001), RANGE, 0},
    /* GOTTPOFF: the IE slot's address (T) + A - P, word32 signed */
    {22, "GOTTPOFF: T + A - P", 0, -4, 0x401003, 0, 0, 0, 0, 0x403008, FITS, 0x2001},
    {22, "GOTTPOFF: 2^31 overflows", 0, 0, 0, 0, 0, 0, 0, 0x80000000, RANGE, 0},
    /* TPOFF32: T + A, word32 signed */
    {23, "TPOFF32: -8", 0, 0, 0, 0, 0, 0, 0, NEG(8), FITS, 0xfffffff8},
    {23, "TPOFF32: -2^31-1 overflows", 0, 0, 0, 0, 0, 0, 0, NEG(0x80000001), RANGE, 0},
    {23, "TPOFF32: 2^31 overflows", 0, 0, 0, 0, 0, 0, 0, 0x80000000, RANGE, 0},
    /* PC64: S + A - P, word64 */
    {24, "PC64: backwards", 0x1000, 0, 0x2000, 0, 0, 0, 0, 0, FITS, 0xfffffffffffff000},
    /* GOTOFF64: S + A - GOT, word64 */
    {25, "GOTOFF64: S + A - GOT", 0x401000, 0x20, 0, 0, 0, 0x600000, 0, 0, FITS, 0xffffffffffe01020},
    /* GOTPC32: GOT + A - P, word32 signed */
    {26, "GOTPC32: GOT + A - P", 0, 3, 0x401000, 0, 0, 0x600000, 0, 0, FITS, 0x1ff003},
    {26, "GOTPC32: 2^31 overflows", 0, 0, 0x1000, 0, 0, 0x80001000, 0, 0, RANGE, 0},
    /* GOT64: G + A - GOT, word64 */
    {27, "GOT64: G + A - GOT", 0, 0, 0, 0, 0x600010, 0x600000, 0, 0, FITS, 0x10},
    /* GOTPCREL64: G + A - P, word64 */
    {28, "GOTPCREL64: G + A - P", 0, 0, 0x700000, 0, 0x600010, 0, 0, 0, FITS, 0xfffffffffff00010},
    /* GOTPC64: GOT + A - P, word64 */
    {29, "GOTPC64: GOT + A - P", 0, -8, 0x400000, 0, 0, 0x600000, 0, 0, FITS, 0x1ffff8},
    /* GOTPLT64: G + A - GOT (a GOT slot kept for the PLT), word64 */
    {30, "GOTPLT64: G + A - GOT", 0, 0, 0, 0, 0x600028, 0x600000, 0, 0, FITS, 0x28},
    /* PLTOFF64: L + A - GOT, word64 */
    {31, "PLTOFF64: L + A - GOT", 0, 0, 0, 0, 0, 0x600000, 0x401000, 0, FITS, 0xffffffffffe01000},
    /* SIZE32: Z + A, word32 zero-extended */
    {32, "SIZE32: Z + A", 0, 0x10, 0, 0x100, 0, 0, 0, 0, FITS, 0x110},
    {32, "SIZE32: 2^32 overflows", 0, 1, 0, 0xffffffff, 0, 0, 0, 0, RANGE, 0},
    /* SIZE64: Z + A, word64 */
    {33, "SIZE64: Z + A", 0, 0, 0, 0x100000000, 0, 0, 0, 0, FITS, 0x100000000},
    /* GOTPC32_TLSDESC: the descriptor's address (T) + A - P, word32 signed */
    {34, "GOTPC32_TLSDESC: T + A - P", 0, -4, 0x401000, 0, 0, 0, 0, 0x403020, FITS, 0x201c},
    {34, "GOTPC32_TLSDESC: -2^31-1 overflows", 0, 0, 0x80000001, 0, 0, 0, 0, 0, RANGE, 0},
    /* TLSDESC_CALL: marks the call, writes nothing */
    {35, "TLSDESC_CALL: nothing", 0x401000, 0, 0x400000, 0, 0, 0, 0, 0x403020, FITS, 0},
    /* GOTPCRELX, REX_GOTPCRELX: as GOTPCREL when not relaxed */
    {41, "GOTPCRELX: G + A - P", 0, -4, 0x401003, 0, 0x403ff8, 0, 0, 0, FITS, 0x2ff1},
    {41, "GOTPCRELX: 2^31 overflows", 0, 0, 0x1000, 0, 0x80001000, 0, 0, 0, RANGE, 0},
    {42, "REX_GOTPCRELX: G + A - P", 0, -4, 0x401003, 0, 0x403ff8, 0, 0, 0, FITS, 0x2ff1},
    {42, "REX_GOTPCRELX: -2^31-1 overflows", 0, 0, 0x80000001, 0, 0x0, 0, 0, 0, RANGE, 0},
};

static void check_rows(const ka_arch *a)
{
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const row *r = &rows[i];
        const ka_howto *h = a->howto(r->type);
        if (!ok(h != NULL, "type %u is known (%s)", r->type, r->why))
            continue;
        uint8_t buf[16];
        memset(buf, 0xaa, sizeof buf);
        ka_reloc_in in = {.S = r->S, .A = r->A, .P = r->P, .Z = r->Z, .G = r->G, .GOT = r->GOT, .L = r->L, .T = r->T};
        if (r->type == 4 && !in.L) /* PLT32 with the target in reach: L = S */
            in.L = in.S;
        uint64_t value;
        int rc = ka_reloc_apply(a, h, &in, buf + 4, false, &value);
        bool untouched = true;
        for (int k = 0; k < 16; k++)
            if ((k < 4 || k >= 4 + h->size || r->range || h->size == 0) && buf[k] != 0xaa)
                untouched = false;
        if (r->range) {
            ok(rc == KEEL_E_RANGE && untouched, "%s: %s (rc %d)", h->name, r->why, rc);
            continue;
        }
        uint64_t got = 0;
        for (unsigned k = 0; k < h->size; k++)
            got |= (uint64_t)buf[4 + k] << (8 * k);
        ok(rc == 0 && untouched && got == r->expect, "%s: %s: %#llx (want %#llx)", h->name, r->why,
           (unsigned long long)got, (unsigned long long)r->expect);
    }
}

/* Every type the target knows has a row; the names are the reader's. */
static void check_coverage(const ka_arch *a)
{
    int known = 0, missing = 0;
    for (uint32_t t = 0; t < 256; t++) {
        const ka_howto *h = a->howto(t);
        if (!h)
            continue;
        known++;
        bool has_row = false;
        for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
            has_row |= rows[i].type == t;
        if (!has_row) {
            missing++;
            ok(0, "type %u (%s) has a hand-worked row", t, h->name);
        }
        const char *name = keel_reloc_type_name(a->machine, t);
        ok(name && strcmp(name, h->name) == 0, "type %u is named %s (reader: %s)", t, h->name, name ? name : "?");
    }
    ok(known >= 33 && missing == 0, "all %d types the target knows have rows", known);
}

static void check_target(const ka_arch *a)
{
    ok(ka_arch_for(a->machine) == a, "ka_arch_for(e_machine %u) is the %s target", a->machine, a->name);
    ok(ka_arch_for(3) == NULL && ka_arch_for(183) == NULL, "no target for a machine not built");
    ok(a->elfclass == 2 && a->byteorder == 1 && a->word_size == 8 && a->ehdr_size == 64 && a->phdr_size == 56 &&
           a->shdr_size == 64 && a->sym_size == 24 && a->rela_size == 24,
       "ELF64 little-endian and its record sizes");
    ok(a->max_page == 0x1000 && a->common_page == 0x1000 && a->image_base == 0x400000, "pages and base");
    ok(a->tls_variant == KA_TLS_VARIANT_2 && a->branch_reach == 0x7fffffff && a->pc32_reach == 0x7fffffff,
       "TLS variant II, a rel32 branch reach");
    /* GNU_PROPERTY_X86_FEATURE_1_AND (IBT, SHSTK), ISA_1_NEEDED, FEATURE_2_USED, and a type below the x86 ranges */
    ok(a->property_merge(0xc0000002) == KA_PROP_AND && a->property_merge(0xc0008002) == KA_PROP_OR &&
           a->property_merge(0xc0010001) == KA_PROP_OR_AND && a->property_merge(0xc0000000) == KA_PROP_NONE &&
           a->property_merge(0xc0018000) == KA_PROP_NONE,
       "the x86 property ranges merge by AND, OR, OR-and-AND");
    /* the dynamic vocabulary, named by the reader's table */
    static const struct {
        const char *name;
        size_t off;
    } dyn[] = {
        {"R_X86_64_64", offsetof(ka_dyn_types, abs)},
        {"R_X86_64_RELATIVE", offsetof(ka_dyn_types, relative)},
        {"R_X86_64_GLOB_DAT", offsetof(ka_dyn_types, glob_dat)},
        {"R_X86_64_JUMP_SLOT", offsetof(ka_dyn_types, jump_slot)},
        {"R_X86_64_IRELATIVE", offsetof(ka_dyn_types, irelative)},
        {"R_X86_64_COPY", offsetof(ka_dyn_types, copy)},
        {"R_X86_64_DTPMOD64", offsetof(ka_dyn_types, tls_module)},
        {"R_X86_64_DTPOFF64", offsetof(ka_dyn_types, tls_offset)},
        {"R_X86_64_TPOFF64", offsetof(ka_dyn_types, tls_tpoff)},
        {"R_X86_64_TLSDESC", offsetof(ka_dyn_types, tlsdesc)},
    };
    for (size_t i = 0; i < sizeof dyn / sizeof dyn[0]; i++) {
        uint32_t t;
        memcpy(&t, (const char *)&a->dyn + dyn[i].off, 4);
        const char *n = keel_reloc_type_name(a->machine, t);
        ok(n && strcmp(n, dyn[i].name) == 0, "dynamic type %u is %s (reader: %s)", t, dyn[i].name, n ? n : "?");
    }
}

static bool bytes(const uint8_t *got, const char *want, size_t n) { return memcmp(got, want, n) == 0; }

static void check_writers(const ka_arch *a)
{
    uint8_t b[32];
    /* jmp *slot(%rip): ff 25, disp32 = slot - (stub + 6) = 0x404000 - 0x401006 */
    memset(b, 0, sizeof b);
    /* the lazy PLT, as ld.bfd wrote it at 0x9020 for .got.plt at 0xaffe8 */
    a->write_plt0(b, 0x9020, 0xaffe8);
    ok(a->plt0_size == 16 && bytes(b, "\xff\x35\xca\x6f\x0a\0\xff\x25\xcc\x6f\x0a\0\x0f\x1f\x40\0", 16), "PLT0");
    a->write_plt(b, 0x9030, 0xb0000, 0x17, 0x9020);
    ok(a->plt_size == 16 && a->plt_lazy_offset == 6 &&
           bytes(b, "\xff\x25\xca\x6f\x0a\0\x68\x17\0\0\0\xe9\xe0\xff\xff\xff", 16),
       "a lazy PLT entry");
    a->write_iplt(b, 0x401000, 0x404000);
    ok(a->iplt_size == 16 && bytes(b, "\xff\x25\xfa\x2f\0\0\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc\xcc", 16),
       "IPLT entry: jmp *0x2ffa(%%rip), int3 to 16 bytes");
    memset(b, 0, sizeof b);
    a->write_stub(b, 0x401000, 0x400ff0); /* disp = 0x400ff0 - 0x401006 = -0x16 */
    ok(a->stub_size == 8 && bytes(b, "\xff\x25\xea\xff\xff\xff\xcc\xcc", 8) && b[8] == 0,
       "call stub: jmp *-0x16(%%rip), int3 to 8 bytes");
    /* Elf64_Rela: r_offset, r_info = sym << 32 | type, r_addend */
    memset(b, 0, sizeof b);
    ka_write_rela(a, b, 0x404000, 0, a->dyn.irelative, 0x401234);
    ok(bytes(b, "\0\x40\x40\0\0\0\0\0\x25\0\0\0\0\0\0\0\x34\x12\x40\0\0\0\0\0", 24), "IRELATIVE record");
    ka_write_rela(a, b, 0x10, 7, 1, -1);
    ok(bytes(b, "\x10\0\0\0\0\0\0\0\x01\0\0\0\x07\0\0\0\xff\xff\xff\xff\xff\xff\xff\xff", 24),
       "a record with a symbol and a negative addend");
    /* variant II: the thread pointer at the block's end, aligned */
    ok(ka_tls_tp(a, 0x405000, 0x405011, 16) == 0x405020 && ka_tls_tp(a, 0x405000, 0x405010, 16) == 0x405010,
       "TLS thread pointer at the aligned end of the block");
}

/* The relaxations, on instructions assembled by hand (Intel SDM
 * encodings; the rewrites are GNU ld's). */
static void check_relaxations(const ka_arch *a)
{
    uint8_t c[32];
    /* mov foo@GOTPCREL(%rip), %rax (48 8b 05) -> mov $foo, %rax (48 c7 c0) */
    memcpy(c, "\x48\x8b\x05\0\0\0\0", 7);
    ok(a->got_load_relaxes(42, c, 7, 3) && a->relax_got_load(c, 7, 3, 42, 0x404000, -4, 0x401003) &&
           bytes(c, "\x48\xc7\xc0\x00\x40\x40\x00", 7),
       "REX_GOTPCRELX mov -> mov $imm32");
    /* the same above 2 GiB: lea foo(%rip), %rax (48 8d 05), rel = S + A - P */
    memcpy(c, "\x48\x8b\x05\0\0\0\0", 7);
    ok(a->relax_got_load(c, 7, 3, 42, 0x80001000, -4, 0x80000003) && bytes(c, "\x48\x8d\x05\xf9\x0f\0\0", 7),
       "REX_GOTPCRELX movq -> lea when the address is not a sign-extended imm32");
    /* call *foo@GOTPCREL(%rip) (ff 15) -> addr32 call foo (67 e8) */
    memcpy(c, "\xff\x15\0\0\0\0", 6);
    ok(a->relax_got_load(c, 6, 2, 41, 0x401100, -4, 0x401002) && bytes(c, "\x67\xe8\xfa\0\0\0", 6),
       "GOTPCRELX call -> addr32 call");
    /* jmp *foo@GOTPCREL(%rip) (ff 25) -> jmp foo; nop, rel from the next instruction */
    memcpy(c, "\xff\x25\0\0\0\0", 6);
    ok(a->relax_got_load(c, 6, 2, 41, 0x401100, -4, 0x401002) && bytes(c, "\xe9\xfb\0\0\0\x90", 6),
       "GOTPCRELX jmp -> jmp; nop");
    memcpy(c, "\x8b\x05\0\0\0\0", 6); /* GOTPCREL, not GOTPCRELX: never */
    ok(!a->got_load_relaxes(9, c, 6, 2), "plain GOTPCREL does not relax");
    /* movq foo@gottpoff(%rip), %rax (48 8b 05) -> movq $tpoff, %rax (48 c7 c0) */
    memcpy(c, "\x48\x8b\x05\0\0\0\0", 7);
    ok(a->tls_ie_relaxes(22, c, 7, 3) && a->relax_tls_ie(c, 3, -16) && bytes(c, "\x48\xc7\xc0\xf0\xff\xff\xff", 7),
       "GOTTPOFF movq -> movq $tpoff");
    memcpy(c, "\x48\x8b\x05\0\0\0\0", 7);
    ok(!a->relax_tls_ie(c, 3, -(int64_t)0x80000001) && bytes(c, "\x48\x8b\x05\0\0\0\0", 7),
       "GOTTPOFF: an offset beyond -2^31 is refused, nothing written");
    /* GD: 66 48 8d 3d x@tlsgd; 66 66 48 e8 __tls_get_addr -> mov %fs:0,%rax; lea tpoff(%rax),%rax */
    memcpy(c, "\x66\x48\x8d\x3d\0\0\0\0\x66\x66\x48\xe8\0\0\0\0", 16);
    uint64_t end = 0;
    ok(a->relax_tls_le(19, c, 16, 4, (uint32_t)-16, &end) && end == 16 &&
           bytes(c, "\x64\x48\x8b\x04\x25\0\0\0\0\x48\x8d\x80\xf0\xff\xff\xff", 16),
       "TLSGD sequence -> local-exec");
}

/* The instruction-field path, through an encoder laid out as aarch64's
 * CALL26 (imm26 = value >> 2 in bits 0-25) and ADRP (immlo in 29-30,
 * immhi in 5-23 of the page difference >> 12). */
static int test_encode(const ka_howto *h, uint8_t *loc, uint64_t v)
{
    uint32_t insn = (uint32_t)loc[0] | (uint32_t)loc[1] << 8 | (uint32_t)loc[2] << 16 | (uint32_t)loc[3] << 24;
    if (h->insn == 1) {
        insn = (insn & ~0x3ffffffu) | (uint32_t)((v >> 2) & 0x3ffffff);
    } else {
        uint64_t pg = v >> 12;
        insn = (insn & ~(3u << 29 | 0x7ffffu << 5)) | (uint32_t)(pg & 3) << 29 | (uint32_t)((pg >> 2) & 0x7ffff) << 5;
    }
    for (int i = 0; i < 4; i++)
        loc[i] = (uint8_t)(insn >> (8 * i));
    return 0;
}

static void check_fields(void)
{
    static const ka_howto call26 = {"TEST_CALL26", 4, KA_F_PC, KA_CHECK_SIGNED, 0, 28, 2, 1};
    static const ka_howto adrp = {"TEST_ADRP", 4, KA_F_PAGE_PC, KA_CHECK_SIGNED, 0, 33, 12, 2};
    ka_arch t = {.name = "test", .encode = test_encode};
    uint8_t b[4];
    uint64_t v;
    memcpy(b, "\0\0\0\x94", 4); /* bl 0 */
    ok(ka_reloc_apply(&t, &call26, &(ka_reloc_in){.S = 0x1000, .P = 0x2000}, b, false, &v) == 0 &&
           bytes(b, "\x00\xfc\xff\x97", 4),
       "CALL26-like field: bl -0x1000 is 0x97fffc00");
    ok(ka_reloc_apply(&t, &call26, &(ka_reloc_in){.S = 0x1002, .P = 0x2000}, b, false, &v) == KEEL_E_RANGE,
       "CALL26-like field: a misaligned target is refused");
    ok(ka_reloc_apply(&t, &call26, &(ka_reloc_in){.S = 0x7fffffc, .P = 0}, b, false, &v) == 0 &&
           ka_reloc_apply(&t, &call26, &(ka_reloc_in){.S = 0x8000000, .P = 0}, b, false, &v) == KEEL_E_RANGE,
       "CALL26-like field: +128 MiB - 4 reaches, +128 MiB does not");
    /* the helpers for targets of the other kinds: variant I TLS (aarch64:
     * a 16-byte TCB, then the block at its alignment), ELF32 records */
    ka_arch v1 = {.tls_variant = KA_TLS_VARIANT_1, .tls_tcb_size = 16, .word_size = 4, .byteorder = 2};
    ok(ka_tls_tp(&v1, 0x1000, 0x1100, 8) == 0xff0 && ka_tls_tp(&v1, 0x1000, 0x1100, 64) == 0xfc0,
       "variant I: the thread pointer a TCB (aligned) before the block");
    uint8_t r32[12];
    ka_write_rela(&v1, r32, 0x10000, 5, 2, -8);
    ok(bytes(r32, "\0\x01\0\0\0\0\x05\x02\xff\xff\xff\xf8", 12), "an ELF32 big-endian Rela: r_info = sym << 8 | type");
    memcpy(b, "\0\0\0\x90", 4); /* adrp x0, 0 */
    ok(ka_reloc_apply(&t, &adrp, &(ka_reloc_in){.S = 0x12345678, .P = 0x10004}, b, false, &v) == 0 && v == 0x12335000 &&
           bytes(b, "\xa0\x19\x09\xb0", 4),
       "ADRP-like field: page difference 0x12335 encoded as 0xb00919a0");
}

int main(void)
{
    const ka_arch *a = ka_arch_for(ka_arch_x86_64.machine);
    if (!a) {
        printf("not ok 1 - no x86-64 target\n1..1\n");
        return 1;
    }
    check_target(a);
    check_coverage(a);
    check_rows(a);
    check_writers(a);
    check_relaxations(a);
    check_fields();
    printf("1..%d\n", tap_count);
    return tap_failed != 0;
}
