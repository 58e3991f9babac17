/* Names of ELF constants.  Section types and flags use the ELF
 * specification's own words (the seed document's "progbits", SHF_ALLOC as
 * "ALLOC"); everything else uses the names binutils prints, so that output
 * can be read side by side with readelf's. */
#include "internal.h"

enum {
    EM_386 = 3,
    EM_MIPS = 8,
    EM_PPC = 20,
    EM_PPC64 = 21,
    EM_ARM = 40,
    EM_X86_64 = 62,
    EM_AARCH64 = 183,
    EM_RISCV = 243
};

const char *keel_section_type_name(uint32_t t, uint16_t machine)
{
    static const char *const base[] = {
        "null",       "progbits",   "symtab",        "strtab", "rela",         "hash", "dynamic",
        "note",       "nobits",     "rel",           "shlib",  "dynsym",       NULL,   NULL,
        "init_array", "fini_array", "preinit_array", "group",  "symtab_shndx", "relr",
    };
    if (t < sizeof base / sizeof base[0])
        return base[t];
    switch (t) {
    case 0x60000001: return "android_rel";
    case 0x60000002: return "android_rela";
    case 0x6fff4700: return "gnu_incremental_inputs";
    case 0x6fff4c00: return "llvm_odrtab";
    case 0x6fff4c01: return "llvm_linker_options";
    case 0x6fff4c02: return "llvm_call_graph_profile_v0";
    case 0x6fff4c03: return "llvm_addrsig";
    case 0x6fff4c04: return "llvm_dependent_libraries";
    case 0x6fff4c05: return "llvm_sympart";
    case 0x6fff4c06: return "llvm_part_ehdr";
    case 0x6fff4c07: return "llvm_part_phdr";
    case 0x6fff4c08: return "llvm_bb_addr_map_v0";
    case 0x6fff4c09: return "llvm_call_graph_profile";
    case 0x6fff4c0a: return "llvm_bb_addr_map";
    case 0x6fff4c0b: return "llvm_offloading";
    case 0x6fff4c0c: return "llvm_lto";
    case 0x6fffff00: return "android_relr";
    case 0x6ffffff5: return "gnu_attributes";
    case 0x6ffffff6: return "gnu_hash";
    case 0x6ffffff7: return "gnu_liblist";
    case 0x6ffffff8: return "checksum";
    case 0x6ffffffa: return "sunw_move";
    case 0x6ffffffb: return "sunw_comdat";
    case 0x6ffffffc: return "sunw_syminfo";
    case 0x6ffffffd: return "gnu_verdef";
    case 0x6ffffffe: return "gnu_verneed";
    case 0x6fffffff: return "gnu_versym";
    }
    switch (machine) {
    case EM_X86_64:
        if (t == 0x70000001)
            return "x86_64_unwind";
        break;
    case EM_ARM:
        if (t == 0x70000001)
            return "arm_exidx";
        if (t == 0x70000002)
            return "arm_preemptmap";
        if (t == 0x70000003)
            return "arm_attributes";
        break;
    case EM_AARCH64:
        if (t == 0x70000003)
            return "aarch64_attributes";
        break;
    case EM_RISCV:
        if (t == 0x70000003)
            return "riscv_attributes";
        break;
    case EM_MIPS:
        if (t == 0x70000006)
            return "mips_reginfo";
        if (t == 0x7000000d)
            return "mips_options";
        if (t == 0x7000001e)
            return "mips_dwarf";
        if (t == 0x7000002a)
            return "mips_abiflags";
        break;
    }
    return NULL;
}

const char *keel_section_flag_name(uint64_t bit, uint16_t machine)
{
    switch (bit) {
    case 0x1: return "WRITE";
    case 0x2: return "ALLOC";
    case 0x4: return "EXECINSTR";
    case 0x10: return "MERGE";
    case 0x20: return "STRINGS";
    case 0x40: return "INFO_LINK";
    case 0x80: return "LINK_ORDER";
    case 0x100: return "OS_NONCONFORMING";
    case 0x200: return "GROUP";
    case 0x400: return "TLS";
    case 0x800: return "COMPRESSED";
    case 0x200000: return "GNU_RETAIN";
    case 0x1000000: return "GNU_MBIND";
    case 0x80000000: return "EXCLUDE";
    }
    if (bit == 0x10000000 && machine == EM_X86_64)
        return "X86_64_LARGE";
    if (bit == 0x20000000 && machine == EM_ARM)
        return "ARM_PURECODE";
    return NULL;
}

size_t keel_section_flags_string(uint64_t flags, uint16_t machine, char *buf, size_t n)
{
    size_t len = 0;
#define PUTC(c)                                                                                                        \
    do {                                                                                                               \
        if (len + 1 < n)                                                                                               \
            buf[len] = (c);                                                                                            \
        len++;                                                                                                         \
    } while (0)
    uint64_t unknown = 0;
    for (int b = 0; b < 64; b++) {
        uint64_t bit = (uint64_t)1 << b;
        if (!(flags & bit))
            continue;
        const char *s = keel_section_flag_name(bit, machine);
        if (!s) {
            unknown |= bit;
            continue;
        }
        if (len)
            PUTC('|');
        for (; *s; s++)
            PUTC(*s);
    }
    if (unknown) {
        char tmp[20];
        int k = 0;
        if (len)
            PUTC('|');
        PUTC('0');
        PUTC('x');
        do {
            tmp[k++] = "0123456789abcdef"[unknown & 15];
            unknown >>= 4;
        } while (unknown);
        while (k)
            PUTC(tmp[--k]);
    }
#undef PUTC
    if (n)
        buf[len < n ? len : n - 1] = 0;
    return len;
}

const char *keel_segment_type_name(uint32_t t, uint16_t machine)
{
    static const char *const base[] = {"NULL", "LOAD", "DYNAMIC", "INTERP", "NOTE", "SHLIB", "PHDR", "TLS"};
    if (t < 8)
        return base[t];
    switch (t) {
    case 0x6474e550: return "GNU_EH_FRAME";
    case 0x6474e551: return "GNU_STACK";
    case 0x6474e552: return "GNU_RELRO";
    case 0x6474e553: return "GNU_PROPERTY";
    case 0x6474e554: return "GNU_SFRAME";
    case 0x65a3dbe6: return "OPENBSD_RANDOMIZE";
    case 0x65a3dbe7: return "OPENBSD_WXNEEDED";
    case 0x65a41be6: return "OPENBSD_BOOTDATA";
    case 0x6ffffffa: return "SUNWBSS";
    case 0x6ffffffb: return "SUNWSTACK";
    }
    if (t >= 0x6474e555 && t < 0x6474e555 + 4096)
        return "GNU_MBIND";
    if (machine == EM_ARM && t == 0x70000001)
        return "EXIDX";
    if (machine == EM_AARCH64 && t == 0x70000002)
        return "AARCH64_MEMTAG_MTE";
    if (machine == EM_RISCV && t == 0x70000003)
        return "RISCV_ATTRIBUTES";
    if (machine == EM_MIPS) {
        if (t == 0x70000000)
            return "REGINFO";
        if (t == 0x70000001)
            return "RTPROC";
        if (t == 0x70000002)
            return "OPTIONS";
        if (t == 0x70000003)
            return "ABIFLAGS";
    }
    return NULL;
}

enum { OSABI_GNU = 3, OSABI_FREEBSD = 9 };

const char *keel_symbol_type_name(uint8_t t, uint8_t osabi, uint16_t machine)
{
    static const char *const base[] = {"NOTYPE", "OBJECT", "FUNC", "SECTION", "FILE",
                                       "COMMON", "TLS",    NULL,   "RELC",    "SRELC"};
    (void)machine;
    if (t < 10)
        return base[t];
    /* Types 10-12 are OS-specific: GNU and FreeBSD call 10 IFUNC. */
    if (t == 10 && (osabi == OSABI_GNU || osabi == OSABI_FREEBSD))
        return "IFUNC";
    return NULL;
}

const char *keel_symbol_bind_name(uint8_t b, uint8_t osabi)
{
    switch (b) {
    case 0: return "LOCAL";
    case 1: return "GLOBAL";
    case 2: return "WEAK";
    case 10: /* OS-specific: only the GNU ABI defines STB_GNU_UNIQUE */
        if (osabi == OSABI_GNU)
            return "UNIQUE";
    }
    return NULL;
}

const char *keel_symbol_visibility_name(uint8_t v)
{
    static const char *const n[] = {"DEFAULT", "INTERNAL", "HIDDEN", "PROTECTED"};
    return n[v & 3];
}

const char *keel_dynamic_tag_name(int64_t tag, uint16_t machine)
{
    static const char *const base[] = {
        "NULL",     "NEEDED",     "PLTRELSZ",      "PLTGOT",          "HASH",         "STRTAB",
        "SYMTAB",   "RELA",       "RELASZ",        "RELAENT",         "STRSZ",        "SYMENT",
        "INIT",     "FINI",       "SONAME",        "RPATH",           "SYMBOLIC",     "REL",
        "RELSZ",    "RELENT",     "PLTREL",        "DEBUG",           "TEXTREL",      "JMPREL",
        "BIND_NOW", "INIT_ARRAY", "FINI_ARRAY",    "INIT_ARRAYSZ",    "FINI_ARRAYSZ", "RUNPATH",
        "FLAGS",    NULL,         "PREINIT_ARRAY", "PREINIT_ARRAYSZ", "SYMTAB_SHNDX", "RELRSZ",
        "RELR",     "RELRENT",
    };
    if (tag >= 0 && tag < (int64_t)(sizeof base / sizeof base[0]))
        return base[tag];
    switch (tag) {
    case 0x6ffffdf5: return "GNU_PRELINKED";
    case 0x6ffffdf6: return "GNU_CONFLICTSZ";
    case 0x6ffffdf7: return "GNU_LIBLISTSZ";
    case 0x6ffffdf8: return "CHECKSUM";
    case 0x6ffffdf9: return "PLTPADSZ";
    case 0x6ffffdfa: return "MOVEENT";
    case 0x6ffffdfb: return "MOVESZ";
    case 0x6ffffdfc: return "FEATURE";
    case 0x6ffffdfd: return "POSFLAG_1";
    case 0x6ffffdfe: return "SYMINSZ";
    case 0x6ffffdff: return "SYMINENT";
    case 0x6ffffef5: return "GNU_HASH";
    case 0x6ffffef6: return "TLSDESC_PLT";
    case 0x6ffffef7: return "TLSDESC_GOT";
    case 0x6ffffef8: return "GNU_CONFLICT";
    case 0x6ffffef9: return "GNU_LIBLIST";
    case 0x6ffffefa: return "CONFIG";
    case 0x6ffffefb: return "DEPAUDIT";
    case 0x6ffffefc: return "AUDIT";
    case 0x6ffffefd: return "PLTPAD";
    case 0x6ffffefe: return "MOVETAB";
    case 0x6ffffeff: return "SYMINFO";
    case 0x6ffffff0: return "VERSYM";
    case 0x6ffffff9: return "RELACOUNT";
    case 0x6ffffffa: return "RELCOUNT";
    case 0x6ffffffb: return "FLAGS_1";
    case 0x6ffffffc: return "VERDEF";
    case 0x6ffffffd: return "VERDEFNUM";
    case 0x6ffffffe: return "VERNEED";
    case 0x6fffffff: return "VERNEEDNUM";
    case 0x7ffffffd: return "AUXILIARY";
    case 0x7ffffffe: return "USED";
    case 0x7fffffff: return "FILTER";
    }
    if (machine == EM_X86_64) {
        if (tag == 0x70000000)
            return "X86_64_PLT";
        if (tag == 0x70000001)
            return "X86_64_PLTSZ";
        if (tag == 0x70000003)
            return "X86_64_PLTENT";
    }
    if (machine == EM_PPC64) {
        if (tag == 0x70000000)
            return "PPC64_GLINK";
        if (tag == 0x70000001)
            return "PPC64_OPD";
        if (tag == 0x70000002)
            return "PPC64_OPDSZ";
        if (tag == 0x70000003)
            return "PPC64_OPT";
    }
    if (machine == EM_PPC) {
        if (tag == 0x70000000)
            return "PPC_GOT";
        if (tag == 0x70000001)
            return "PPC_OPT";
    }
    if (machine == EM_AARCH64) {
        if (tag == 0x70000001)
            return "AARCH64_BTI_PLT";
        if (tag == 0x70000003)
            return "AARCH64_PAC_PLT";
        if (tag == 0x70000005)
            return "AARCH64_VARIANT_PCS";
    }
    return NULL;
}

const char *keel_file_type_name(uint16_t t)
{
    static const char *const n[] = {"NONE (None)", "REL (Relocatable file)", "EXEC (Executable file)",
                                    "DYN (Shared object file)", "CORE (Core file)"};
    return t < 5 ? n[t] : NULL;
}

const char *keel_machine_name(uint16_t m)
{
    switch (m) {
    case 0: return "None";
    case 2: return "Sparc";
    case 3: return "Intel 80386";
    case 4: return "MC68000";
    case 8: return "MIPS R3000";
    case 15: return "HPPA";
    case 18: return "Sparc v8+";
    case 20: return "PowerPC";
    case 21: return "PowerPC64";
    case 22: return "IBM S/390";
    case 40: return "ARM";
    case 42: return "Renesas / SuperH SH";
    case 43: return "Sparc v9";
    case 50: return "Intel IA-64";
    case 62: return "Advanced Micro Devices X86-64";
    case 183: return "AArch64";
    case 243: return "RISC-V";
    case 247: return "Linux BPF";
    case 258: return "LoongArch";
    }
    return NULL;
}

const char *keel_osabi_name(uint8_t o)
{
    switch (o) {
    case 0: return "UNIX - System V";
    case 1: return "UNIX - HP-UX";
    case 2: return "UNIX - NetBSD";
    case 3: return "UNIX - GNU";
    case 6: return "UNIX - Solaris";
    case 9: return "UNIX - FreeBSD";
    case 12: return "UNIX - OpenBSD";
    case 97: return "ARM";
    case 255: return "Standalone App";
    }
    return NULL;
}

static const char *const x86_64_relocs[] = {
    "R_X86_64_NONE",
    "R_X86_64_64",
    "R_X86_64_PC32",
    "R_X86_64_GOT32",
    "R_X86_64_PLT32",
    "R_X86_64_COPY",
    "R_X86_64_GLOB_DAT",
    "R_X86_64_JUMP_SLOT",
    "R_X86_64_RELATIVE",
    "R_X86_64_GOTPCREL",
    "R_X86_64_32",
    "R_X86_64_32S",
    "R_X86_64_16",
    "R_X86_64_PC16",
    "R_X86_64_8",
    "R_X86_64_PC8",
    "R_X86_64_DTPMOD64",
    "R_X86_64_DTPOFF64",
    "R_X86_64_TPOFF64",
    "R_X86_64_TLSGD",
    "R_X86_64_TLSLD",
    "R_X86_64_DTPOFF32",
    "R_X86_64_GOTTPOFF",
    "R_X86_64_TPOFF32",
    "R_X86_64_PC64",
    "R_X86_64_GOTOFF64",
    "R_X86_64_GOTPC32",
    "R_X86_64_GOT64",
    "R_X86_64_GOTPCREL64",
    "R_X86_64_GOTPC64",
    "R_X86_64_GOTPLT64",
    "R_X86_64_PLTOFF64",
    "R_X86_64_SIZE32",
    "R_X86_64_SIZE64",
    "R_X86_64_GOTPC32_TLSDESC",
    "R_X86_64_TLSDESC_CALL",
    "R_X86_64_TLSDESC",
    "R_X86_64_IRELATIVE",
    "R_X86_64_RELATIVE64",
    "R_X86_64_PC32_BND",
    "R_X86_64_PLT32_BND",
    "R_X86_64_GOTPCRELX",
    "R_X86_64_REX_GOTPCRELX",
};

static const char *const i386_relocs[] = {
    "R_386_NONE",
    "R_386_32",
    "R_386_PC32",
    "R_386_GOT32",
    "R_386_PLT32",
    "R_386_COPY",
    "R_386_GLOB_DAT",
    "R_386_JUMP_SLOT",
    "R_386_RELATIVE",
    "R_386_GOTOFF",
    "R_386_GOTPC",
    "R_386_32PLT",
    NULL,
    NULL,
    "R_386_TLS_TPOFF",
    "R_386_TLS_IE",
    "R_386_TLS_GOTIE",
    "R_386_TLS_LE",
    "R_386_TLS_GD",
    "R_386_TLS_LDM",
    "R_386_16",
    "R_386_PC16",
    "R_386_8",
    "R_386_PC8",
    "R_386_TLS_GD_32",
    "R_386_TLS_GD_PUSH",
    "R_386_TLS_GD_CALL",
    "R_386_TLS_GD_POP",
    "R_386_TLS_LDM_32",
    "R_386_TLS_LDM_PUSH",
    "R_386_TLS_LDM_CALL",
    "R_386_TLS_LDM_POP",
    "R_386_TLS_LDO_32",
    "R_386_TLS_IE_32",
    "R_386_TLS_LE_32",
    "R_386_TLS_DTPMOD32",
    "R_386_TLS_DTPOFF32",
    "R_386_TLS_TPOFF32",
    "R_386_SIZE32",
    "R_386_TLS_GOTDESC",
    "R_386_TLS_DESC_CALL",
    "R_386_TLS_DESC",
    "R_386_IRELATIVE",
    "R_386_GOT32X",
};

const char *keel_reloc_type_name(uint16_t machine, uint32_t t)
{
    if (machine == EM_X86_64) {
        if (t < sizeof x86_64_relocs / sizeof x86_64_relocs[0])
            return x86_64_relocs[t];
        if (t == 250)
            return "R_X86_64_GNU_VTINHERIT";
        if (t == 251)
            return "R_X86_64_GNU_VTENTRY";
    } else if (machine == EM_386) {
        if (t < sizeof i386_relocs / sizeof i386_relocs[0])
            return i386_relocs[t];
        if (t == 250)
            return "R_386_GNU_VTINHERIT";
        if (t == 251)
            return "R_386_GNU_VTENTRY";
    }
    return NULL;
}

const char *keel_note_type_name(const char *owner, uint32_t t, uint16_t file_type)
{
    if (kl_streq(owner, "GNU")) {
        switch (t) {
        case 1: return "NT_GNU_ABI_TAG (ABI version tag)";
        case 2: return "NT_GNU_HWCAP (DSO-supplied software HWCAP info)";
        case 3: return "NT_GNU_BUILD_ID (unique build ID bitstring)";
        case 4: return "NT_GNU_GOLD_VERSION (gold version)";
        case 5: return "NT_GNU_PROPERTY_TYPE_0";
        }
    } else if (kl_streq(owner, "stapsdt")) {
        if (t == 3)
            return "NT_STAPSDT (SystemTap probe descriptors)";
    } else if (kl_streq(owner, "FDO")) {
        if (t == 0xcafe1a7e)
            return "FDO_PACKAGING_METADATA";
    } else if (kl_streq(owner, "Go")) {
        if (t == 4)
            return "GO BUILDID";
    } else if (file_type != 4) {
        /* Owners without types of their own use the generic ones; annobin's
         * build attributes ("GA" owners) are 0x100/0x101. */
        switch (t) {
        case 1: return "NT_VERSION (version)";
        case 2: return "NT_ARCH (architecture)";
        case 0x100: return "OPEN";
        case 0x101: return "func";
        }
    } else if (kl_streq(owner, "CORE") || kl_streq(owner, "LINUX")) {
        switch (t) {
        case 1: return "NT_PRSTATUS (prstatus structure)";
        case 2: return "NT_FPREGSET (floating point registers)";
        case 3: return "NT_PRPSINFO (prpsinfo structure)";
        case 6: return "NT_AUXV (auxiliary vector)";
        case 0x46494c45: return "NT_FILE (mapped files)";
        case 0x53494749: return "NT_SIGINFO (siginfo_t data)";
        case 0x202: return "NT_X86_XSTATE (x86 XSAVE extended state)";
        }
    }
    return NULL;
}
