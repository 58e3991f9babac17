/* The per-architecture layer shared by the link-editor and the runtime
 * loader: one target per machine (ka_arch, found by e_machine), holding
 * everything that differs between machines -- the ELF class and sizes,
 * page sizes, what each relocation type means and how its value is
 * computed and written (into data or into an instruction's fields), the
 * GOT and TLS relaxations, the PLT and IPLT stub writers, the dynamic
 * relocation vocabulary, the TLS variant and the branch reach.  Code
 * outside lib/arch asks the target and names no machine, relocation
 * number or instruction byte (tests/arch_boundary.t checks it).  Pure
 * computation: freestanding, no allocation.
 *
 * Adding a target: a file lib/arch/<machine>.c defining a ka_arch (its
 * howto table indexed by type, its hooks), and its line in ka_arch_for
 * (reloc.c); a table-driven unit test of every type like
 * tests/unit/arch_reloc.c. */
#ifndef KEEL_ARCH_H
#define KEEL_ARCH_H

#include <keel/elf.h>

/* What a relocation needs from its user before it can be computed. */
enum ka_reloc_need {
    KA_NEED_GOT = 1 << 0,        /* a GOT slot holding the symbol's address (G) */
    KA_NEED_PLT = 1 << 1,        /* a call stub when the target is out of reach (L) */
    KA_NEED_GOTBASE = 1 << 2,    /* the GOT's base address (GOT) */
    KA_NEED_TLS_GD = 1 << 3,     /* two GOT slots: module and offset (general dynamic) */
    KA_NEED_TLS_LD = 1 << 4,     /* two GOT slots: module and 0 (local dynamic) */
    KA_NEED_TLSDESC = 1 << 5,    /* two GOT slots: resolver and argument */
    KA_NEED_TLS_IE = 1 << 6,     /* a GOT slot holding the TP-relative offset */
    KA_NEED_TLS_LE = 1 << 7,     /* the TP-relative offset, fixed at link time */
    KA_NEED_TLS_DTPOFF = 1 << 8, /* the offset within the module's TLS block */
    /* The value of another relocation: the one whose place the symbol
     * names (riscv64's PCREL_LO12_I/S take the low 12 bits of the
     * AUIPC's PCREL_HI20 value at S).  The user finds that relocation,
     * computes its value with ka_reloc_value and passes it as T. */
    KA_NEED_PAIR = 1 << 9,
};

/* How the value is computed (psABI notation). */
enum ka_reloc_formula {
    KA_F_NONE,     /* nothing to write */
    KA_F_ABS,      /* S + A */
    KA_F_PC,       /* S + A - P */
    KA_F_PLT,      /* L + A - P (L = S when the target is reachable) */
    KA_F_GOTPCREL, /* G + A - P */
    KA_F_GOTOFF,   /* S + A - GOT */
    KA_F_GOTPC,    /* GOT + A - P */
    KA_F_PLTOFF,   /* L + A - GOT */
    KA_F_GOTREL,   /* G + A - GOT (GOT32, GOT64) */
    KA_F_SIZE,     /* Z + A */
    KA_F_TLS,      /* T + A, T the TLS value the need names (offset, GOT slot pair...) */
    KA_F_TLS_PC,   /* T + A - P, T the address of the TLS GOT slot(s) */
    KA_F_MARKER,   /* TLSDESC_CALL and the like: marks an instruction, writes nothing */
    /* For instruction fields of other machines (no x86-64 type uses them): */
    KA_F_PAGE_PC,    /* Page(S + A) - Page(P), Page(x) = x & ~0xfff (aarch64 ADRP) */
    KA_F_GOTPAGE_PC, /* Page(G + A) - Page(P) (aarch64 ADRP of a GOT slot) */
    KA_F_PAIR,       /* T: the paired relocation's value (KA_NEED_PAIR) */
};

enum ka_reloc_check {
    KA_CHECK_NONE,     /* the value fills the field */
    KA_CHECK_SIGNED,   /* must fit as a signed value of the field's width */
    KA_CHECK_UNSIGNED, /* must fit as an unsigned value (zero-extended) */
    KA_CHECK_EITHER,   /* must fit as either (the 8- and 16-bit data types) */
};

/* One relocation type.  Writing it is two steps: the formula gives a
 * value; then the field takes it.  A data field (insn 0) is the value's
 * low `size` bytes at the place.  An instruction field (insn not 0, a
 * number private to the target) is written by the target's encode hook,
 * which reads the instruction at the place, puts the value's bits where
 * the encoding wants them and writes it back: aarch64's CALL26 (size 4,
 * bits 28, shift 2, check signed: imm26 = value >> 2 in bits 0-25),
 * ADR_PREL_PG_HI21 (formula PAGE_PC, bits 33, shift 12: immlo in bits
 * 29-30, immhi in bits 5-23), riscv64's PCREL_HI20 (formula PC, encode
 * rounds (value + 0x800) >> 12 into bits 12-31 and checks that it fits)
 * and PCREL_LO12_I (formula PAIR, no check: the low 12 bits into 20-31).
 * The check is made before encode on the value shifted right by `shift`
 * (whose low bits must be zero), as a field of `bits` bits (0: size * 8). */
typedef struct ka_howto {
    const char *name; /* "R_X86_64_PC32" */
    uint8_t size;     /* bytes written at the place: 0, 1, 2, 4 or 8 */
    uint8_t formula;  /* enum ka_reloc_formula */
    uint8_t check;    /* enum ka_reloc_check */
    uint16_t needs;   /* enum ka_reloc_need */
    uint8_t bits;     /* the checked width when not size * 8 (an instruction field) */
    uint8_t shift;    /* low bits the field drops, which must be zero (branch alignment) */
    uint8_t insn;     /* 0: data; else the target's encoding of an instruction field */
} ka_howto;

/* The inputs of one relocation. */
typedef struct ka_reloc_in {
    uint64_t S;   /* the symbol's address */
    int64_t A;    /* the addend */
    uint64_t P;   /* the place's address (where the code runs, not where it is written) */
    uint64_t Z;   /* the symbol's size */
    uint64_t G;   /* the address of the symbol's GOT slot(s) */
    uint64_t GOT; /* the GOT's base */
    uint64_t L;   /* the call stub's address, or S */
    uint64_t T;   /* the TLS value the howto's need names, or the paired value */
} ka_reloc_in;

/* The relocation types a dynamic output, the IPLT and the loader speak in
 * (0: the target has none).  The TLS ones: the module's number, the
 * offset in its block, the offset from the thread pointer. */
typedef struct ka_dyn_types {
    uint32_t none, abs, relative, glob_dat, jump_slot, irelative, copy;
    uint32_t tls_module, tls_offset, tls_tpoff, tlsdesc;
} ka_dyn_types;

enum ka_tls_variant {
    KA_TLS_VARIANT_1 = 1, /* the thread pointer before the block, after a TCB of tls_tcb_size (aarch64, riscv64) */
    KA_TLS_VARIANT_2 = 2, /* the thread pointer at the block's end, variables below it (x86-64) */
};

/* How a processor-specific GNU property (GNU_PROPERTY_LOPROC to HIPROC)
 * of .note.gnu.property merges across the inputs. */
enum ka_prop_merge {
    KA_PROP_NONE,   /* not kept */
    KA_PROP_AND,    /* the bits every input has (an input without it clears them) */
    KA_PROP_OR,     /* the bits any input has */
    KA_PROP_OR_AND, /* the bits any input has, if every input has the property */
};

typedef struct ka_arch {
    uint16_t machine; /* e_machine */
    const char *name; /* "x86-64", in messages; GNU ld's "i386:x86-64" is bfd_name */
    const char *bfd_name;
    /* The names a Solaris mapfile's conditionals find defined for the
     * machine, blank-separated ($if _x86_64: lib/link/mapfile_cond.c). */
    const char *mapfile_names;
    /* The ELF class, byte order and the sizes of what the output holds. */
    uint8_t elfclass;  /* EI_CLASS: 2, ELFCLASS64 */
    uint8_t byteorder; /* EI_DATA: 1, little-endian */
    uint8_t word_size; /* an address, a GOT slot */
    uint16_t ehdr_size, phdr_size, shdr_size, sym_size, rela_size;
    /* Page sizes: the default -z max-page-size (PT_LOAD alignment) and
     * common-page-size (RELRO's end). */
    uint64_t max_page, common_page;
    /* A non-PIE executable's first address (GNU ld's -Ttext-segment default). */
    uint64_t image_base;
    /* Thread-local storage: the variant, and variant 1's TCB size. */
    uint8_t tls_variant;
    uint16_t tls_tcb_size;
    /* NULL for a type the layer does not know */
    const ka_howto *(*howto)(uint32_t type);
    /* Writes an instruction field (howto's insn not 0) at loc: the value
     * already computed and checked against bits/shift; returns 0, or
     * KEEL_E_RANGE when the encoding has a rule of its own that the value
     * breaks (nothing written then).  NULL on a target with data fields
     * only, as x86-64. */
    int (*encode)(const ka_howto *h, uint8_t *loc, uint64_t value);
    /* A call stub jumping through the GOT slot at got_slot, placed at stub:
     * a PLT entry without lazy binding (the loader's far calls). */
    uint32_t stub_size;
    void (*write_stub)(uint8_t *out, uint64_t stub, uint64_t got_slot);
    /* An IPLT entry: the canonical address of an IFUNC, jumping through
     * the slot its IRELATIVE relocation fills. */
    uint32_t iplt_size;
    void (*write_iplt)(uint8_t *out, uint64_t stub, uint64_t got_slot);
    /* A direct jump of jump_size bytes at `at` to `to` (within
     * branch_reach): the loader's live swap writes one at each replaced
     * function's entry. */
    uint32_t jump_size;
    void (*write_jump)(uint8_t *out, uint64_t at, uint64_t to);
    /* A gate of gate_size bytes at `at`: waits while the byte at flag is
     * not 0, then jumps to the address in the word at slot (both within
     * reach).  A swap holds calls of new code there until the state is
     * carried over. */
    uint32_t gate_size;
    void (*write_gate)(uint8_t *out, uint64_t at, uint64_t flag, uint64_t slot);
    ka_dyn_types dyn;
    /* A lazy PLT (a shared object's calls to preemptible functions): PLT0
     * at plt pushes the second .got.plt word and jumps through the third
     * (the dynamic linker's resolver); entry i at stub jumps through its
     * slot, which first points back into it, pushes i and jumps to PLT0. */
    uint32_t plt0_size, plt_size;
    void (*write_plt0)(uint8_t *out, uint64_t plt, uint64_t got_plt);
    void (*write_plt)(uint8_t *out, uint64_t stub, uint64_t got_slot, uint32_t index, uint64_t plt0);
    uint32_t plt_lazy_offset; /* where in an entry its slot first points (the push) */
    /* A .plt.got entry: a jump through a function's GOT slot (GLOB_DAT),
     * for a function both called and its address loaded from the GOT. */
    uint32_t pltgot_size;
    void (*write_pltgot)(uint8_t *out, uint64_t stub, uint64_t got_slot);
    /* The lazy TLS descriptors' PLT entry (DT_TLSDESC_PLT), at `at`: it
     * pushes the second .got.plt word and jumps through the .got slot
     * DT_TLSDESC_GOT names (the dynamic linker's resolver) */
    uint32_t tlsdesc_plt_size;
    void (*write_tlsdesc_plt)(uint8_t *out, uint64_t at, uint64_t got_plt, uint64_t tlsdesc_got);
    /* enum ka_prop_merge for a processor-specific property type */
    uint8_t (*property_merge)(uint32_t type);
    /* Furthest a PC-relative 32-bit reference reaches, either way. */
    uint64_t pc32_reach;
    /* Furthest a direct call or jump reaches, either way. */
    uint64_t branch_reach;
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
    /* The same two in position-independent output (PIE, static-pie,
     * shared): only the forms that stay PC-relative, never an immediate
     * of the link-time address. */
    bool (*got_load_relaxes_pic)(uint32_t type, const uint8_t *code, uint64_t size, uint64_t offset);
    bool (*relax_got_load_pic)(uint8_t *code, uint64_t size, uint64_t offset, uint32_t type, uint64_t S, int64_t A,
                               uint64_t P);
    /* Initial-exec TLS in an executable: whether the instruction that an
     * initial-exec relocation of this type at offset belongs to can take
     * the thread-pointer offset as an immediate (local-exec) instead of
     * loading it from a GOT slot; and that rewrite, the relocation's
     * field then holding tpoff itself (no addend); false (nothing
     * written) when tpoff does not fit the immediate. */
    bool (*tls_ie_relaxes)(uint32_t type, const uint8_t *code, uint64_t size, uint64_t offset);
    bool (*relax_tls_ie)(uint8_t *code, uint64_t offset, int64_t tpoff);
    /* General and local dynamic TLS, and descriptors, to local-exec in an
     * executable: rewrite the sequence whose relocation of this type is at
     * offset, with tpoff the variable's offset from the thread pointer
     * (local dynamic: unused, the block's own), and say where the rewritten
     * bytes end (the relocations before that, such as the call to
     * __tls_get_addr, are gone).  False for a sequence it does not know. */
    bool (*relax_tls_le)(uint32_t type, uint8_t *code, uint64_t size, uint64_t offset, uint32_t tpoff, uint64_t *end);
    /* General dynamic TLS and descriptors to initial-exec, in an
     * executable, for a variable of a shared library: rewrite the
     * sequence whose relocation is at offset (at address place) so that
     * it reads the GOT slot at address slot, which holds the variable's
     * offset from the thread pointer, and say where the rewritten bytes
     * end.  False for a sequence it does not know, or a slot out of
     * reach. */
    bool (*relax_tls_to_ie)(uint32_t type, uint8_t *code, uint64_t size, uint64_t offset, uint64_t place, uint64_t slot,
                            uint64_t *end);
    /* --emit-relocs: the relocation that describes the instruction at
     * offset as it was written (out), where the object had it (in), for
     * a relocation of this type: *type, *offset and *addend changed as GNU
     * ld changes them when a GOT load or an initial-exec access was
     * rewritten; untouched otherwise. */
    void (*emitted)(const uint8_t *in, const uint8_t *out, uint64_t size, uint32_t *type, uint64_t *offset,
                    int64_t *addend);
} ka_arch;

/* The target of objects of this e_machine, or NULL. */
const ka_arch *ka_arch_for(uint16_t machine);
/* The target of a link with no object to say (GNU ld's default emulation):
 * the host's, or x86-64. */
const ka_arch *ka_arch_default(void);

/* What a relocation of this type at offset (in code, size bytes; NULL
 * when the bytes are not at hand) needs in an executable, after the
 * relaxations the target makes there: its howto's needs, with general
 * and local dynamic TLS and descriptors made local-exec (KA_NEED_TLS_LE
 * instead), and an initial-exec access whose instruction can take an
 * immediate made local-exec too.  *got_relaxes: the instruction of a
 * GOT load can address the symbol itself (whether the symbol allows it,
 * its address being fixed and in reach, is the caller's to say).  0 for
 * a type the target does not know.  The link-editor's scan and its apply
 * step both ask this, never the relocation's number. */
uint16_t ka_reloc_need(const ka_arch *arch, uint32_t type, const uint8_t *code, uint64_t size, uint64_t offset,
                       bool *got_relaxes);

/* The relocation's value (the howto's formula), no check, nothing written. */
uint64_t ka_reloc_value(const ka_howto *h, const ka_reloc_in *in);

/* Compute the relocation's value and write it little- or big-endian at
 * out (the place as it is being written; in->P is where it will run).
 * Returns 0, or KEEL_E_RANGE when the value does not fit the field (nothing
 * is written then) and stores the value in *value either way. */
int ka_reloc_apply(const ka_arch *arch, const ka_howto *h, const ka_reloc_in *in, uint8_t *out, bool big_endian,
                   uint64_t *value);

/* A relocation record of the target's class and byte order (r_offset,
 * r_info from sym and type, r_addend): rela_size bytes at out. */
void ka_write_rela(const ka_arch *arch, uint8_t *out, uint64_t offset, uint32_t sym, uint32_t type, int64_t addend);

/* An address-sized word (a GOT slot) in the target's byte order. */
void ka_put_word(const ka_arch *arch, uint8_t *out, uint64_t v);

/* The thread pointer of an executable's TLS block [start, end) aligned
 * to align, by the target's variant; a variable at address S is at S - tp
 * from it. */
uint64_t ka_tls_tp(const ka_arch *arch, uint64_t start, uint64_t end, uint64_t align);

/* The x86-64 implementation. */
extern const ka_arch ka_arch_x86_64;

/* The runtime loader's part that runs on the machine keel runs on
 * (lib/arch/<machine>_host.c; hosted builds only, absent freestanding).
 * ka_arch_host: that machine's target.  ka_host_tls_init: once, before loaded code can use TLS.
 * ka_host_tlsdesc_resolve: the TLS descriptor resolver loaded code calls,
 * in the machine's convention (every register kept but the result's); it
 * reads the loader's per-thread block table (rl_tls_nblocks,
 * rl_tls_blocks) and calls rl_tls_slow_addr for a block not made yet. */
const ka_arch *ka_arch_host(void);
/* The section type the target's psABI gives unwind tables (.eh_frame),
 * or 0 when it has none of its own (lib/arch/<machine>_load.c). */
uint32_t ka_unwind_section_type(const ka_arch *arch);
void ka_host_tls_init(void);
void ka_host_tlsdesc_resolve(void);
/* What a signal's context (a ucontext_t) says of the interrupted thread:
 * its PC and stack pointer, and up to max general registers into regs;
 * the number of registers written.  (lib/load/swap_stop.c) */
int ka_host_context(const void *uc, uintptr_t *pc, uintptr_t *sp, uintptr_t *regs, int max);

#endif
