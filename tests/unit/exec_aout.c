/* The executable interpreter on generated a.out executables of every magic
 * (OMAGIC, NMAGIC, ZMAGIC as Linux, 386BSD/FreeBSD and Mach lay it out,
 * QMAGIC, NetBSD's ZMAGIC with its network-order midmag).  Each file is
 * built from the a.out layout rules of <a.out.h> (N_TXTOFF, N_SYMOFF,
 * N_STROFF), and the expected calls are written out by hand from those
 * rules and OSKit's (text up to the last whole page read-only, the rest
 * read-write-execute with the bss), never computed by the code under test.
 * Then the memory the calls build is compared byte for byte with the file,
 * and the malformed variants and the client's errors are checked. */
#include <keel/exec.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"

enum kind { OMAG, NMAG, ZLINUX, ZBSD, ZMACH, QMAG, NETBSD };

/* An a.out executable to generate: the header's fields, and the sizes of
 * what follows the data in the file. */
typedef struct spec {
    enum kind kind;
    unsigned mid, flags; /* machine id in a_midmag; NetBSD's flags */
    unsigned text, data, bss, entry, trsize, drsize, syms;
    unsigned strsize;    /* the string table's length word (itself included) */
    unsigned lead_zeros; /* zero bytes at the start of the code */
} spec;

/* N_TXTOFF: where a_text starts counting in the file.  Linux <a.out.h>:
 * ZMAGIC 1024 (_N_HDROFF + sizeof(struct exec)), QMAGIC 0, else 32;
 * FreeBSD <a.out.h>: ZMAGIC __LDPGSZ (4096), QMAGIC and NetBSD ZMAGIC 0,
 * else 32; Mach's ZMAGIC counts the header in the text, like QMAGIC. */
static unsigned long long n_txtoff(const spec *s)
{
    switch (s->kind) {
    case OMAG:
    case NMAG: return 32;
    case ZLINUX: return 1024;
    case ZBSD: return 4096;
    default: return 0;
    }
}

/* N_SYMOFF and N_STROFF: past text, data and both relocation tables. */
static unsigned long long n_symoff(const spec *s) { return n_txtoff(s) + s->text + s->data + s->trsize + s->drsize; }

static unsigned long long n_stroff(const spec *s) { return n_symoff(s) + s->syms; }

/* Where the a.out's loaded bytes go, from the same headers (N_TXTADDR):
 * OMAGIC and NMAGIC at 0 (text and data one run, as Linux and OSKit load
 * NMAGIC), Linux and BSD ZMAGIC at 0, QMAGIC and NetBSD at 0x1000 with the
 * header; Mach ZMAGIC's header is not loaded, its code is at a_entry. */
static void image_of(const spec *s, unsigned long long *off, unsigned long long *addr, unsigned long long *len)
{
    *off = n_txtoff(s), *addr = 0, *len = (unsigned long long)s->text + s->data;
    if (s->kind == QMAG || s->kind == NETBSD)
        *addr = 0x1000;
    if (s->kind == ZMACH)
        *off = 32, *addr = s->entry, *len -= 32;
}

typedef struct call {
    unsigned long long fo, fs, ma, ms;
    unsigned t;
} call;

typedef struct image {
    unsigned char b[0x8000];
    size_t size;
    int read_error, read_fail_at; /* the read_fail_at-th read returns read_error */
    int exec_error, exec_fail_at; /* likewise for read_exec */
    int reads, ncalls;
    call calls[8];
} image;

static unsigned char text_byte(unsigned long long i) { return (unsigned char)(1 + i * 13 % 251); }
static unsigned char data_byte(unsigned long long i) { return (unsigned char)(1 + (i * 7 + 100) % 251); }

static void le32(unsigned char *p, unsigned v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> 8 * i);
}

static void build(image *m, const spec *s)
{
    unsigned long long t = n_txtoff(s), end = s->syms ? n_stroff(s) + s->strsize : n_symoff(s);
    memset(m, 0, sizeof *m);
    if (end > sizeof m->b || end < 32) {
        fprintf(stderr, "exec_aout: a generated file of %llu bytes does not fit\n", end);
        exit(2);
    }
    m->size = (size_t)end;
    for (unsigned long long i = 0; i < s->text; i++)
        m->b[t + i] = text_byte(i);
    unsigned long long code = t == 0 ? 32 : t;
    for (unsigned long long i = 0; i < s->lead_zeros; i++)
        m->b[code + i] = 0;
    for (unsigned long long i = 0; i < s->data; i++)
        m->b[t + s->text + i] = data_byte(i);
    memset(m->b + t + s->text + s->data, 0xee, s->trsize + s->drsize);
    memset(m->b + n_symoff(s), 0x5a, s->syms);
    if (s->syms) {
        le32(m->b + n_stroff(s), s->strsize);
        for (unsigned i = 4; i < s->strsize; i++)
            m->b[n_stroff(s) + i] = (unsigned char)('a' + i % 26);
    }
    static const unsigned magic[] = {
        [OMAG] = 0407, [NMAG] = 0410, [ZLINUX] = 0413, [ZBSD] = 0413, [ZMACH] = 0413, [QMAG] = 0314, [NETBSD] = 0413};
    unsigned midmag = s->flags << 26 | s->mid << 16 | magic[s->kind];
    if (s->kind == NETBSD) /* network byte order */
        m->b[0] = (unsigned char)(midmag >> 24), m->b[1] = (unsigned char)(midmag >> 16),
        m->b[2] = (unsigned char)(midmag >> 8), m->b[3] = (unsigned char)midmag;
    else
        le32(m->b, midmag);
    le32(m->b + 4, s->text), le32(m->b + 8, s->data), le32(m->b + 12, s->bss), le32(m->b + 16, s->syms);
    le32(m->b + 20, s->entry), le32(m->b + 24, s->trsize), le32(m->b + 28, s->drsize);
}

/* pread-like; the bytes past what it returns are garbage, so that a loader
 * looking past *actual would find non-zero bytes there. */
static int rd(void *h, uint64_t off, void *buf, size_t size, size_t *actual)
{
    image *m = h;
    if (++m->reads == m->read_fail_at || (m->read_error && !m->read_fail_at))
        return m->read_error;
    size_t n = off >= m->size ? 0 : (m->size - off < size ? m->size - off : size);
    if (n)
        memcpy(buf, m->b + off, n);
    memset((unsigned char *)buf + n, 0xa5, size - n);
    *actual = n;
    return 0;
}

static int rx(void *h, uint64_t fo, uint64_t fs, uint64_t ma, uint64_t ms, unsigned t)
{
    image *m = h;
    if (m->ncalls < 8)
        m->calls[m->ncalls] = (call){fo, fs, ma, ms, t};
    if (++m->ncalls == m->exec_fail_at)
        return m->exec_error;
    return 0;
}

static int run(image *m, int dispatch, const keel_exec_options *o, keel_exec_info *info)
{
    m->reads = m->ncalls = 0;
    return dispatch ? keel_exec_load(rd, rx, m, o, info) : keel_exec_load_aout(rd, rx, m, o, info);
}

enum {
    RX = KEEL_EXEC_READ | KEEL_EXEC_EXECUTE | KEEL_EXEC_ALLOC | KEEL_EXEC_LOAD,
    RWX = KEEL_EXEC_READ | KEEL_EXEC_WRITE | KEEL_EXEC_EXECUTE | KEEL_EXEC_ALLOC | KEEL_EXEC_LOAD,
    BSS = KEEL_EXEC_READ | KEEL_EXEC_WRITE | KEEL_EXEC_EXECUTE | KEEL_EXEC_ALLOC,
    SYM = KEEL_EXEC_DEBUG | KEEL_EXEC_AOUT_SYMTAB,
    STR = KEEL_EXEC_DEBUG | KEEL_EXEC_AOUT_STRTAB,
};

typedef struct valid {
    const char *name;
    spec s;
    int ncalls;
    call want[4]; /* with report_debug; the DEBUG ones go without it */
    unsigned long long start, end, file_end, align;
} valid;

static const valid cases[] = {
    {"OMAGIC",
     {OMAG, 100, 0, 0x120, 0x40, 0x30, 0, 0, 0, 0, 0, 0},
     1,
     {{0x20, 0x160, 0, 0x190, RWX}},
     0,
     0x190,
     0x160,
     4},
    {"OMAGIC with relocations and symbols",
     {OMAG, 100, 0, 0x120, 0x40, 0x30, 0, 0x10, 0x8, 0x24, 0x11, 0},
     3,
     {{0x20, 0x160, 0, 0x190, RWX}, {0x198, 0x24, 0, 0, SYM}, {0x1bc, 0x11, 0, 0, STR}},
     0,
     0x190,
     0x160,
     4},
    {"NMAGIC, text not a page multiple",
     {NMAG, 0, 0, 0x1800, 0x300, 0x1000, 0x10, 0, 0, 0, 0, 0},
     2,
     {{0x20, 0x1000, 0, 0x1000, RX}, {0x1020, 0xb00, 0x1000, 0x1b00, RWX}},
     0,
     0x2b00,
     0x1b00,
     0x1000},
    {"NMAGIC, text under a page",
     {NMAG, 0, 0, 0x800, 0x300, 0x1000, 0, 0, 0, 0, 0, 0},
     1,
     {{0x20, 0xb00, 0, 0x1b00, RWX}},
     0,
     0x1b00,
     0xb00,
     0x1000},
    {"NMAGIC with relocations and symbols",
     {NMAG, 134, 0, 0x2000, 0x300, 0, 0, 0x20, 0x10, 0x30, 0x20, 0},
     4,
     {{0x20, 0x2000, 0, 0x2000, RX},
      {0x2020, 0x300, 0x2000, 0x300, RWX},
      {0x2350, 0x30, 0, 0, SYM},
      {0x2380, 0x20, 0, 0, STR}},
     0,
     0x2300,
     0x2300,
     0x1000},
    {"NMAGIC, bss but no data",
     {NMAG, 100, 0, 0x1000, 0, 0x500, 0, 0, 0, 0, 0, 0},
     2,
     {{0x20, 0x1000, 0, 0x1000, RX}, {0x1020, 0, 0x1000, 0x500, BSS}},
     0,
     0x1500,
     0x1000,
     0x1000},
    {"NMAGIC, text only",
     {NMAG, 100, 0, 0x1000, 0, 0, 0, 0, 0, 0, 0, 0},
     1,
     {{0x20, 0x1000, 0, 0x1000, RX}},
     0,
     0x1000,
     0x1000,
     0x1000},
    {"Linux ZMAGIC (text at 1024), code starting with 20 zero bytes",
     {ZLINUX, 100, 0, 0x2000, 0x1000, 0x800, 0, 0x40, 0x20, 0x48, 0x30, 20},
     4,
     {{0x400, 0x2000, 0, 0x2000, RX},
      {0x2400, 0x1000, 0x2000, 0x1800, RWX},
      {0x3460, 0x48, 0, 0, SYM},
      {0x34a8, 0x30, 0, 0, STR}},
     0,
     0x3800,
     0x3000,
     0x1000},
    {"Linux ZMAGIC, machine id 0",
     {ZLINUX, 0, 0, 0x1000, 0x1000, 0, 0, 0, 0, 0, 0, 0},
     2,
     {{0x400, 0x1000, 0, 0x1000, RX}, {0x1400, 0x1000, 0x1000, 0x1000, RWX}},
     0,
     0x2000,
     0x2000,
     0x1000},
    {"386BSD/FreeBSD ZMAGIC (text at 4096)",
     {ZBSD, 134, 0, 0x3000, 0x1000, 0x2345, 0, 0, 0, 0, 0, 0},
     2,
     {{0x1000, 0x3000, 0, 0x3000, RX}, {0x4000, 0x1000, 0x3000, 0x3345, RWX}},
     0,
     0x6345,
     0x4000,
     0x1000},
    {"Mach ZMAGIC (header in the text)",
     {ZMACH, 0, 0, 0x3000, 0x800, 0x400, 0x10020, 0x8, 0, 0x18, 0x9, 0},
     4,
     {{0x20, 0x2fe0, 0x10020, 0x2fe0, RX},
      {0x3000, 0x800, 0x13000, 0xc00, RWX},
      {0x3808, 0x18, 0, 0, SYM},
      {0x3820, 0x9, 0, 0, STR}},
     0x10020,
     0x13c00,
     0x13800,
     0x1000},
    {"QMAGIC",
     {QMAG, 100, 0, 0x2000, 0x1000, 0x234, 0x1020, 0, 0, 0, 0, 0},
     2,
     {{0, 0x2000, 0x1000, 0x2000, RX}, {0x2000, 0x1000, 0x3000, 0x1234, RWX}},
     0x1000,
     0x4234,
     0x4000,
     0x1000},
    {"QMAGIC, partial last text page, empty string table",
     {QMAG, 134, 0, 0x1800, 0x400, 0, 0x1020, 0, 0x10, 0xc, 4, 0},
     4,
     {{0, 0x1000, 0x1000, 0x1000, RX},
      {0x1000, 0xc00, 0x2000, 0xc00, RWX},
      {0x1c10, 0xc, 0, 0, SYM},
      {0x1c1c, 0x4, 0, 0, STR}},
     0x1000,
     0x2c00,
     0x2c00,
     0x1000},
    {"NetBSD ZMAGIC (midmag in network order)",
     {NETBSD, 134, 0, 0x2000, 0x1000, 0x1000, 0x1020, 0, 0, 0x24, 0x10, 0},
     4,
     {{0, 0x2000, 0x1000, 0x2000, RX},
      {0x2000, 0x1000, 0x3000, 0x2000, RWX},
      {0x3000, 0x24, 0, 0, SYM},
      {0x3024, 0x10, 0, 0, STR}},
     0x1000,
     0x5000,
     0x4000,
     0x1000},
    {"NetBSD ZMAGIC, dynamically linked (EX_DYNAMIC)",
     {NETBSD, 134, 0x20, 0x2000, 0x1000, 0x1000, 0x1020, 0, 0, 0, 0, 0},
     2,
     {{0, 0x2000, 0x1000, 0x2000, RX}, {0x2000, 0x1000, 0x3000, 0x2000, RWX}},
     0x1000,
     0x5000,
     0x4000,
     0x1000},
};

static unsigned char mem[0x20000];

/* The memory the calls build (as a copying client would), compared with
 * the a.out's bytes where <a.out.h> puts them, zero bss after them, and
 * nothing written anywhere else. */
static int memory_matches(const image *m, const spec *s, int n)
{
    unsigned long long off, addr, len;
    memset(mem, 0xcd, sizeof mem);
    for (int i = 0; i < n && i < 8; i++) {
        const call *c = &m->calls[i];
        if (!(c->t & KEEL_EXEC_ALLOC))
            continue;
        if (c->ma + c->ms > sizeof mem || c->fs > c->ms || c->fo + c->fs > m->size)
            return 0;
        memcpy(mem + c->ma, m->b + c->fo, c->fs);
        memset(mem + c->ma + c->fs, 0, c->ms - c->fs);
    }
    image_of(s, &off, &addr, &len);
    for (unsigned long long a = 0; a < sizeof mem; a++) {
        int want = 0xcd;
        if (a >= addr && a < addr + len)
            want = m->b[off + a - addr];
        else if (a >= addr + len && a < addr + len + s->bss)
            want = 0;
        if (mem[a] != want)
            return 0;
    }
    return 1;
}

static int same_call(const call *a, const call *b)
{
    return a->fo == b->fo && a->fs == b->fs && a->ma == b->ma && a->ms == b->ms && a->t == b->t;
}

static void check_valid(const valid *v, int debug)
{
    static const uint16_t machines[] = {62, 3};
    keel_exec_options o = {.machines = machines, .machine_count = 2, .report_debug = true, .load_bias = 0x10000000};
    image m;
    keel_exec_info info;
    const char *how = debug ? "keel_exec_load, report_debug" : "keel_exec_load_aout";
    build(&m, &v->s);
    int rc = run(&m, debug, debug ? &o : NULL, &info);
    ok(rc == 0, "%s (%s): loads (got %s: %s)", v->name, how, keel_exec_status_name(rc), rc ? info.error.msg : "");
    call want[4];
    int n = 0;
    for (int i = 0; i < v->ncalls; i++)
        if (debug || !(v->want[i].t & KEEL_EXEC_DEBUG))
            want[n++] = v->want[i];
    ok(m.ncalls == n, "%s (%s): %d calls (got %d)", v->name, how, n, m.ncalls);
    for (int i = 0; i < n; i++)
        ok(i < m.ncalls && same_call(&m.calls[i], &want[i]),
           "%s (%s): call %d: file 0x%llx+0x%llx, memory 0x%llx+0x%llx, type 0x%x "
           "(got 0x%llx+0x%llx, 0x%llx+0x%llx, 0x%x)",
           v->name, how, i + 1, want[i].fo, want[i].fs, want[i].ma, want[i].ms, want[i].t, m.calls[i].fo, m.calls[i].fs,
           m.calls[i].ma, m.calls[i].ms, m.calls[i].t);
    ok(info.format == 2 && info.elfclass == 1 && info.byteorder == 1 && info.machine == 3 && info.type == 2,
       "%s (%s): info: a.out, 32-bit, little-endian, EM_386, ET_EXEC (got %d %u %u %u %u)", v->name, how, info.format,
       info.elfclass, info.byteorder, info.machine, info.type);
    ok(info.entry == v->s.entry, "%s (%s): entry 0x%x (got 0x%llx)", v->name, how, v->s.entry,
       (unsigned long long)info.entry);
    ok(info.image_start == v->start && info.image_end == v->end && info.image_file_end == v->file_end,
       "%s (%s): image 0x%llx-0x%llx, file image to 0x%llx (got 0x%llx-0x%llx, 0x%llx)", v->name, how, v->start, v->end,
       v->file_end, (unsigned long long)info.image_start, (unsigned long long)info.image_end,
       (unsigned long long)info.image_file_end);
    ok(info.max_align == v->align, "%s (%s): max_align 0x%llx (got 0x%llx)", v->name, how, v->align,
       (unsigned long long)info.max_align);
    ok(info.load_bias == 0 && info.phnum == 0 && info.interp[0] == 0 && !info.has_tls && !info.build_id_len &&
           !info.phdr_addr && !info.has_stack_flags,
       "%s (%s): no load bias (a.out is never relocated), program headers, interpreter, TLS or build-ID", v->name, how);
    ok(memory_matches(&m, &v->s, m.ncalls),
       "%s (%s): the memory built from the calls holds the file's text and data "
       "where <a.out.h> puts them, then zero bss, and nothing else",
       v->name, how);
}

/* A malformed or refused variant of a valid spec. */
typedef struct bad {
    const char *what;
    spec s;
    int patch_at;   /* header offset to overwrite, or -1 */
    unsigned patch; /* with this little-endian word */
    long size;      /* the file's size, or -1 for the generated one */
    int debug;      /* with report_debug */
    int want;
    int want_calls;  /* calls made before the error */
    const char *msg; /* the message names this */
} bad;

#define NM(t, d, b)                                                                                                    \
    {                                                                                                                  \
        NMAG, 100, 0, t, d, b, 0, 0, 0, 0, 0, 0                                                                        \
    }
#define NMSYM                                                                                                          \
    {                                                                                                                  \
        NMAG, 100, 0, 0x1000, 0x100, 0x10, 0, 0x8, 0x8, 0x18, 0x10, 0                                                  \
    }
#define MACH                                                                                                           \
    {                                                                                                                  \
        ZMACH, 0, 0, 0x3000, 0x800, 0x400, 0x10020, 0, 0, 0, 0, 0                                                      \
    }
#define ZL                                                                                                             \
    {                                                                                                                  \
        ZLINUX, 100, 0, 0x1000, 0x1000, 0, 0, 0, 0, 0, 0, 0                                                            \
    }

static const bad bads[] = {
    {"an empty file", NM(0x1000, 0, 0), -1, 0, 0, 0, KEEL_EX_NOT_EXECUTABLE, 0, "32-byte header"},
    {"20 bytes: shorter than the header", NM(0x1000, 0, 0), -1, 0, 20, 0, KEEL_EX_NOT_EXECUTABLE, 0, "32-byte header"},
    {"31 bytes: one short of the header", NM(0x1000, 0, 0), -1, 0, 31, 0, KEEL_EX_NOT_EXECUTABLE, 0, "32-byte header"},
    {"an unknown magic 0x1234", NM(0x1000, 0, 0), 0, 0x00641234, -1, 0, KEEL_EX_NOT_EXECUTABLE, 0, "a_midmag"},
    {"a DOS MZ header", NM(0x1000, 0, 0), 0, 0x00905a4d, -1, 0, KEEL_EX_NOT_EXECUTABLE, 0, "a_midmag"},
    {"4.3BSD's separate I&D 0411 (OSKit knew no such magic)", NM(0x1000, 0, 0), 0, 0x00640109, -1, 0,
     KEEL_EX_NOT_EXECUTABLE, 0, "a_midmag"},
    {"machine id 1 (Linux M_68010)", NM(0x1000, 0, 0), 0, 0x00010108, -1, 0, KEEL_EX_WRONG_ARCH, 0, "machine id 1"},
    {"machine id 3 (Linux M_SPARC)", NM(0x1000, 0, 0), 0, 0x00030108, -1, 0, KEEL_EX_WRONG_ARCH, 0, "machine id 3"},
    {"machine id 135 (MID_M68K)", NM(0x1000, 0, 0), 0, 0x00870108, -1, 0, KEEL_EX_WRONG_ARCH, 0, "machine id 135"},
    {"machine id 0x3ff", NM(0x1000, 0, 0), 0, 0x03ff0108, -1, 0, KEEL_EX_WRONG_ARCH, 0, "machine id 1023"},
    {"NetBSD ZMAGIC for SPARC (MID 138)",
     {NETBSD, 138, 0, 0x2000, 0x1000, 0, 0x1020, 0, 0, 0, 0, 0},
     -1,
     0,
     -1,
     0,
     KEEL_EX_WRONG_ARCH,
     0,
     "machine id 138"},
    {"NetBSD ZMAGIC PIC library (EX_PIC|EX_DYNAMIC)",
     {NETBSD, 134, 0x30, 0x2000, 0x1000, 0, 0x1020, 0, 0, 0, 0, 0},
     -1,
     0,
     -1,
     0,
     KEEL_EX_NOT_EXECUTABLE,
     0,
     "flags 0x30"},
    {"NMAGIC text past the end of the file", NM(0x1000, 0x100, 0), -1, 0, 0x800, 0, KEEL_EX_CORRUPT, 0, "a_text"},
    {"NMAGIC data one byte past the end of the file", NM(0x1000, 0x100, 0), -1, 0, 0x111f, 0, KEEL_EX_CORRUPT, 0,
     "a_data"},
    {"OMAGIC one byte short",
     {OMAG, 100, 0, 0x120, 0x40, 0x30, 0, 0, 0, 0, 0, 0},
     -1,
     0,
     0x17f,
     0,
     KEEL_EX_CORRUPT,
     0,
     "a_data"},
    {"Linux ZMAGIC data past the end of the file", ZL, -1, 0, 0x2000, 0, KEEL_EX_CORRUPT, 0, "a_data"},
    {"a_text 0xfffffff0: the text ends past 4 GiB of file", NM(0x1000, 0, 0), 4, 0xfffffff0, -1, 0, KEEL_EX_BAD_LAYOUT,
     0, "4 GiB"},
    {"a_data 0xfffff000 in a QMAGIC: past 4 GiB of file",
     {QMAG, 100, 0, 0x2000, 0x1000, 0, 0x1020, 0, 0, 0, 0, 0},
     8,
     0xfffff000,
     -1,
     0,
     KEEL_EX_BAD_LAYOUT,
     0,
     "4 GiB"},
    {"a_bss 0xffffffff: the bss wraps past 4 GiB", NM(0x1000, 0x100, 0), 12, 0xffffffff, -1, 0, KEEL_EX_BAD_LAYOUT, 0,
     "a_bss"},
    {"Mach ZMAGIC at a_entry 0xfffff020: the text wraps", MACH, 20, 0xfffff020, -1, 0, KEEL_EX_BAD_LAYOUT, 0, "a_text"},
    {"nothing to load: a_text, a_data, a_bss all 0", NM(0, 0, 0), -1, 0, -1, 0, KEEL_EX_BAD_LAYOUT, 0, "nothing"},
    {"ZMAGIC with nothing but zero bytes after the header", ZL, -1, 0, 0x200, 0, KEEL_EX_CORRUPT, 0, "ZMAGIC"},
    {"ZMAGIC with zero bytes after the header up to the end at 100 (garbage past *actual)", ZL, -1, 0, 100, 0,
     KEEL_EX_CORRUPT, 0, "ZMAGIC"},
    {"ZMAGIC with only the header", ZL, -1, 0, 32, 0, KEEL_EX_CORRUPT, 0, "ZMAGIC"},
    {"Mach ZMAGIC whose a_text 16 cannot hold its header", MACH, 4, 16, -1, 0, KEEL_EX_CORRUPT, 0, "a_text 16"},
    {"symbol table past the end of the file", NMSYM, 16, 0x1000, -1, 1, KEEL_EX_CORRUPT, 2, "a_syms"},
    {"symbol table past the end, without report_debug: not looked at", NMSYM, 16, 0x1000, -1, 0, 0, 2, ""},
    {"string table length 0", NMSYM, -2, 0, -1, 1, KEEL_EX_CORRUPT, 2, "string table"},
    {"string table length 3", NMSYM, -2, 3, -1, 1, KEEL_EX_CORRUPT, 2, "string table"},
    {"string table past the end of the file", NMSYM, -2, 0x11, -1, 1, KEEL_EX_CORRUPT, 2, "string table"},
    {"string table length word cut short", NMSYM, -1, 0, 0x1148 + 2, 1, KEEL_EX_CORRUPT, 2, "length word"},
    {"string table length word missing", NMSYM, -1, 0, 0x1148, 1, KEEL_EX_CORRUPT, 2, "length word"},
    {"a_trsize 0xfffff000: the symbol table past 4 GiB", NMSYM, 24, 0xfffff000, -1, 1, KEEL_EX_BAD_LAYOUT, 2, "4 GiB"},
    {"a_syms 0xffffffff: the string table past 4 GiB", NMSYM, 16, 0xffffffff, -1, 1, KEEL_EX_BAD_LAYOUT, 2, "4 GiB"},
};

static void check_bad(const bad *b, int dispatch)
{
    image m;
    keel_exec_info info;
    keel_exec_options o = {.report_debug = true};
    build(&m, &b->s);
    if (b->patch_at >= 0)
        le32(m.b + b->patch_at, b->patch);
    else if (b->patch_at == -2) /* the string table's length word */
        le32(m.b + n_stroff(&b->s), b->patch);
    if (b->size >= 0)
        m.size = (size_t)b->size;
    int rc = run(&m, dispatch, b->debug ? &o : NULL, &info);
    int ours = rc <= KEEL_EX_NOT_EXECUTABLE && rc >= KEEL_EX_BAD_LAYOUT;
    int named = !ours || (strstr(info.error.msg, b->msg) && strstr(info.error.msg, "0x"));
    ok(rc == b->want && m.ncalls == b->want_calls && named, "%s%s -> %s after %d calls%s%s%s (got %s after %d: %s)",
       b->what, dispatch ? " (through keel_exec_load)" : "", b->want ? keel_exec_status_name(b->want) : "loads",
       b->want_calls, *b->msg ? ", the message naming '" : "", b->msg, *b->msg ? "'" : "",
       rc ? keel_exec_status_name(rc) : "ok", m.ncalls, ours ? info.error.msg : "");
}

/* Every read and every read_exec the interpreter makes, failing in turn:
 * the client's own code comes back unchanged each time. */
static void check_client_errors(const valid *v)
{
    keel_exec_options o = {.report_debug = true};
    keel_exec_info info;
    image m;
    build(&m, &v->s);
    run(&m, 0, &o, &info);
    int reads = m.reads, calls = m.ncalls;
    ok(reads >= 2 && calls == v->ncalls, "%s: %d reads and %d calls to fail in turn", v->name, reads, calls);
    for (int i = 1; i <= reads; i++) {
        static const int codes[] = {77, -5, 1, 6000};
        int code = codes[i % 4];
        build(&m, &v->s);
        m.read_fail_at = i, m.read_error = code;
        int rc = run(&m, 0, &o, &info);
        ok(rc == code && m.reads == i,
           "%s: read %d of %d fails with %d: returned unchanged, nothing read after it (got %d)", v->name, i, reads,
           code, rc);
    }
    for (int i = 1; i <= calls; i++) {
        int code = 50 + i;
        build(&m, &v->s);
        m.exec_fail_at = i, m.exec_error = code;
        int rc = run(&m, 0, &o, &info);
        ok(rc == code && m.ncalls == i,
           "%s: read_exec call %d of %d fails with %d: returned unchanged, no call after "
           "it (got %d after %d calls)",
           v->name, i, calls, code, rc, m.ncalls);
    }
}

int main(void)
{
    size_t nvalid = sizeof cases / sizeof cases[0], nbad = sizeof bads / sizeof bads[0];
    for (size_t i = 0; i < nvalid; i++) {
        check_valid(&cases[i], 0);
        check_valid(&cases[i], 1);
    }
    for (size_t i = 0; i < nbad; i++)
        check_bad(&bads[i], 0);
    /* the dispatcher hands non-ELF files to a.out, and a.out's verdict back */
    check_bad(&bads[0], 1);
    check_bad(&bads[4], 1);
    check_bad(&bads[8], 1);
    check_bad(&bads[12], 1);

    /* machine ids i386 goes by, in each little-endian magic */
    static const unsigned magics[] = {0407, 0410, 0413, 0314};
    static const unsigned mids[] = {0, 100, 134};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 3; j++) {
            image m;
            keel_exec_info info;
            spec s = {QMAG, 0, 0, 0x2000, 0x1000, 0, 0x1020, 0, 0, 0, 0, 0};
            build(&m, &s);
            m.size = sizeof m.b; /* room for the data wherever the magic puts it */
            le32(m.b, mids[j] << 16 | magics[i]);
            int rc = run(&m, 0, NULL, &info);
            ok(rc == 0 && info.machine == 3, "magic 0%o with machine id %u: EM_386 (got %s: %s)", magics[i], mids[j],
               keel_exec_status_name(rc), rc ? info.error.msg : "");
        }
    {
        image m;
        keel_exec_info info;
        static const uint16_t arm = 40, i386[] = {40, 3};
        keel_exec_options o = {.machines = &arm, .machine_count = 1};
        spec s = NM(0x1000, 0x100, 0x10);
        build(&m, &s);
        int rc = run(&m, 1, &o, &info);
        ok(rc == KEEL_EX_WRONG_ARCH && m.ncalls == 0 && strstr(info.error.msg, "EM_386"),
           "a client accepting only EM_ARM: wrong architecture, nothing directed (%s)", info.error.msg);
        o.machine_count = 0;
        rc = run(&m, 1, &o, &info);
        ok(rc == KEEL_EX_WRONG_ARCH && m.ncalls == 0, "a client accepting no machine at all: wrong architecture");
        o = (keel_exec_options){.machines = i386, .machine_count = 2};
        rc = run(&m, 1, &o, &info);
        ok(rc == 0 && m.ncalls == 2, "a client accepting EM_ARM and EM_386: loads");

        /* an ELF the ELF loader turns down is not a.out's either */
        memset(&m, 0, sizeof m);
        memcpy(m.b, "\177ELF\1\1\1", 7);
        m.b[16] = 1; /* ET_REL */
        m.b[18] = 3;
        m.size = 0x100;
        rc = run(&m, 1, NULL, &info);
        ok(rc == KEEL_EX_NOT_EXECUTABLE && m.ncalls == 0, "an ELF relocatable object: not executable (%s)",
           info.error.msg);
    }
    /* a.out's pieces never share a page: wherever data follows a text
     * piece, the text ends on a page boundary and the data starts there,
     * and only the text is read-only */
    for (size_t i = 0; i < nvalid; i++) {
        const valid *v = &cases[i];
        image m;
        keel_exec_info info;
        build(&m, &v->s);
        if (run(&m, 0, NULL, &info) != 0 || m.ncalls < 2 || m.calls[0].t != RX)
            continue;
        const call *t = &m.calls[0], *d = &m.calls[1];
        ok((t->ma + t->ms) % 0x1000 == 0 && d->ma == t->ma + t->ms && d->fo == t->fo + t->fs &&
               !(t->t & KEEL_EXEC_WRITE) && (d->t & KEEL_EXEC_WRITE),
           "%s: the text (0x%llx+0x%llx) ends on a page, where the writable data begins (0x%llx)", v->name, t->ma,
           t->ms, d->ma);
    }
    check_client_errors(&cases[1]);  /* OMAGIC, symbols */
    check_client_errors(&cases[4]);  /* NMAGIC, symbols */
    check_client_errors(&cases[7]);  /* Linux ZMAGIC, symbols: the scan's reads too */
    check_client_errors(&cases[10]); /* Mach ZMAGIC */
    check_client_errors(&cases[13]); /* NetBSD */
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}
