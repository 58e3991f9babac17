/* The executable interpreter on generated executables: a valid ELF64 LE
 * and ELF32 BE image are directed correctly, and each malformed variant
 * gets its specific KEEL_EX_* error; errors from the client's callbacks come
 * back unchanged (OSKit's ELF loader lost them). */
#include <keel/exec.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tap.h"

typedef struct image {
    unsigned char b[0x1200]; /* the image is 0x1100 bytes */
    size_t size;
    int is64, be;
    int read_error; /* returned by the read callback when non-zero */
    int exec_error; /* returned by read_exec when non-zero */
    int calls;
    unsigned long long last[5];
} image;

static void put(image *m, size_t off, unsigned long long v, int n)
{
    for (int i = 0; i < n; i++)
        m->b[off + (size_t)(m->be ? n - 1 - i : i)] = (unsigned char)(v >> (8 * i));
}

/* Field writers for the ELF header and program header i. */
static void eh(image *m, size_t off64, size_t off32, unsigned long long v, int n64, int n32)
{
    put(m, m->is64 ? off64 : off32, v, m->is64 ? n64 : n32);
}

enum { P_TYPE, P_FLAGS, P_OFFSET, P_VADDR, P_FILESZ, P_MEMSZ, P_ALIGN };

static void ph(image *m, int i, int field, unsigned long long v)
{
    static const size_t o64[] = {0, 4, 8, 16, 32, 40, 48}, o32[] = {0, 24, 4, 8, 16, 20, 28};
    size_t base = m->is64 ? 64 + 56 * (size_t)i : 52 + 32 * (size_t)i;
    int n = m->is64 ? (field <= P_FLAGS ? 4 : 8) : 4;
    put(m, base + (m->is64 ? o64[field] : o32[field]), v, n);
    if (m->is64 && field == P_VADDR)
        put(m, base + 24, v, 8); /* p_paddr */
}

/* Three segments: text (R X) at 0x400000, data (RW, with bss) at 0x401000,
 * an interpreter path; the file is 0x1100 bytes. */
static void build(image *m, int is64, int be)
{
    memset(m, 0, sizeof *m);
    m->is64 = is64, m->be = be, m->size = 0x1100;
    memcpy(m->b, "\177ELF", 4);
    m->b[4] = is64 ? 2 : 1, m->b[5] = be ? 2 : 1, m->b[6] = 1;
    eh(m, 16, 16, 2, 2, 2);             /* ET_EXEC */
    eh(m, 18, 18, is64 ? 62 : 3, 2, 2); /* machine */
    eh(m, 20, 20, 1, 4, 4);
    eh(m, 24, 24, 0x400080, 8, 4);       /* entry */
    eh(m, 32, 28, is64 ? 64 : 52, 8, 4); /* phoff */
    eh(m, 52, 40, is64 ? 64 : 52, 2, 2); /* ehsize */
    eh(m, 54, 42, is64 ? 56 : 32, 2, 2); /* phentsize */
    eh(m, 56, 44, 3, 2, 2);              /* phnum */
    ph(m, 0, P_TYPE, 1), ph(m, 0, P_FLAGS, 5), ph(m, 0, P_OFFSET, 0), ph(m, 0, P_VADDR, 0x400000);
    ph(m, 0, P_FILESZ, 0x800), ph(m, 0, P_MEMSZ, 0x800), ph(m, 0, P_ALIGN, 0x1000);
    ph(m, 1, P_TYPE, 1), ph(m, 1, P_FLAGS, 6), ph(m, 1, P_OFFSET, 0x1000), ph(m, 1, P_VADDR, 0x401000);
    ph(m, 1, P_FILESZ, 0x100), ph(m, 1, P_MEMSZ, 0x300), ph(m, 1, P_ALIGN, 0x1000);
    ph(m, 2, P_TYPE, 3), ph(m, 2, P_OFFSET, 0x200), ph(m, 2, P_FILESZ, 8), ph(m, 2, P_MEMSZ, 8);
    memcpy(m->b + 0x200, "/lib/ld", 8);
}

static int rd(void *h, uint64_t off, void *buf, size_t size, size_t *actual)
{
    image *m = h;
    if (m->read_error)
        return m->read_error;
    size_t n = off >= m->size ? 0 : (m->size - off < size ? m->size - off : size);
    if (n)
        memcpy(buf, m->b + off, n);
    *actual = n;
    return 0;
}

static int rx(void *h, uint64_t fo, uint64_t fs, uint64_t ma, uint64_t ms, unsigned t)
{
    image *m = h;
    if (m->exec_error)
        return m->exec_error;
    if (m->calls++ == 1) {
        m->last[0] = fo, m->last[1] = fs, m->last[2] = ma, m->last[3] = ms, m->last[4] = t;
    }
    return 0;
}

static int run(image *m, keel_exec_info *info, const keel_exec_options *o)
{
    m->calls = 0;
    return keel_exec_load(rd, rx, m, o, info);
}

static void expect(const char *what, int is64, int be, void (*mutate)(image *), int want)
{
    image m;
    keel_exec_info info;
    build(&m, is64, be);
    mutate(&m);
    int rc = run(&m, &info, NULL);
    ok(rc == want && (want > -100 || want < -103 || strstr(info.error.msg, "0x")), "ELF%d%s: %s -> %s (got %s: %s)",
       is64 ? 64 : 32, be ? "BE" : "LE", what, keel_exec_status_name(want), keel_exec_status_name(rc),
       rc ? info.error.msg : "");
}

static void m_magic(image *m) { m->b[1] = 'X'; }
static void m_rel(image *m) { eh(m, 16, 16, 1, 2, 2); }
static void m_short(image *m) { m->size = 40; }
static void m_phentsize(image *m) { eh(m, 54, 42, 40, 2, 2); }
static void m_phnum0(image *m) { eh(m, 56, 44, 0, 2, 2); }
static void m_phoff_eof(image *m) { eh(m, 32, 28, 0x10f0, 8, 4); }
static void m_filesz(image *m) { ph(m, 1, P_FILESZ, 0x400); }
static void m_past_eof(image *m) { ph(m, 1, P_FILESZ, 0x200), ph(m, 1, P_MEMSZ, 0x300); }
static void m_wrap(image *m)
{
    ph(m, 1, P_MEMSZ, m->is64 ? 0xfffffffffffff000ull : 0xfffff000u);
    ph(m, 1, P_VADDR, m->is64 ? 0xffffffffffff1000ull : 0xffff1000u);
}
static void m_align(image *m) { ph(m, 0, P_ALIGN, 0x1800); }
static void m_congruent(image *m) { ph(m, 1, P_VADDR, 0x401800); }
static void m_overlap(image *m)
{
    ph(m, 1, P_VADDR, 0x400000);
    ph(m, 1, P_OFFSET, 0x1000);
    ph(m, 1, P_ALIGN, 0x1000);
}
static void m_order(image *m) { ph(m, 1, P_VADDR, 0x300000); }
static void m_interp(image *m) { m->b[0x207] = 'x'; }
static void m_noload(image *m) { ph(m, 0, P_TYPE, 4), ph(m, 1, P_TYPE, 4); }
static void m_none(image *m) { (void)m; }

int main(void)
{
    static const struct {
        const char *what;
        void (*mutate)(image *);
        int want;
    } cases[] = {
        {"valid", m_none, 0},
        {"bad magic", m_magic, KEEL_EX_NOT_EXECUTABLE},
        {"a relocatable object", m_rel, KEEL_EX_NOT_EXECUTABLE},
        {"file shorter than the ELF header", m_short, KEEL_EX_CORRUPT},
        {"non-standard e_phentsize", m_phentsize, KEEL_EX_CORRUPT},
        {"no program headers", m_phnum0, KEEL_EX_CORRUPT},
        {"program headers past the end of the file", m_phoff_eof, KEEL_EX_CORRUPT},
        {"p_filesz > p_memsz", m_filesz, KEEL_EX_BAD_LAYOUT},
        {"segment past the end of the file", m_past_eof, KEEL_EX_CORRUPT},
        {"address wraps around", m_wrap, KEEL_EX_BAD_LAYOUT},
        {"alignment not a power of two", m_align, KEEL_EX_BAD_LAYOUT},
        {"offset and address not congruent", m_congruent, KEEL_EX_BAD_LAYOUT},
        {"overlapping PT_LOADs", m_overlap, KEEL_EX_BAD_LAYOUT},
        {"PT_LOADs out of order", m_order, KEEL_EX_BAD_LAYOUT},
        {"interpreter path not NUL-terminated", m_interp, KEEL_EX_CORRUPT},
        {"no PT_LOAD", m_noload, KEEL_EX_BAD_LAYOUT},
    };
    size_t n = sizeof cases / sizeof cases[0];
    printf("1..%zu\n", 4 * n + 12);
    for (int v = 0; v < 4; v++)
        for (size_t i = 0; i < n; i++)
            expect(cases[i].what, v & 1, v >> 1, cases[i].mutate, cases[i].want);

    for (int v = 0; v < 2; v++) {
        image m;
        keel_exec_info info;
        build(&m, v, v);
        int rc = run(&m, &info, NULL);
        ok(rc == 0 && m.calls == 2, "ELF%d: two PT_LOADs directed", v ? 64 : 32);
        ok(m.last[0] == 0x1000 && m.last[1] == 0x100 && m.last[2] == 0x401000 && m.last[3] == 0x300 &&
               m.last[4] == (KEEL_EXEC_ALLOC | KEEL_EXEC_LOAD | KEEL_EXEC_READ | KEEL_EXEC_WRITE),
           "ELF%d: the data segment: file 0x1000+0x100, memory 0x401000+0x300 (zero-fill), RW ALLOC LOAD", v ? 64 : 32);
        ok(info.entry == 0x400080 && info.image_start == 0x400000 && info.image_end == 0x401300 &&
               info.max_align == 0x1000 && strcmp(info.interp, "/lib/ld") == 0 &&
               info.phdr_addr == 0x400000 + (v ? 64 : 52),
           "ELF%d: info: entry, extent, alignment, interpreter, AT_PHDR", v ? 64 : 32);
    }
    {
        image m;
        keel_exec_info info;
        uint16_t arm = 40;
        keel_exec_options o = {.machines = &arm, .machine_count = 1};
        build(&m, 1, 0);
        ok(run(&m, &info, &o) == KEEL_EX_WRONG_ARCH, "a machine the client does not accept: wrong architecture");
        build(&m, 1, 0);
        m.read_error = 77;
        ok(run(&m, &info, NULL) == 77, "an error from the read callback comes back unchanged");
        build(&m, 1, 0);
        m.exec_error = 55;
        ok(run(&m, &info, NULL) == 55, "an error from read_exec comes back unchanged");
        build(&m, 1, 0);
        eh(&m, 16, 16, 3, 2, 2); /* ET_DYN */
        o = (keel_exec_options){.load_bias = 0x10000000};
        ok(run(&m, &info, &o) == 0 && info.load_bias == 0x10000000 && m.last[2] == 0x10401000 &&
               info.entry == 0x10400080,
           "a PIE at the client's load bias: every address moves by it");
        build(&m, 1, 0);
        o = (keel_exec_options){.load_bias = 0x10000000};
        ok(run(&m, &info, &o) == 0 && info.load_bias == 0 && info.entry == 0x400080,
           "an ET_EXEC ignores the load bias");
        build(&m, 1, 0);
        ph(&m, 1, P_FILESZ, 0);
        ok(run(&m, &info, NULL) == 0 && m.last[4] == (KEEL_EXEC_ALLOC | KEEL_EXEC_READ | KEEL_EXEC_WRITE),
           "a segment with no file image is ALLOC without LOAD (bss)");
    }
    return tap_failed ? 1 : 0;
}
