/* The per-architecture layer shared by the link-editor and the runtime
 * loader: what each relocation type means, how its value is computed and
 * written with an overflow check, and the call stub that reaches a target
 * through a GOT slot.  Machine-specific code lives behind this interface
 * and nowhere else.  Pure computation: freestanding, no allocation. */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <keel/elf.h>

/* What a relocation needs from its user before it can be computed. */
enum kl_reloc_need {
    KL_NEED_GOT = 1 << 0,      /* a GOT slot holding the symbol's address (G) */
    KL_NEED_PLT = 1 << 1,      /* a call stub when the target is out of reach (L) */
    KL_NEED_GOTBASE = 1 << 2,  /* the GOT's base address (GOT) */
    KL_NEED_TLS_GD = 1 << 3,   /* two GOT slots: module and offset (general dynamic) */
    KL_NEED_TLS_LD = 1 << 4,   /* two GOT slots: module and 0 (local dynamic) */
    KL_NEED_TLSDESC = 1 << 5,  /* two GOT slots: resolver and argument */
    KL_NEED_TLS_IE = 1 << 6,   /* a GOT slot holding the TP-relative offset */
    KL_NEED_TLS_LE = 1 << 7,   /* the TP-relative offset, fixed at link time */
    KL_NEED_TLS_DTPOFF = 1 << 8, /* the offset within the module's TLS block */
};

/* How the value is computed (psABI notation). */
enum kl_reloc_formula {
    KL_F_NONE,     /* nothing to write */
    KL_F_ABS,      /* S + A */
    KL_F_PC,       /* S + A - P */
    KL_F_PLT,      /* L + A - P (L = S when the target is reachable) */
    KL_F_GOTPCREL, /* G + A - P */
    KL_F_GOTOFF,   /* S + A - GOT */
    KL_F_GOTPC,    /* GOT + A - P */
    KL_F_PLTOFF,   /* L + A - GOT */
    KL_F_GOTREL,   /* G + A - GOT (GOT32, GOT64) */
    KL_F_SIZE,     /* Z + A */
    KL_F_TLS,      /* T + A, T the TLS value the need names (offset, GOT slot pair...) */
    KL_F_TLS_PC,   /* T + A - P, T the address of the TLS GOT slot(s) */
    KL_F_MARKER,   /* TLSDESC_CALL and the like: marks an instruction, writes nothing */
};

enum kl_reloc_check {
    KL_CHECK_NONE,     /* the value fills the field */
    KL_CHECK_SIGNED,   /* must fit as a signed value of the field's width */
    KL_CHECK_UNSIGNED, /* must fit as an unsigned value (zero-extended) */
    KL_CHECK_EITHER,   /* must fit as either (the 8- and 16-bit data types) */
};

typedef struct kl_howto {
    const char *name;  /* "R_X86_64_PC32" */
    uint8_t size;      /* bytes written at the place: 0, 1, 2, 4 or 8 */
    uint8_t formula;   /* enum kl_reloc_formula */
    uint8_t check;     /* enum kl_reloc_check */
    uint16_t needs;    /* enum kl_reloc_need */
} kl_howto;

/* The inputs of one relocation. */
typedef struct kl_reloc_in {
    uint64_t S;   /* the symbol's address */
    int64_t A;    /* the addend */
    uint64_t P;   /* the place's address (where the code runs, not where it is written) */
    uint64_t Z;   /* the symbol's size */
    uint64_t G;   /* the address of the symbol's GOT slot(s) */
    uint64_t GOT; /* the GOT's base */
    uint64_t L;   /* the call stub's address, or S */
    uint64_t T;   /* the TLS value the howto's need names */
} kl_reloc_in;

typedef struct kl_arch {
    uint16_t machine;
    const char *name;
    /* NULL for a type the layer does not know */
    const kl_howto *(*howto)(uint32_t type);
    /* A call stub jumping through the GOT slot at got_slot, placed at stub. */
    uint32_t stub_size;
    void (*write_stub)(uint8_t *out, uint64_t stub, uint64_t got_slot);
    /* Furthest a PC-relative 32-bit reference reaches, either way. */
    uint64_t pc32_reach;
    /* Whether the instruction that a GOT-load relocation of this type at
     * offset (in code of size bytes) belongs to can address the symbol
     * itself instead (a load from the GOT becoming lea, a call or jmp
     * through the GOT a direct one): such a reference needs no GOT slot
     * when the symbol's address is known and in reach. */
    bool (*got_load_relaxes)(uint32_t type, const uint8_t *code, uint64_t size, uint64_t offset);
    /* That rewrite, for the symbol at S (the relocation's addend A, place
     * P), with the field filled; false (nothing written) when no form
     * reaches S. */
    bool (*relax_got_load)(uint8_t *code, uint64_t size, uint64_t offset, uint32_t type, uint64_t S, int64_t A,
                           uint64_t P);
    /* Initial-exec TLS in an executable: whether the instruction that an
     * initial-exec relocation of this type at offset belongs to can take
     * the thread-pointer offset as an immediate (local-exec) instead of
     * loading it from a GOT slot; and that rewrite, after which the
     * relocation's field holds the offset itself (no addend). */
    bool (*tls_ie_relaxes)(uint32_t type, const uint8_t *code, uint64_t size, uint64_t offset);
    void (*relax_tls_ie)(uint8_t *code, uint64_t offset);
    /* General and local dynamic TLS, and descriptors, to local-exec in an
     * executable: rewrite the sequence whose relocation of this type is at
     * offset, with tpoff the variable's offset from the thread pointer
     * (local dynamic: unused, the block's own), and say where the rewritten
     * bytes end (the relocations before that, such as the call to
     * __tls_get_addr, are gone).  False for a sequence it does not know. */
    bool (*relax_tls_le)(uint32_t type, uint8_t *code, uint64_t size, uint64_t offset, uint32_t tpoff, uint64_t *end);
    /* --emit-relocs: the relocation that describes the instruction at
     * offset as it was written (out), where the object had it (in), for
     * a relocation of this type: *type, *offset and *addend changed as GNU
     * ld changes them when a GOT load or an initial-exec access was
     * rewritten; untouched otherwise. */
    void (*emitted)(const uint8_t *in, const uint8_t *out, uint64_t size, uint32_t *type, uint64_t *offset,
                    int64_t *addend);
} kl_arch;

const kl_arch *kl_arch_for(uint16_t machine);

/* Compute the relocation's value and write it little- or big-endian at
 * out (the place as it is being written; in->P is where it will run).
 * Returns 0, or KEEL_E_RANGE when the value does not fit the field (nothing
 * is written then) and stores the value in *value either way. */
int kl_reloc_apply(const kl_arch *arch, const kl_howto *h, const kl_reloc_in *in, uint8_t *out, bool big_endian,
                   uint64_t *value);

/* The x86-64 implementation. */
extern const kl_arch kl_arch_x86_64;

/* The runtime loader's part that runs on the machine keel runs on
 * (lib/arch/<machine>_host.c; hosted builds only, absent freestanding).
 * kl_arch_host: that machine's target.  kl_host_tls_init: once, before loaded code can use TLS.
 * kl_host_tlsdesc_resolve: the TLS descriptor resolver loaded code calls,
 * in the machine's convention (every register kept but the result's); it
 * reads the loader's per-thread block table (ld_tls_nblocks,
 * ld_tls_blocks) and calls ld_tls_slow_addr for a block not made yet. */
const kl_arch *kl_arch_host(void);
/* The section type the target's psABI gives unwind tables (.eh_frame),
 * or 0 when it has none of its own (lib/arch/<machine>_load.c). */
uint32_t kl_unwind_section_type(const kl_arch *arch);
void kl_host_tls_init(void);
void kl_host_tlsdesc_resolve(void);

#endif
