/*
 * keel/exec.h - the executable interpreter (the OSKit exec model).
 *
 * The interpreter only *directs* loading: it reads the file through the
 * client's read callback and tells the client, one call per piece, what to
 * put where (the read_exec callback).  The client copies, maps, or merely
 * records.  So a kernel, a boot loader and a user-space exec load the same
 * way.  Freestanding like the reader: no allocation, no libc I/O.
 */
#ifndef KEEL_EXEC_H
#define KEEL_EXEC_H

#include <keel/elf.h>

#ifdef __cplusplus
extern "C" {
#endif
/* The public API: libkeel.so is built -fvisibility=hidden and exports
 * what is declared here, nothing else (tests/api_exports.t). */
#pragma GCC visibility push(default)

/* Section-type bits passed to read_exec.  READ/WRITE/EXECUTE equal PROT_*. */
enum keel_exec_sectype {
    KEEL_EXEC_READ = 0x1,
    KEEL_EXEC_WRITE = 0x2,
    KEEL_EXEC_EXECUTE = 0x4,
    KEEL_EXEC_PROT_MASK = 0x7,
    KEEL_EXEC_ALLOC = 0x100,   /* reserve [mem_addr, mem_addr+mem_size) */
    KEEL_EXEC_LOAD = 0x200,    /* initialise from the file; implies ALLOC */
    KEEL_EXEC_DEBUG = 0x10000, /* debugging information, not loaded */
    KEEL_EXEC_AOUT_SYMTAB = 0x20000,
    KEEL_EXEC_AOUT_STRTAB = 0x40000,
    KEEL_EXEC_ELF_SYMTAB = 0x80000,
    KEEL_EXEC_ELF_STRTAB = 0x100000,
    KEEL_EXEC_DWARF = 0x200000, /* a .debug_* section */
    KEEL_EXEC_STABS = 0x400000,
    KEEL_EXEC_NOTE = 0x1000000, /* a PT_NOTE segment */
    KEEL_EXEC_TLS = 0x2000000,  /* the PT_TLS initialisation template */
};

/* Errors (negative, like the reader's).  A non-zero value returned by a
 * client callback is passed back unchanged. */
enum keel_exec_status {
    KEEL_EX_NOT_EXECUTABLE = -100, /* not a format we know, or not an executable */
    KEEL_EX_WRONG_ARCH = -101,     /* a valid file for a machine the client refused */
    KEEL_EX_CORRUPT = -102,        /* recognised but truncated or mangled */
    KEEL_EX_BAD_LAYOUT = -103,     /* a memory or file layout no loader should accept */
};

/* pread-like: read up to `size` bytes at `offset`; *actual < size means end
 * of file.  Return 0, or an error of the client's, passed back unchanged. */
typedef int (*keel_exec_read_fn)(void *handle, uint64_t offset, void *buf, size_t size, size_t *actual);

/* One piece of the image.  mem_size > file_size: zero-fill the rest.  For
 * pieces without ALLOC, mem_addr and mem_size are 0. */
typedef int (*keel_exec_read_exec_fn)(void *handle, uint64_t file_ofs, uint64_t file_size, uint64_t mem_addr,
                                      uint64_t mem_size, unsigned section_type);

typedef struct keel_exec_options {
    const uint16_t *machines; /* accepted e_machine values; NULL: any */
    size_t machine_count;
    uint64_t load_bias; /* added to every address of an ET_DYN (PIE) */
    bool report_debug;  /* also report symbol tables and debug sections */
    bool report_notes;  /* also report PT_NOTE segments */
} keel_exec_options;

typedef struct keel_exec_info {
    int format;        /* 1 = ELF, 2 = a.out */
    uint8_t elfclass;  /* 1 = 32-bit, 2 = 64-bit */
    uint8_t byteorder; /* 1 = little, 2 = big */
    uint16_t machine;
    uint16_t type;  /* ET_EXEC or ET_DYN */
    uint64_t entry; /* with the load bias applied */
    uint64_t load_bias;
    uint64_t image_start;    /* lowest PT_LOAD address (biased) */
    uint64_t image_end;      /* end of the highest PT_LOAD's memory */
    uint64_t image_file_end; /* end of the highest PT_LOAD's file image */
    uint64_t max_align;
    char interp[256]; /* PT_INTERP, NUL-terminated; "" if none */
    bool has_tls;
    uint64_t tls_addr, tls_filesz, tls_memsz, tls_align;
    bool has_stack_flags;
    uint32_t stack_flags; /* PT_GNU_STACK p_flags (PF_X = executable stack) */
    uint64_t phdr_addr;   /* where the program headers are in memory (AT_PHDR) */
    uint32_t phnum, phentsize;
    uint64_t relro_start, relro_end; /* PT_GNU_RELRO, 0/0 if none */
    uint8_t build_id[64];
    uint32_t build_id_len;
    keel_error error; /* the message for a KEEL_EX_* failure */
} keel_exec_info;

/* Try each format in turn (ELF, then a.out) until one recognises the file.
 * A file with ELF's magic gets the ELF loader's verdict. */
int keel_exec_load(keel_exec_read_fn read, keel_exec_read_exec_fn read_exec, void *handle,
                   const keel_exec_options *options, keel_exec_info *info);
int keel_exec_load_elf(keel_exec_read_fn read, keel_exec_read_exec_fn read_exec, void *handle,
                       const keel_exec_options *options, keel_exec_info *info);
/* a.out (OMAGIC, NMAGIC, ZMAGIC, QMAGIC, and NetBSD's ZMAGIC with its
 * midmag word in network order) as OSKit interpreted it, with its flaws
 * fixed: relocation sizes are counted when finding the symbol table, a
 * Mach ZMAGIC whose text starts with the header is sized right, errors from
 * the client are returned, and info is filled (format 2, ELFCLASS32,
 * little-endian, machine EM_386 for machine ids 0, 100 and NetBSD's 134;
 * max_align 4 for OMAGIC, 4096 for the paged magics).  a.out has no
 * permissions: the data piece is READ|WRITE|EXECUTE as in OSKit, and a
 * data piece with no file bytes is ALLOC without LOAD.  load_bias does not
 * apply.  Symbol and string tables are reported with report_debug, as
 * DEBUG|AOUT_SYMTAB and DEBUG|AOUT_STRTAB (the string table's length word
 * included). */
int keel_exec_load_aout(keel_exec_read_fn read, keel_exec_read_exec_fn read_exec, void *handle,
                        const keel_exec_options *options, keel_exec_info *info);

/* A short name for a KEEL_EX_* code. */
const char *keel_exec_status_name(int code);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
