/* Directing the load of an ELF executable or PIE through client callbacks.
 * Everything is read through the read callback, one small structure at a
 * time, so the file never has to be in memory and nothing is allocated. */
#include <keel/exec.h>

#include "../elf/internal.h"

enum { PT_INTERP = 3, PT_PHDR = 6, PT_GNU_STACK = 0x6474e551, PF_X = 1, PF_W = 2, PF_R = 4 };

typedef struct loader {
    keel_exec_read_fn read;
    keel_exec_read_exec_fn read_exec;
    void *handle;
    const keel_exec_options *opt;
    keel_exec_info *info;
    keel_elf e;
    uint8_t ehdr[64];
} loader;

/* Read exactly n bytes at off: 1 on success, 0 on a short read (end of
 * file), or the client's error (< 0 or > 1 is passed on: see read_fail). */
static int read_exact(loader *l, uint64_t off, void *buf, size_t n, int *client_rc)
{
    size_t got = 0;
    int rc = l->read(l->handle, off, buf, n, &got);
    if (rc) {
        *client_rc = rc;
        return -1;
    }
    return got >= n;
}

static int fail(loader *l, int code, uint64_t off, const char *fmt, uint64_t a, uint64_t b)
{
    return keel_error_set(&l->info->error, code, off, fmt, a, b);
}

static int read_phdr(loader *l, uint32_t i, keel_phdr *ph)
{
    uint8_t buf[64];
    int crc = 0;
    uint64_t off = l->e.phoff + (uint64_t)i * l->e.phentsize;
    int r = read_exact(l, off, buf, keel_elf_is64(&l->e) ? 56 : 32, &crc);
    if (r < 0)
        return crc;
    if (r == 0)
        return fail(l, KEEL_EX_CORRUPT, off, "program header %U at %X is past the end of the file", i, off);
    keel_elf_decode_phdr(&l->e, buf, ph);
    return 0;
}

/* The file really holds [off, off+len): probe its last byte. */
static int check_in_file(loader *l, uint64_t off, uint64_t len, uint32_t i)
{
    uint8_t b;
    int crc = 0, r;
    if (len == 0)
        return 0;
    r = read_exact(l, off + len - 1, &b, 1, &crc);
    if (r < 0)
        return crc;
    if (r == 0)
        return fail(l, KEEL_EX_CORRUPT, off, "segment %U: file image at %X runs past the end of the file", i, off);
    return 0;
}

static int check_header(loader *l)
{
    keel_exec_info *info = l->info;
    keel_error err;
    size_t got = 0;
    int rc = l->read(l->handle, 0, l->ehdr, sizeof l->ehdr, &got);
    if (rc)
        return rc;
    if (!keel_is_elf(l->ehdr, got))
        return fail(l, KEEL_EX_NOT_EXECUTABLE, 0, "not an ELF file (bad magic at offset 0x0)", 0, 0);
    if (keel_elf_parse_header(&l->e, l->ehdr, got, &err)) {
        info->error = err;
        info->error.code = KEEL_EX_CORRUPT;
        return KEEL_EX_CORRUPT;
    }
    const keel_elf *e = &l->e;
    info->format = 1;
    info->elfclass = e->elfclass;
    info->byteorder = e->byteorder;
    info->machine = e->machine;
    info->type = e->type;
    if (e->type != 2 && e->type != 3)
        return fail(l, KEEL_EX_NOT_EXECUTABLE, 16, "ELF type %U (at 0x10) is neither an executable nor a PIE", e->type,
                    0);
    if (l->opt && l->opt->machines) {
        bool ok = false;
        for (size_t i = 0; i < l->opt->machine_count; i++)
            ok |= l->opt->machines[i] == e->machine;
        if (!ok)
            return fail(l, KEEL_EX_WRONG_ARCH, 18, "machine %U (e_machine at 0x12) is not one the loader accepts",
                        e->machine, 0);
    }
    if (e->phentsize != (keel_elf_is64(e) ? 56 : 32))
        return fail(l, KEEL_EX_CORRUPT, keel_elf_is64(e) ? 54 : 42, "e_phentsize %U (at %X) is not the standard size",
                    e->phentsize, keel_elf_is64(e) ? 54 : 42);
    if (e->phnum == 0 || e->phnum >= 0xffff)
        return fail(l, KEEL_EX_CORRUPT, keel_elf_is64(e) ? 56 : 44, "e_phnum %U (at %X) is not a usable count",
                    e->phnum, keel_elf_is64(e) ? 56 : 44);
    uint64_t end;
    if (kl_add_overflows(e->phoff, (uint64_t)e->phnum * e->phentsize, &end))
        return fail(l, KEEL_EX_CORRUPT, keel_elf_is64(e) ? 32 : 28, "program header table at %X overflows", e->phoff,
                    0);
    info->phnum = e->phnum;
    info->phentsize = e->phentsize;
    info->load_bias = e->type == 3 && l->opt ? l->opt->load_bias : 0;
    info->entry = e->entry + info->load_bias;
    return 0;
}

/* Pass 1: validate every segment and fill in the info. */
static int survey(loader *l)
{
    keel_exec_info *info = l->info;
    /* An ELF32 image lives in a 32-bit address space: a range that ends
     * beyond 4 GiB wraps around there. */
    uint64_t bias = info->load_bias, prev_end = 0;
    bool any_load = false;
    for (uint32_t i = 0; i < l->e.phnum; i++) {
        keel_phdr ph;
        int rc = read_phdr(l, i, &ph);
        uint64_t at = l->e.phoff + (uint64_t)i * l->e.phentsize, fend, mend;
        if (rc)
            return rc;
        if (ph.type != KL_PT_LOAD && ph.type != KL_PT_TLS && ph.type != PT_INTERP && ph.type != KL_PT_NOTE)
            goto other;
        if (ph.filesz > ph.memsz && ph.type != PT_INTERP && ph.type != KL_PT_NOTE)
            return fail(l, KEEL_EX_BAD_LAYOUT, at, "segment %U (header at %X): file size exceeds memory size", i, at);
        if (kl_add_overflows(ph.offset, ph.filesz, &fend) || kl_add_overflows(ph.vaddr, ph.memsz, &mend) ||
            kl_add_overflows(mend, bias, &mend) ||
            (!keel_elf_is64(&l->e) && (fend > 0xffffffffu || mend > 0xffffffffu)))
            return fail(l, KEEL_EX_BAD_LAYOUT, at, "segment %U (header at %X): offset or address wraps around", i, at);
        if ((rc = check_in_file(l, ph.offset, ph.filesz, i)))
            return rc;
        if (ph.type == KL_PT_LOAD) {
            if (!kl_is_pow2_or_zero(ph.align))
                return fail(l, KEEL_EX_BAD_LAYOUT, at, "segment %U (header at %X): alignment is not a power of two", i,
                            at);
            if (ph.align > 1 && (ph.offset - ph.vaddr) % ph.align)
                return fail(l, KEEL_EX_BAD_LAYOUT, at,
                            "segment %U (header at %X): offset and address differ modulo the alignment", i, at);
            if (any_load && ph.vaddr + bias < prev_end)
                return fail(l, KEEL_EX_BAD_LAYOUT, at,
                            "segment %U (header at %X) is out of order or overlaps the one before", i, at);
            if (!any_load)
                info->image_start = ph.vaddr + bias;
            any_load = true;
            prev_end = mend;
            info->image_end = mend;
            info->image_file_end = ph.vaddr + bias + ph.filesz;
            if (ph.align > info->max_align)
                info->max_align = ph.align;
            /* AT_PHDR: the program headers as the loaded image holds them */
            if (!info->phdr_addr && l->e.phoff >= ph.offset && l->e.phoff - ph.offset < ph.filesz)
                info->phdr_addr = ph.vaddr + bias + (l->e.phoff - ph.offset);
        } else if (ph.type == KL_PT_TLS) {
            info->has_tls = true;
            info->tls_addr = ph.vaddr + bias;
            info->tls_filesz = ph.filesz;
            info->tls_memsz = ph.memsz;
            info->tls_align = ph.align;
        } else if (ph.type == PT_INTERP) {
            int crc = 0;
            if (ph.filesz == 0 || ph.filesz > sizeof info->interp)
                return fail(l, KEEL_EX_CORRUPT, at, "segment %U (header at %X): interpreter path length is unusable", i,
                            at);
            if (read_exact(l, ph.offset, info->interp, ph.filesz, &crc) != 1)
                return crc ? crc
                           : fail(l, KEEL_EX_CORRUPT, ph.offset, "interpreter path at %X is cut short", ph.offset, 0);
            if (info->interp[ph.filesz - 1] != 0)
                return fail(l, KEEL_EX_CORRUPT, ph.offset, "interpreter path at %X is not NUL-terminated", ph.offset,
                            0);
        } else if (ph.type == KL_PT_NOTE && !info->build_id_len) {
            uint8_t buf[512];
            size_t n = 0;
            /* parse only what the client actually returned */
            int crc = l->read(l->handle, ph.offset, buf, ph.filesz < sizeof buf ? (size_t)ph.filesz : sizeof buf, &n);
            if (crc)
                return crc;
            bool be = kl_be(&l->e);
            for (uint64_t p = 0; p + 12 <= n;) {
                uint64_t nsz = kl_u32(buf + p, be), dsz = kl_u32(buf + p + 4, be), t = kl_u32(buf + p + 8, be);
                uint64_t a = ph.align == 8 ? 8 : 4, d = (p + 12 + nsz + a - 1) & ~(a - 1);
                if (d + dsz > n)
                    break;
                if (t == 3 && nsz == 4 && kl_memeq(buf + p + 12, "GNU", 4) && dsz <= sizeof info->build_id) {
                    for (uint64_t k = 0; k < dsz; k++)
                        info->build_id[k] = buf[d + k];
                    info->build_id_len = (uint32_t)dsz;
                    break;
                }
                p = (d + dsz + a - 1) & ~(a - 1);
            }
        }
        continue;
    other:
        if (ph.type == PT_GNU_STACK) {
            info->has_stack_flags = true;
            info->stack_flags = ph.flags;
        } else if (ph.type == KL_PT_GNU_RELRO) {
            info->relro_start = ph.vaddr + bias;
            info->relro_end = ph.vaddr + bias + ph.memsz;
        } else if (ph.type == PT_PHDR) {
            info->phdr_addr = ph.vaddr + bias;
        }
    }
    if (!any_load)
        return fail(l, KEEL_EX_BAD_LAYOUT, l->e.phoff, "no loadable segment (program headers at %X)", l->e.phoff, 0);
    return 0;
}

static unsigned prot(uint32_t pf)
{
    return (pf & PF_R ? KEEL_EXEC_READ : 0) | (pf & PF_W ? KEEL_EXEC_WRITE : 0) | (pf & PF_X ? KEEL_EXEC_EXECUTE : 0);
}

/* Pass 2: direct the client, segment by segment. */
static int direct(loader *l)
{
    uint64_t bias = l->info->load_bias;
    for (uint32_t i = 0; i < l->e.phnum; i++) {
        keel_phdr ph;
        int rc = read_phdr(l, i, &ph);
        if (rc)
            return rc;
        if (ph.type == KL_PT_LOAD && ph.memsz > 0) {
            unsigned t = KEEL_EXEC_ALLOC | prot(ph.flags) | (ph.filesz ? KEEL_EXEC_LOAD : 0);
            rc = l->read_exec(l->handle, ph.offset, ph.filesz, ph.vaddr + bias, ph.memsz, t);
        } else if (ph.type == KL_PT_TLS) {
            rc = l->read_exec(l->handle, ph.offset, ph.filesz, ph.vaddr + bias, ph.memsz,
                              KEEL_EXEC_TLS | prot(ph.flags));
        } else if (ph.type == KL_PT_NOTE && l->opt && l->opt->report_notes) {
            rc = l->read_exec(l->handle, ph.offset, ph.filesz, 0, 0, KEEL_EXEC_NOTE);
        }
        if (rc)
            return rc;
    }
    return 0;
}

/* Debug pieces come from the section headers, read one at a time. */
static int direct_debug(loader *l)
{
    const keel_elf *e = &l->e;
    uint64_t shsize = keel_elf_is64(e) ? 64 : 40;
    uint8_t raw[64];
    keel_shdr names = {0};
    int crc = 0, r;
    if (!e->shoff || !e->e_shnum || e->shentsize != shsize || e->e_shstrndx >= e->e_shnum)
        return 0; /* no (usable) section headers: nothing to report */
    /* A tiny keel_elf over one section header lets the reader decode it. */
    keel_elf one = *e;
    one.data = raw;
    one.size = shsize;
    one.shoff = 0;
    one.shnum = 1;
    for (uint32_t i = 0; i <= e->e_shnum; i++) {
        uint32_t idx = i == 0 ? e->e_shstrndx : i - 1;
        keel_shdr sh;
        char name[16] = {0};
        if (i > 0 && idx == 0)
            continue;
        r = read_exact(l, e->shoff + (uint64_t)idx * shsize, raw, shsize, &crc);
        if (r < 0)
            return crc;
        if (r == 0)
            return fail(l, KEEL_EX_CORRUPT, e->shoff, "section header %U is past the end of the file", idx, 0);
        keel_elf_shdr(&one, 0, &sh, NULL);
        if (i == 0) {
            names = sh;
            continue;
        }
        if (sh.flags & KL_SHF_ALLOC || sh.type == KL_SHT_NOBITS || sh.size == 0)
            continue;
        if (sh.name < names.size) {
            r = read_exact(l, names.offset + sh.name, name, sizeof name - 1, &crc);
            if (r < 0)
                return crc;
        }
        unsigned t = 0;
        if (sh.type == KL_SHT_SYMTAB)
            t = KEEL_EXEC_ELF_SYMTAB;
        else if (sh.type == KL_SHT_STRTAB && idx != e->e_shstrndx)
            t = KEEL_EXEC_ELF_STRTAB;
        else if (kl_memeq(name, ".debug_", 7) || kl_memeq(name, ".zdebug_", 8))
            t = KEEL_EXEC_DWARF;
        else if (kl_memeq(name, ".stab", 5))
            t = KEEL_EXEC_STABS;
        if (!t)
            continue;
        if ((r = check_in_file(l, sh.offset, sh.size, idx)))
            return r;
        if ((r = l->read_exec(l->handle, sh.offset, sh.size, 0, 0, KEEL_EXEC_DEBUG | t)))
            return r;
    }
    return 0;
}

int keel_exec_load_elf(keel_exec_read_fn read, keel_exec_read_exec_fn read_exec, void *handle,
                       const keel_exec_options *options, keel_exec_info *info)
{
    loader l = {.read = read, .read_exec = read_exec, .handle = handle, .opt = options, .info = info};
    *info = (keel_exec_info){0};
    int rc = check_header(&l);
    if (!rc)
        rc = survey(&l);
    if (!rc)
        rc = direct(&l);
    if (!rc && options && options->report_debug)
        rc = direct_debug(&l);
    return rc;
}
