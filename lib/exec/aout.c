/* Directing the load of an i386 a.out executable as OSKit did (its
 * exec/x86/aout.c, from CMU Mach), with OSKit's flaws fixed: the symbol
 * table is found past the relocations, the client's errors come back,
 * every size is checked against the 32-bit address space and the file, and
 * the info is filled.  a.out has no program headers: the layout follows
 * from the magic number alone, so each magic below says where its text is
 * in the file and in memory. */
#include <keel/exec.h>

#include "../elf/internal.h"

enum {
    OMAGIC = 0407,     /* text and data one writable image, not paged */
    NMAGIC = 0410,     /* read-only text, not paged */
    ZMAGIC = 0413,     /* demand paged; where the text is differs by system */
    QMAGIC = 0314,     /* demand paged, the header is the text's first bytes */
    NETBSD_ZMAGIC = 0, /* our tag for ZMAGIC with NetBSD's midmag: laid out as QMAGIC */
    HDR = 32,          /* sizeof(struct exec) */
    PAGE = 0x1000,     /* a.out's page size on i386, fixed by the format */
    SCAN_CHUNK = 256,
    SCAN_LIMIT = 0x10000,
    MID_ZERO = 0,   /* old files, before machine ids */
    M_386 = 100,    /* Linux */
    MID_I386 = 134, /* NetBSD, FreeBSD */
    EX_DYNAMIC = 0x20,
    EM_386 = 3,
};

/* The fields' offsets in the header, for the messages. */
enum { O_MIDMAG = 0, O_TEXT = 4, O_DATA = 8, O_BSS = 12, O_SYMS = 16, O_ENTRY = 20, O_TRSIZE = 24, O_DRSIZE = 28 };

#define MAX32 0xffffffffu

typedef struct aout {
    keel_exec_read_fn read;
    keel_exec_read_exec_fn read_exec;
    void *handle;
    const keel_exec_options *opt;
    keel_exec_info *info;
    uint32_t midmag, text, data, bss, syms, entry, trsize, drsize;
    uint16_t magic;
    uint64_t origin; /* file offset that a_text counts from (N_TXTOFF) */
    uint64_t text_off, text_addr, text_size;
    uint64_t data_size; /* file bytes of the data piece, after the move */
} aout;

static int fail(aout *l, int code, uint64_t off, const char *fmt, uint64_t a, uint64_t b)
{
    return keel_error_set(&l->info->error, code, off, fmt, a, b);
}

/* Read exactly n bytes at off: 1, 0 on a short read (end of file), or -1
 * with the client's error in *client_rc. */
static int read_exact(aout *l, uint64_t off, void *buf, size_t n, int *client_rc)
{
    size_t got = 0;
    int rc = l->read(l->handle, off, buf, n, &got);
    if (rc) {
        *client_rc = rc;
        return -1;
    }
    return got >= n;
}

/* The file really holds [off, off+len): probe its last byte. */
static int check_in_file(aout *l, uint64_t off, uint64_t len, uint64_t field_at, const char *fmt, uint64_t size)
{
    uint8_t b;
    int crc = 0, r;
    if (len == 0)
        return 0;
    r = read_exact(l, off + len - 1, &b, 1, &crc);
    if (r < 0)
        return crc;
    if (r == 0)
        return fail(l, KEEL_EX_CORRUPT, field_at, fmt, size, off);
    return 0;
}

/* OSKit accepted machine ids by not looking at them; we look.  BSD keeps a
 * 10-bit MID above the magic, Linux an 8-bit machine type (with flags
 * above it, always zero in practice): both name i386 the same way. */
static bool i386_mid(uint32_t mid) { return mid == MID_ZERO || mid == M_386 || mid == MID_I386; }

static int check_header(aout *l)
{
    uint8_t h[HDR];
    size_t got = 0;
    int rc = l->read(l->handle, 0, h, sizeof h, &got);
    if (rc)
        return rc;
    if (got < sizeof h)
        return fail(l, KEEL_EX_NOT_EXECUTABLE, 0,
                    "not an a.out file: %U bytes are too few for its 32-byte header at %X", got, 0);
    l->midmag = kl_u32(h, false), l->text = kl_u32(h + 4, false), l->data = kl_u32(h + 8, false);
    l->bss = kl_u32(h + 12, false), l->syms = kl_u32(h + 16, false), l->entry = kl_u32(h + 20, false);
    l->trsize = kl_u32(h + 24, false), l->drsize = kl_u32(h + 28, false);
    uint32_t mid;
    l->magic = (uint16_t)(l->midmag & 0xffff);
    if (l->magic == OMAGIC || l->magic == NMAGIC || l->magic == ZMAGIC || l->magic == QMAGIC) {
        mid = l->midmag >> 16 & 0x3ff;
    } else {
        /* NetBSD writes a_midmag in network byte order on every machine
         * (flags<<26 | mid<<16 | magic), the rest of the header in the
         * machine's own: OSKit recognised its i386 ZMAGIC by the word
         * 0x0b018600 as a little-endian machine reads it.  We take any MID
         * (so that other machines get WRONG_ARCH) and the dynamic flag,
         * which asks nothing of the kernel: crt0 maps ld.so itself. */
        uint32_t be = kl_u32(h, true);
        if ((be & 0xffff) != ZMAGIC)
            return fail(l, KEEL_EX_NOT_EXECUTABLE, O_MIDMAG,
                        "not an a.out file: a_midmag %X (at %X) has no OMAGIC, NMAGIC, ZMAGIC or QMAGIC", l->midmag,
                        O_MIDMAG);
        if (be >> 26 & ~(uint32_t)EX_DYNAMIC)
            return fail(l, KEEL_EX_NOT_EXECUTABLE, O_MIDMAG,
                        "NetBSD a_midmag flags %X (at %X) are not those of an executable (a PIC library?)", be >> 26,
                        O_MIDMAG);
        l->magic = NETBSD_ZMAGIC;
        mid = be >> 16 & 0x3ff;
        if (mid != MID_I386)
            return fail(l, KEEL_EX_WRONG_ARCH, O_MIDMAG, "NetBSD a_midmag (at %X): machine id %U is not i386", O_MIDMAG,
                        mid);
    }
    if (!i386_mid(mid))
        return fail(l, KEEL_EX_WRONG_ARCH, O_MIDMAG, "a_midmag (at %X): machine id %U is not i386", O_MIDMAG, mid);

    keel_exec_info *info = l->info;
    info->format = 2;
    info->elfclass = 1;
    /* little-endian even for NetBSD's midmag: only that word is in network
     * order, and the machine is i386 */
    info->byteorder = 1;
    info->machine = EM_386;
    info->type = 2;
    info->entry = l->entry;
    if (l->opt && l->opt->machines) {
        bool ok = false;
        for (size_t i = 0; i < l->opt->machine_count; i++)
            ok |= l->opt->machines[i] == EM_386;
        if (!ok)
            return fail(l, KEEL_EX_WRONG_ARCH, O_MIDMAG,
                        "machine %U (EM_386, from a_midmag at %X) is not one the loader accepts", EM_386, O_MIDMAG);
    }
    return 0;
}

/* ZMAGIC's text is at 1024 on Linux, at 4096 on 386BSD and FreeBSD, and
 * right after the header (the header being part of the text) on Mach, and
 * the header does not say which.  OSKit's heuristic, kept: the text starts
 * at the first non-zero byte after the header, rounded down to 32 bytes in
 * case the code itself starts with zero bytes.  Unlike OSKit, the scan
 * gives up after 64 KiB (no layout puts the text further), and it looks
 * only at bytes the client returned. */
static int zmagic_text_offset(aout *l, uint64_t *out)
{
    uint8_t buf[SCAN_CHUNK];
    uint64_t at = 0;
    while (at < SCAN_LIMIT) {
        size_t got = 0;
        int rc = l->read(l->handle, at, buf, sizeof buf, &got);
        if (rc)
            return rc;
        if (got > sizeof buf)
            got = sizeof buf;
        for (size_t i = at ? 0 : HDR; i < got; i++)
            if (buf[i]) {
                *out = (at + i) & ~(uint64_t)31;
                return 0;
            }
        at += got;
        if (got < sizeof buf)
            break;
    }
    return fail(l, KEEL_EX_CORRUPT, HDR, "ZMAGIC: no text found: only zero bytes from %X to %X", HDR,
                at > HDR ? at : HDR);
}

/* Where text and data are, in the file and in memory. */
static int layout(aout *l)
{
    uint64_t text_size = l->text, data_size = l->data;
    switch (l->magic) {
    case OMAGIC:
        /* one piece: OMAGIC's text is writable, so it joins the data */
        l->origin = l->text_off = HDR;
        l->text_addr = 0;
        text_size = 0;
        data_size = (uint64_t)l->text + l->data;
        break;
    case NMAGIC:
        l->origin = l->text_off = HDR;
        l->text_addr = 0;
        break;
    case ZMAGIC: {
        uint64_t t = 0;
        int rc = zmagic_text_offset(l, &t);
        if (rc)
            return rc;
        /* OSKit's assumption: a_entry is the address of the first byte of
         * code.  Text found right after the header means the header is
         * part of the text (no demand-paged layout can start text at 32
         * otherwise), and so a_text counts its 32 bytes, which OSKit loaded
         * a second time at the end of the data. */
        l->text_off = t;
        l->text_addr = l->entry;
        if (t == HDR) {
            if (l->text < HDR)
                return fail(l, KEEL_EX_CORRUPT, O_TEXT,
                            "ZMAGIC with the header in the text: a_text %U (at %X) cannot hold the header", l->text,
                            O_TEXT);
            l->origin = 0;
            text_size = l->text - HDR;
        } else {
            l->origin = t;
        }
        break;
    }
    default: /* QMAGIC and NETBSD_ZMAGIC: the header is the text's start */
        l->origin = l->text_off = 0;
        l->text_addr = PAGE;
        break;
    }

    uint64_t text_end = l->text_addr + text_size;
    if (text_end > MAX32)
        return fail(l, KEEL_EX_BAD_LAYOUT, O_TEXT, "a_text %X (at %X) runs the text past 4 GiB of address space",
                    l->text, O_TEXT);
    /* The partial last page of the text goes to the data, so that no page
     * is both text (read-only) and data: OSKit's rule, kept. */
    uint64_t incr = text_end & (PAGE - 1);
    if (incr > text_size)
        incr = text_size;
    l->text_size = text_size - incr;
    l->data_size = data_size + incr;

    uint64_t file_end = l->text_off + l->text_size + l->data_size;
    if (file_end > MAX32)
        return fail(l, KEEL_EX_BAD_LAYOUT, O_TEXT, "a_text %X and a_data %X (at 0x4, 0x8) end past 4 GiB of file",
                    l->text, l->data);
    if (l->text_addr + l->text_size + l->data_size + l->bss > MAX32)
        return fail(l, KEEL_EX_BAD_LAYOUT, O_DATA,
                    "a_data %X and a_bss %X (at 0x8, 0xc) end past 4 GiB of address space", l->data, l->bss);
    if (l->text_size + l->data_size + l->bss == 0)
        return fail(l, KEEL_EX_BAD_LAYOUT, O_TEXT, "nothing to load: a_text, a_data and a_bss (at %X to %X) are 0",
                    O_TEXT, O_BSS + 3);
    int rc = check_in_file(l, l->text_off, l->text_size, O_TEXT,
                           "a_text %X (at 0x4): the text at %X runs past the end of the file", l->text);
    if (!rc)
        rc = check_in_file(l, l->text_off + l->text_size, l->data_size, O_DATA,
                           "a_data %X (at 0x8): the data at %X runs past the end of the file", l->data);
    if (rc)
        return rc;

    keel_exec_info *info = l->info;
    info->image_start = l->text_addr;
    info->image_file_end = l->text_addr + l->text_size + l->data_size;
    info->image_end = info->image_file_end + l->bss;
    /* OMAGIC is one piece with no page structure: its sizes are only
     * multiples of the word; the other magics split text from data at a
     * page boundary. */
    info->max_align = l->magic == OMAGIC ? 4 : PAGE;
    return 0;
}

static int direct(aout *l)
{
    int rc;
    if (l->text_size) {
        rc = l->read_exec(l->handle, l->text_off, l->text_size, l->text_addr, l->text_size,
                          KEEL_EXEC_READ | KEEL_EXEC_EXECUTE | KEEL_EXEC_ALLOC | KEEL_EXEC_LOAD);
        if (rc)
            return rc;
    }
    if (l->data_size + l->bss) {
        /* Executable data, as OSKit had it: a.out carries no permissions,
         * and i386 code of the time ran from data (OMAGIC's whole image is
         * here, and NMAGIC/ZMAGIC data holds the tail of the text).  LOAD
         * only with file bytes, as for ELF: bss alone is ALLOC. */
        unsigned t = KEEL_EXEC_READ | KEEL_EXEC_WRITE | KEEL_EXEC_EXECUTE | KEEL_EXEC_ALLOC |
                     (l->data_size ? KEEL_EXEC_LOAD : 0);
        rc = l->read_exec(l->handle, l->text_off + l->text_size, l->data_size, l->text_addr + l->text_size,
                          l->data_size + l->bss, t);
        if (rc)
            return rc;
    }
    return 0;
}

/* The symbol table follows the relocations (N_SYMOFF), which OSKit forgot;
 * the string table follows it and begins with its own length. */
static int direct_debug(aout *l)
{
    uint8_t w[4];
    int crc = 0, r;
    if (!l->syms)
        return 0;
    uint64_t symoff = l->origin + l->text + l->data + l->trsize + l->drsize, stroff = symoff + l->syms;
    if (stroff + 4 > MAX32)
        return fail(l, KEEL_EX_BAD_LAYOUT, O_TRSIZE,
                    "a_trsize, a_drsize and a_syms (at 0x18, 0x1c, 0x10) put the string table at %X, past 4 GiB",
                    stroff, 0);
    r = check_in_file(l, symoff, l->syms, O_SYMS,
                      "a_syms %X (at 0x10): the symbol table at %X runs past the end of the file", l->syms);
    if (r)
        return r;
    r = read_exact(l, stroff, w, sizeof w, &crc);
    if (r < 0)
        return crc;
    if (r == 0)
        return fail(l, KEEL_EX_CORRUPT, stroff, "the string table's length word at %X is past the end of the file",
                    stroff, 0);
    uint64_t len = kl_u32(w, false);
    if (len < 4)
        return fail(l, KEEL_EX_CORRUPT, stroff, "the string table's length %U (at %X) is less than its own 4 bytes",
                    len, stroff);
    if (stroff + len > MAX32)
        return fail(l, KEEL_EX_BAD_LAYOUT, stroff, "the string table at %X (length %X) ends past 4 GiB of file", stroff,
                    len);
    r = check_in_file(l, stroff, len, stroff, "the string table (length %X) at %X runs past the end of the file", len);
    if (r)
        return r;
    /* DEBUG too: OSKit's manual says both imply it, its code forgot */
    r = l->read_exec(l->handle, symoff, l->syms, 0, 0, KEEL_EXEC_DEBUG | KEEL_EXEC_AOUT_SYMTAB);
    if (!r)
        r = l->read_exec(l->handle, stroff, len, 0, 0, KEEL_EXEC_DEBUG | KEEL_EXEC_AOUT_STRTAB);
    return r;
}

int keel_exec_load_aout(keel_exec_read_fn read, keel_exec_read_exec_fn read_exec, void *handle,
                        const keel_exec_options *options, keel_exec_info *info)
{
    aout l = {.read = read, .read_exec = read_exec, .handle = handle, .opt = options, .info = info};
    *info = (keel_exec_info){0};
    int rc = check_header(&l);
    if (!rc)
        rc = layout(&l);
    if (!rc)
        rc = direct(&l);
    if (!rc && options && options->report_debug)
        rc = direct_debug(&l);
    return rc;
}
