/* The ELF constants the library's parts share (the gABI's names and
 * values), so that no part spells a section type, flag, index, binding,
 * type or visibility as a bare number.  Internal: the public headers keep
 * their KEEL_-prefixed vocabulary.  A file that includes this header must
 * not define the same names itself.  Machine numbers and relocation types
 * are not here: they belong to the per-architecture layer (lib/arch). */
#ifndef KEEL_LIB_ELFDEFS_H
#define KEEL_LIB_ELFDEFS_H

enum {
    ET_REL = 1,
    ET_EXEC = 2,
    ET_DYN = 3,
    ELFCLASS64 = 2,
    ELFDATA2LSB = 1,
};

enum { /* section types */
       SHT_NULL = 0,
       SHT_PROGBITS = 1,
       SHT_SYMTAB = 2,
       SHT_STRTAB = 3,
       SHT_RELA = 4,
       SHT_HASH = 5,
       SHT_DYNAMIC = 6,
       SHT_NOTE = 7,
       SHT_NOBITS = 8,
       SHT_REL = 9,
       SHT_DYNSYM = 11,
       SHT_INIT_ARRAY = 14,
       SHT_FINI_ARRAY = 15,
       SHT_PREINIT_ARRAY = 16,
       SHT_GROUP = 17,
       SHT_SYMTAB_SHNDX = 18,
       SHT_LOPROC = 0x70000000,
       SHT_X86_64_UNWIND = 0x70000001,
};

enum { /* section flags */
       SHF_WRITE = 0x1,
       SHF_ALLOC = 0x2,
       SHF_EXECINSTR = 0x4,
       SHF_MERGE = 0x10,
       SHF_STRINGS = 0x20,
       SHF_INFO_LINK = 0x40,
       SHF_LINK_ORDER = 0x80,
       SHF_GROUP = 0x200,
       SHF_TLS = 0x400,
       SHF_COMPRESSED = 0x800,
       SHF_GNU_RETAIN = 0x200000,
       SHF_EXCLUDE = 0x80000000u,
};

enum { GRP_COMDAT = 1 }; /* a group's flag word */

enum { /* segment types and flags */
       PT_NULL = 0,
       PT_LOAD = 1,
       PT_DYNAMIC = 2,
       PT_NOTE = 4,
       PT_TLS = 7,
       PT_GNU_EH_FRAME = 0x6474e550,
       PT_GNU_STACK = 0x6474e551,
       PT_GNU_RELRO = 0x6474e552,
       PT_GNU_PROPERTY = 0x6474e553,
       PF_X = 1,
       PF_W = 2,
       PF_R = 4,
};

enum { /* dynamic tags */
       DT_NULL = 0,
       DT_HASH = 4,
       DT_STRTAB = 5,
       DT_SYMTAB = 6,
       DT_STRSZ = 10,
       DT_SYMENT = 11,
       DT_NEEDED = 1,
       DT_SONAME = 14,
       DT_RPATH = 15,
       DT_RUNPATH = 29,
       DT_VERSYM = 0x6ffffff0,
       DT_VERDEF = 0x6ffffffc,
       DT_VERDEFNUM = 0x6ffffffd,
       DT_VERNEED = 0x6ffffffe,
       DT_VERNEEDNUM = 0x6fffffff,
};

enum { /* special section indexes */
       SHN_UNDEF = 0,
       SHN_LORESERVE = 0xff00,
       SHN_ABS = 0xfff1,
       SHN_COMMON = 0xfff2,
       SHN_XINDEX = 0xffff,
};

enum { /* symbol bindings, types and visibilities */
       STB_LOCAL = 0,
       STB_GLOBAL = 1,
       STB_WEAK = 2,
       STB_LOOS = 10,
       STB_GNU_UNIQUE = 10,
       STT_NOTYPE = 0,
       STT_OBJECT = 1,
       STT_FUNC = 2,
       STT_SECTION = 3,
       STT_FILE = 4,
       STT_COMMON = 5,
       STT_TLS = 6,
       STT_GNU_IFUNC = 10,
       STV_DEFAULT = 0,
       STV_INTERNAL = 1,
       STV_HIDDEN = 2,
       STV_PROTECTED = 3,
};

enum { /* dynamic output (lib/link/dyn_*.c) */
       SHT_RELR = 19,
       SHT_GNU_HASH = 0x6ffffff6,
       SHT_GNU_verdef = 0x6ffffffd,
       SHT_GNU_verneed = 0x6ffffffe,
       SHT_GNU_versym = 0x6fffffff,
       DT_RELRSZ = 35,
       DT_RELR = 36,
       DT_RELRENT = 37,
       PT_INTERP = 3,
       PT_PHDR = 6,
       DT_PLTRELSZ = 2,
       DT_PLTGOT = 3,
       DT_RELA = 7,
       DT_RELASZ = 8,
       DT_RELAENT = 9,
       DT_INIT = 12,
       DT_FINI = 13,
       DT_PLTREL = 20,
       DT_DEBUG = 21,
       DT_TEXTREL = 22,
       DT_JMPREL = 23,
       DT_INIT_ARRAY = 25,
       DT_FINI_ARRAY = 26,
       DT_INIT_ARRAYSZ = 27,
       DT_FINI_ARRAYSZ = 28,
       DT_FLAGS = 30,
       DT_PREINIT_ARRAY = 32,
       DT_PREINIT_ARRAYSZ = 33,
       DT_GNU_HASH = 0x6ffffef5,
       DT_TLSDESC_PLT = 0x6ffffef6,
       DT_TLSDESC_GOT = 0x6ffffef7,
       DT_RELACOUNT = 0x6ffffff9,
       DT_FLAGS_1 = 0x6ffffffb,
       DT_SYMBOLIC = 16,
       DF_ORIGIN = 0x1,
       DF_SYMBOLIC = 0x2,
       DF_TEXTREL = 0x4,
       DF_BIND_NOW = 0x8,
       DF_STATIC_TLS = 0x10,
       DF_1_NOW = 0x1,
       DF_1_GLOBAL = 0x2,
       DF_1_NODELETE = 0x8,
       DF_1_NOOPEN = 0x40,
       DF_1_ORIGIN = 0x80,
       DF_1_PIE = 0x08000000,
};

#endif
