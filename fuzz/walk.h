/*
 * fuzz/walk.h - walk everything the ELF reader can show about a buffer.
 *
 * Shared by the libFuzzer target (fuzz/elf_reader.c) and the malformed-input
 * unit test (tests/unit/elf_malformed.c), so that the test checks the very
 * calls the fuzzer explores.  Header-only with static functions, so that
 * neither user needs a build rule of its own.
 *
 * The walk goes on after an error wherever the reader still hands back
 * something usable (the next section, the next table): the fuzzer reaches
 * more code that way.  It keeps the first error, in a fixed order of
 * phases, which is what the unit test compares with its expectation:
 *
 *   open, sections (header, name, data, Chdr), segments (header, data,
 *   section mapping), symbol tables (symbols, names, versions),
 *   relocation sections (entries, their symbols, RELR decoding), notes
 *   (sections, then segments), dynamic section, groups.
 *
 * Every type, flag, tag and machine value read goes through the names API
 * too, since those tables are indexed by values straight from the file.
 *
 * Besides errors it checks the promises the API makes whatever the input:
 * status codes are known ones and match err.code, messages are non-empty
 * and terminated, every pointer handed back lies inside the buffer and
 * every string handed back ends inside it.  A broken promise is recorded
 * as a violation; the fuzzer aborts on it and the test fails the case.
 */
#ifndef KEEL_FUZZ_WALK_H
#define KEEL_FUZZ_WALK_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <keel/elf.h>

typedef struct walk {
    const uint8_t *base; /* the buffer given to the reader */
    uint64_t size;
    int rc;                /* the first error, 0 if none */
    keel_error first;      /* its details (offsets relative to its ELF image) */
    const char *violation; /* the first broken API promise, NULL if none */
    uint64_t errors;       /* how many calls reported an error */
    uint64_t sink;         /* folds in what was read, so no read is optimised away */
} walk;

enum {
    WALK_SHT_SYMTAB = 2,
    WALK_SHT_RELA = 4,
    WALK_SHT_NOTE = 7,
    WALK_SHT_NOBITS = 8,
    WALK_SHT_REL = 9,
    WALK_SHT_DYNSYM = 11,
    WALK_SHT_GROUP = 17,
    WALK_SHT_RELR = 19,
    WALK_SHF_COMPRESSED = 0x800,
    WALK_PT_NOTE = 4,
};

static void walk_init(walk *w, const void *data, size_t size)
{
    memset(w, 0, sizeof *w);
    w->base = data;
    w->size = size;
}

static void walk_violation(walk *w, const char *what)
{
    if (!w->violation)
        w->violation = what;
}

/* A cleared error for the next call: an error returned without filling it
 * then shows as an empty message with a mismatched code. */
static keel_error *walk_err(keel_error *err)
{
    memset(err, 0, sizeof *err);
    return err;
}

/* Account for a call's status: non-negative passes (iterators return 1 for
 * "one more"), an error is checked and the first one kept. */
static bool walk_ok(walk *w, int rc, const keel_error *err)
{
    if (rc >= 0)
        return true;
    w->errors++;
    if (!keel_status_name(rc)[0])
        walk_violation(w, "keel_status_name gave an empty name");
    if (rc < KEEL_E_IO || err->code != rc)
        walk_violation(w, "error status is not a known KEEL_E_* code, or err.code differs");
    if (!memchr(err->msg, 0, sizeof err->msg))
        walk_violation(w, "error message is not NUL-terminated");
    else if (!err->msg[0])
        walk_violation(w, "error message is empty");
    if (!w->rc) {
        w->rc = rc;
        w->first = *err;
    }
    return false;
}

/* [p, p+n) lies inside the buffer. */
static bool walk_inside(const walk *w, const void *p, uint64_t n)
{
    uintptr_t b = (uintptr_t)w->base, q = (uintptr_t)p;
    return q >= b && q - b <= w->size && n <= w->size - (q - b);
}

static void walk_bytes(walk *w, const void *p, uint64_t n, const char *what)
{
    if (n == 0)
        return;
    if (!p || !walk_inside(w, p, n)) {
        walk_violation(w, what);
        return;
    }
    const uint8_t *b = p;
    w->sink += b[0] + b[n - 1];
}

/* A string from the reader ends inside the buffer; the only string that may
 * live elsewhere is the reader's own static "". */
static void walk_string(walk *w, const char *s, const char *what)
{
    uintptr_t b = (uintptr_t)w->base, q = (uintptr_t)s;
    if (!s) {
        walk_violation(w, what);
        return;
    }
    if (q >= b && q - b < w->size) {
        const char *z = memchr(s, 0, w->size - (q - b));
        if (!z)
            walk_violation(w, what);
        else
            w->sink += (uint64_t)(z - s);
        return;
    }
    if (s[0])
        walk_violation(w, what);
}

/* n entries of `ent` bytes at p, without overflow. */
static void walk_table(walk *w, const void *p, uint64_t n, uint64_t ent, const char *what)
{
    uint64_t bytes;
    if (__builtin_mul_overflow(n, ent, &bytes))
        walk_violation(w, what);
    else
        walk_bytes(w, p, bytes, what);
}

/* A name from the names API: NULL (unknown) or a static string. */
static void walk_name(walk *w, const char *name)
{
    if (name)
        w->sink += strlen(name);
}

/* The flags string, into a buffer roomy enough for every flag name.  (A
 * buffer too small for the string is the unit test's business: it makes
 * keel_section_flags_string loop forever, which would stall the fuzzer.) */
static void walk_flags(walk *w, uint64_t flags, uint16_t machine)
{
    char buf[512];
    size_t n = keel_section_flags_string(flags, machine, buf, sizeof buf);
    if (n < sizeof buf && strlen(buf) != n)
        walk_violation(w, "keel_section_flags_string's length differs from what it wrote");
    w->sink += n;
}

/* ---------------------------------------------------------- sections */

static void walk_section(walk *w, const keel_elf *e, uint32_t i)
{
    keel_error err;
    keel_shdr sh;
    keel_chdr ch;
    const char *name;
    const uint8_t *p;
    uint64_t n;
    if (!walk_ok(w, keel_elf_shdr(e, i, &sh, walk_err(&err)), &err)) {
        walk_violation(w, "keel_elf_shdr failed below shnum");
        return;
    }
    if (walk_ok(w, keel_elf_section_name(e, &sh, &name, walk_err(&err)), &err))
        walk_string(w, name, "section name outside the buffer");
    walk_name(w, keel_section_type_name(sh.type, e->machine));
    walk_flags(w, sh.flags, e->machine);
    if (walk_ok(w, keel_elf_section_data(e, &sh, &p, &n, walk_err(&err)), &err))
        walk_bytes(w, p, n, "section data outside the buffer");
    if ((sh.flags & WALK_SHF_COMPRESSED) && sh.type != WALK_SHT_NOBITS &&
        walk_ok(w, keel_elf_chdr(e, &sh, &ch, walk_err(&err)), &err))
        w->sink += ch.type + ch.size + ch.addralign + ch.header_size;
}

static void walk_sections(walk *w, const keel_elf *e)
{
    keel_shdr sh;
    for (uint32_t i = 0; i < e->shnum; i++)
        walk_section(w, e, i);
    if (keel_elf_shdr(e, e->shnum, &sh, NULL) != KEEL_E_INDEX)
        walk_violation(w, "keel_elf_shdr accepted index shnum");
}

/* ---------------------------------------------------------- segments */

static void walk_mapping(walk *w, const keel_elf *e, const keel_phdr *ph)
{
    for (uint32_t k = 1; k < e->shnum; k++) {
        keel_shdr sh;
        if (keel_elf_shdr(e, k, &sh, NULL) == 0 && keel_section_in_segment(&sh, ph))
            w->sink += k;
    }
}

static void walk_segments(walk *w, const keel_elf *e)
{
    keel_error err;
    keel_phdr ph;
    for (uint32_t i = 0; i < e->phnum; i++) {
        const uint8_t *p;
        uint64_t n;
        if (!walk_ok(w, keel_elf_phdr(e, i, &ph, walk_err(&err)), &err)) {
            walk_violation(w, "keel_elf_phdr failed below phnum");
            continue;
        }
        walk_name(w, keel_segment_type_name(ph.type, e->machine));
        if (walk_ok(w, keel_elf_segment_data(e, &ph, &p, &n, walk_err(&err)), &err))
            walk_bytes(w, p, n, "segment data outside the buffer");
        walk_mapping(w, e, &ph);
    }
    if (keel_elf_phdr(e, e->phnum, &ph, NULL) != KEEL_E_INDEX)
        walk_violation(w, "keel_elf_phdr accepted index phnum");
}

/* ------------------------------------------------------ symbol tables */

static void walk_version(walk *w, const keel_versions *v, uint64_t i, const keel_sym *s)
{
    keel_error err;
    keel_symver ver;
    if (!walk_ok(w, keel_versions_get(v, i, s, &ver, walk_err(&err)), &err))
        return;
    if (ver.kind != KEEL_VER_NONE)
        walk_string(w, ver.name, "version name outside the buffer");
    w->sink += ver.index;
}

static void walk_symbol(walk *w, const keel_symtab *t, const keel_versions *v, uint64_t i)
{
    keel_error err;
    keel_sym s;
    const char *name;
    if (!walk_ok(w, keel_symtab_get(t, i, &s, walk_err(&err)), &err))
        return;
    w->sink += s.value ^ s.size ^ s.shndx ^ s.info;
    walk_name(w, keel_symbol_type_name(KEEL_ST_TYPE(s.info), t->elf->osabi, t->elf->machine));
    walk_name(w, keel_symbol_bind_name(KEEL_ST_BIND(s.info), t->elf->osabi));
    walk_name(w, keel_symbol_visibility_name(s.other));
    if (walk_ok(w, keel_symtab_name(t, &s, &name, walk_err(&err)), &err))
        walk_string(w, name, "symbol name outside the buffer");
    if (v)
        walk_version(w, v, i, &s);
}

/* The version tables of a dynamic symbol table; false if there are none. */
static bool walk_versions(walk *w, const keel_elf *e, uint32_t symtab, keel_versions *v)
{
    keel_error err;
    if (!walk_ok(w, keel_elf_versions(e, symtab, v, walk_err(&err)), &err) || !v->versym)
        return false;
    walk_table(w, v->versym, v->versym_count, 2, "versym outside the buffer");
    walk_bytes(w, v->verdef, v->verdef_size, "verdef outside the buffer");
    walk_bytes(w, v->verneed, v->verneed_size, "verneed outside the buffer");
    return true;
}

/* Open symbol table `idx` (and its versions, for SHT_DYNSYM). */
static bool walk_open_symtab(walk *w, const keel_elf *e, uint32_t idx, keel_symtab *t, keel_versions *v,
                             bool *have_versions)
{
    keel_error err;
    keel_shdr sh;
    *have_versions = false;
    if (!walk_ok(w, keel_elf_symtab(e, idx, t, walk_err(&err)), &err))
        return false;
    walk_table(w, t->data, t->count, t->entsize, "symbol table outside the buffer");
    walk_table(w, t->xindex, t->xindex_count, 4, "SHT_SYMTAB_SHNDX outside the buffer");
    walk_bytes(w, t->strings.data, t->strings.size, "symbol strings outside the buffer");
    if (keel_elf_shdr(e, idx, &sh, NULL) == 0 && sh.type == WALK_SHT_DYNSYM)
        *have_versions = walk_versions(w, e, idx, v);
    return true;
}

static void walk_symtab(walk *w, const keel_elf *e, uint32_t idx)
{
    keel_symtab t;
    keel_versions v;
    bool have_v;
    if (!walk_open_symtab(w, e, idx, &t, &v, &have_v))
        return;
    for (uint64_t i = 0; i < t.count; i++)
        walk_symbol(w, &t, have_v ? &v : NULL, i);
}

/* -------------------------------------------------------- relocations */

static void walk_relr(walk *w, const keel_relocs *r)
{
    keel_error err;
    keel_relr_iter it;
    uint64_t addr;
    int rc;
    keel_relr_begin(&it, r);
    while ((rc = keel_relr_next(&it, &addr, walk_err(&err))) == 1)
        w->sink += addr;
    walk_ok(w, rc, &err);
}

static void walk_relocs(walk *w, const keel_elf *e, uint32_t idx)
{
    keel_error err;
    keel_relocs r;
    keel_symtab t;
    keel_versions v;
    bool have_t = false, have_v = false;
    if (!walk_ok(w, keel_elf_relocs(e, idx, &r, walk_err(&err)), &err))
        return;
    walk_table(w, r.data, r.count, r.entsize, "relocations outside the buffer");
    if (r.kind == WALK_SHT_RELR) {
        walk_relr(w, &r);
        return;
    }
    if (r.symtab)
        have_t = walk_open_symtab(w, e, r.symtab, &t, &v, &have_v);
    for (uint64_t i = 0; i < r.count; i++) {
        keel_rel x;
        keel_relocs_get(&r, i, &x);
        w->sink += x.offset ^ x.info ^ (uint64_t)x.addend;
        walk_name(w, keel_reloc_type_name(e->machine, x.type));
        if (have_t && x.sym)
            walk_symbol(w, &t, have_v ? &v : NULL, x.sym);
    }
}

static void walk_tables(walk *w, const keel_elf *e)
{
    keel_shdr sh;
    for (uint32_t i = 1; i < e->shnum; i++)
        if (keel_elf_shdr(e, i, &sh, NULL) == 0 && (sh.type == WALK_SHT_SYMTAB || sh.type == WALK_SHT_DYNSYM))
            walk_symtab(w, e, i);
    for (uint32_t i = 1; i < e->shnum; i++)
        if (keel_elf_shdr(e, i, &sh, NULL) == 0 &&
            (sh.type == WALK_SHT_REL || sh.type == WALK_SHT_RELA || sh.type == WALK_SHT_RELR))
            walk_relocs(w, e, i);
}

/* -------------------------------------------------------------- notes */

static void walk_note_list(walk *w, const keel_elf *e, keel_note_iter *it)
{
    keel_error err;
    keel_note n;
    int rc;
    while ((rc = keel_note_next(it, &n, walk_err(&err))) == 1) {
        walk_bytes(w, n.name, n.namesz, "note name outside the buffer");
        walk_string(w, n.name, "note name not terminated inside the buffer");
        walk_bytes(w, n.desc, n.descsz, "note descriptor outside the buffer");
        w->sink += n.type;
        walk_name(w, keel_note_type_name(n.name, n.type, e->type));
    }
    walk_ok(w, rc, &err);
}

static void walk_notes(walk *w, const keel_elf *e)
{
    keel_error err;
    keel_note_iter it;
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        if (keel_elf_shdr(e, i, &sh, NULL) == 0 && sh.type == WALK_SHT_NOTE &&
            walk_ok(w, keel_elf_notes_section(e, &sh, &it, walk_err(&err)), &err))
            walk_note_list(w, e, &it);
    }
    for (uint32_t i = 0; i < e->phnum; i++) {
        keel_phdr ph;
        if (keel_elf_phdr(e, i, &ph, NULL) == 0 && ph.type == WALK_PT_NOTE &&
            walk_ok(w, keel_elf_notes_segment(e, &ph, &it, walk_err(&err)), &err))
            walk_note_list(w, e, &it);
    }
}

/* ------------------------------------------------------------ dynamic */

/* Tags whose value is an offset into the dynamic string table. */
static bool walk_dt_is_string(int64_t tag)
{
    return tag == 1 || tag == 14 || tag == 15 || tag == 29 || tag == 0x7ffffffd || tag == 0x7fffffff;
}

static void walk_dynamic(walk *w, const keel_elf *e)
{
    keel_error err;
    keel_dynamic d;
    if (!walk_ok(w, keel_elf_dynamic(e, &d, walk_err(&err)), &err))
        return;
    if (!d.data) {
        if (d.count)
            walk_violation(w, "dynamic entries without data");
        return;
    }
    walk_table(w, d.data, d.count, d.entsize, "dynamic entries outside the buffer");
    walk_bytes(w, d.strings.data, d.strings.size, "dynamic strings outside the buffer");
    for (uint64_t i = 0; i < d.count; i++) {
        keel_dyn x;
        const char *s;
        keel_dynamic_get(&d, i, &x);
        w->sink += (uint64_t)x.tag ^ x.val;
        walk_name(w, keel_dynamic_tag_name(x.tag, e->machine));
        /* keel info shows a bad string offset as a number, not an error */
        if (walk_dt_is_string(x.tag) && d.strings.data && keel_strtab_get(&d.strings, x.val, &s, NULL) == 0)
            walk_string(w, s, "dynamic string outside the buffer");
    }
}

/* ------------------------------------------------------------- groups */

static void walk_group(walk *w, const keel_elf *e, uint32_t idx)
{
    keel_error err;
    keel_group g;
    keel_symtab t;
    keel_sym s;
    keel_shdr m;
    const char *name;
    if (!walk_ok(w, keel_elf_group(e, idx, &g, walk_err(&err)), &err))
        return;
    walk_table(w, g.words, g.count, 4, "group members outside the buffer");
    for (uint32_t k = 0; k < g.count; k++) {
        /* keel_elf_group has checked every member index */
        if (keel_elf_shdr(e, keel_group_member(&g, k), &m, NULL) != 0) {
            walk_violation(w, "a group member index that keel_elf_group accepted is out of range");
            continue;
        }
        if (walk_ok(w, keel_elf_section_name(e, &m, &name, walk_err(&err)), &err))
            walk_string(w, name, "group member name outside the buffer");
    }
    if (walk_ok(w, keel_elf_symtab(e, g.signature_symtab, &t, walk_err(&err)), &err) &&
        walk_ok(w, keel_symtab_get(&t, g.signature_sym, &s, walk_err(&err)), &err) &&
        walk_ok(w, keel_symtab_name(&t, &s, &name, walk_err(&err)), &err))
        walk_string(w, name, "group signature outside the buffer");
}

static void walk_groups(walk *w, const keel_elf *e)
{
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        if (keel_elf_shdr(e, i, &sh, NULL) == 0 && sh.type == WALK_SHT_GROUP)
            walk_group(w, e, i);
    }
}

/* ------------------------------------------------------------ ELF file */

/* Walk the buffer as an ELF image; returns the first error (0 if none). */
static int walk_elf(walk *w)
{
    keel_error err;
    keel_elf e;
    if (!walk_ok(w, keel_elf_open(&e, w->base, w->size, walk_err(&err)), &err))
        return w->rc;
    if (e.data != w->base || e.size != w->size)
        walk_violation(w, "keel_elf_open changed the buffer");
    walk_name(w, keel_file_type_name(e.type));
    walk_name(w, keel_machine_name(e.machine));
    walk_name(w, keel_osabi_name(e.osabi));
    /* a table, not a string: only an empty one must read as "" */
    if (e.shstrtab_size == 0)
        walk_string(w, e.shstrtab, "empty section-name table is not \"\"");
    walk_bytes(w, e.shstrtab, e.shstrtab_size, "section-name table outside the buffer");
    walk_sections(w, &e);
    walk_segments(w, &e);
    walk_tables(w, &e);
    walk_notes(w, &e);
    walk_dynamic(w, &e);
    walk_groups(w, &e);
    w->sink += keel_elf_find_section(&e, ".text");
    return w->rc;
}

/* ------------------------------------------------------------ archives */

/* An ELF member, walked as a buffer of its own; its errors count for the
 * archive, with offsets relative to the member. */
static void walk_member_elf(walk *w, const keel_ar_member *m)
{
    walk sub;
    walk_init(&sub, m->data, m->size);
    walk_elf(&sub);
    if (sub.violation)
        walk_violation(w, sub.violation);
    w->errors += sub.errors;
    w->sink += sub.sink;
    if (!w->rc && sub.rc) {
        w->rc = sub.rc;
        w->first = sub.first;
    }
}

static void walk_members(walk *w, const keel_ar *ar)
{
    keel_error err;
    keel_ar_member m;
    uint64_t pos = 0, last = 0;
    int rc;
    while ((rc = keel_ar_next(ar, &pos, &m, walk_err(&err))) == 1) {
        if (pos <= last) { /* each member must move the cursor on, or we would loop */
            walk_violation(w, "keel_ar_next did not advance");
            return;
        }
        last = pos;
        walk_bytes(w, m.name, m.name_len, "member name outside the buffer");
        if (m.data) {
            walk_bytes(w, m.data, m.size, "member data outside the buffer");
            if (!m.special && keel_is_elf(m.data, m.size))
                walk_member_elf(w, &m);
        } else if (!ar->thin) {
            walk_violation(w, "a member of a regular archive without data");
        }
    }
    walk_ok(w, rc, &err);
}

static void walk_ar_symbols(walk *w, const keel_ar *ar)
{
    keel_error err;
    keel_ar_symbols s;
    const char *name;
    uint64_t member, n = 0;
    int rc;
    if (!walk_ok(w, keel_ar_symbols_begin(ar, &s, walk_err(&err)), &err))
        return;
    while ((rc = keel_ar_symbols_next(&s, &name, &member, walk_err(&err))) == 1) {
        walk_string(w, name, "archive symbol name outside the buffer");
        if (member >= w->size)
            walk_violation(w, "archive symbol names a member past the end");
        if (++n > s.count) {
            walk_violation(w, "more archive symbols than the table's count");
            return;
        }
    }
    walk_ok(w, rc, &err);
}

/* Walk the buffer as an ar archive: members (each ELF member too) and the
 * symbol table.  Returns the first error (0 if none). */
static int walk_archive(walk *w)
{
    keel_error err;
    keel_ar ar;
    if (!walk_ok(w, keel_ar_open(&ar, w->base, w->size, walk_err(&err)), &err))
        return w->rc;
    walk_bytes(w, ar.long_names, ar.long_names_size, "long-name table outside the buffer");
    walk_bytes(w, ar.symtab, ar.symtab_size, "archive symbol table outside the buffer");
    walk_members(w, &ar);
    walk_ar_symbols(w, &ar);
    return w->rc;
}

#endif
