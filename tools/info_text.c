/* keel info, text form: the layout of binutils' readelf -W, so that the
 * two can be read side by side; section types and flags are named in the
 * ELF specification's words. */
#include <stdio.h>
#include <string.h>

#include "info.h"

#define TRY(x)                                                                                                         \
    do {                                                                                                               \
        int rc_ = (x);                                                                                                 \
        if (rc_)                                                                                                       \
            return rc_;                                                                                                \
    } while (0)

static int header(out *o, const keel_elf *e)
{
    char buf[64];
    const char *n;
    out_str(o, "ELF Header:\n  Magic:   ");
    for (int i = 0; i < 16; i++) {
        out_hex(o, e->data[i], 2);
        out_chr(o, ' ');
    }
    out_str(o, "\n  Class:                             ");
    out_str(o, keel_elf_is64(e) ? "ELF64" : "ELF32");
    out_str(o, "\n  Data:                              ");
    out_str(o, e->byteorder == 1 ? "2's complement, little endian" : "2's complement, big endian");
    out_str(o, "\n  Version:                           ");
    out_dec(o, e->ident_version, 0);
    out_str(o, e->ident_version == 1 ? " (current)" : "");
    out_str(o, "\n  OS/ABI:                            ");
    n = keel_osabi_name(e->osabi);
    if (!n)
        snprintf(buf, sizeof buf, "<unknown: %x>", e->osabi), n = buf;
    out_str(o, n);
    out_str(o, "\n  ABI Version:                       ");
    out_dec(o, e->abiversion, 0);
    out_str(o, "\n  Type:                              ");
    n = keel_file_type_name(e->type);
    if (e->type == 3 && info_is_pie(e))
        n = "DYN (Position-Independent Executable file)";
    if (!n)
        snprintf(buf, sizeof buf, "<unknown>: %x", e->type), n = buf;
    out_str(o, n);
    out_str(o, "\n  Machine:                           ");
    n = keel_machine_name(e->machine);
    if (!n)
        snprintf(buf, sizeof buf, "<unknown>: 0x%x", e->machine), n = buf;
    out_str(o, n);
    out_str(o, "\n  Version:                           ");
    out_0x(o, e->version, 1);
    out_str(o, "\n  Entry point address:               ");
    out_0x(o, e->entry, 1);
    out_str(o, "\n  Start of program headers:          ");
    out_dec(o, e->phoff, 0);
    out_str(o, " (bytes into file)\n  Start of section headers:          ");
    out_dec(o, e->shoff, 0);
    out_str(o, " (bytes into file)\n  Flags:                             ");
    out_0x(o, e->flags, 1);
    out_str(o, "\n  Size of this header:               ");
    out_dec(o, e->ehsize, 0);
    out_str(o, " (bytes)\n  Size of program headers:           ");
    out_dec(o, e->phentsize, 0);
    out_str(o, " (bytes)\n  Number of program headers:         ");
    out_dec(o, e->e_phnum, 0);
    if (e->e_phnum != e->phnum) {
        out_str(o, " (");
        out_dec(o, e->phnum, 0);
        out_chr(o, ')');
    }
    out_str(o, "\n  Size of section headers:           ");
    out_dec(o, e->shentsize, 0);
    out_str(o, " (bytes)\n  Number of section headers:         ");
    out_dec(o, e->e_shnum, 0);
    if (e->e_shnum != e->shnum) {
        out_str(o, " (");
        out_dec(o, e->shnum, 0);
        out_chr(o, ')');
    }
    out_str(o, "\n  Section header string table index: ");
    out_dec(o, e->e_shstrndx, 0);
    if (e->e_shstrndx != e->shstrndx) {
        out_str(o, " (");
        out_dec(o, e->shstrndx, 0);
        out_chr(o, ')');
    }
    out_chr(o, '\n');
    return 0;
}

static int sections(out *o, const keel_elf *e, keel_error *err)
{
    bool is64 = keel_elf_is64(e);
    char tbuf[32], fbuf[256];
    int compressed = 0;
    if (e->shnum == 0) {
        out_str(o, "\nThere are no sections in this file.\n");
        return 0;
    }
    out_str(o, "\nThere are ");
    out_dec(o, e->shnum, 0);
    out_str(o, " section headers, starting at offset ");
    out_0x(o, e->shoff, 1);
    out_str(o, ":\n\nSection Headers:\n  [Nr] Name              Type            ");
    out_str(o, is64 ? "Address          Off    Size   ES Lk Inf Al Flags\n"
                    : "Addr     Off    Size   ES Lk Inf Al Flags\n");
    for (uint32_t i = 0; i < e->shnum; i++) {
        keel_shdr sh;
        const char *name;
        keel_elf_shdr(e, i, &sh, NULL);
        TRY(keel_elf_section_name(e, &sh, &name, err));
        out_str(o, "  [");
        out_dec(o, i, 2);
        out_str(o, "] ");
        out_pad(o, name, 17);
        out_chr(o, ' ');
        out_pad(o, info_section_type(e, sh.type, tbuf), 15);
        out_chr(o, ' ');
        out_hex(o, sh.addr, is64 ? 16 : 8);
        out_chr(o, ' ');
        out_hex(o, sh.offset, 6);
        out_chr(o, ' ');
        out_hex(o, sh.size, 6);
        out_chr(o, ' ');
        out_hex(o, sh.entsize, 2);
        out_chr(o, ' ');
        out_dec(o, sh.link, 2);
        out_chr(o, ' ');
        out_dec(o, sh.info, 3);
        out_chr(o, ' ');
        out_dec(o, sh.addralign, 2);
        out_chr(o, ' ');
        keel_section_flags_string(sh.flags, e->machine, fbuf, sizeof fbuf);
        out_str(o, fbuf);
        out_chr(o, '\n');
        compressed += (sh.flags & 0x800) != 0;
    }
    if (!compressed)
        return 0;
    out_str(o, "\nCompressed sections:\n  [Nr] Name              Compression Size             Al\n");
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        keel_chdr ch;
        const char *name;
        keel_elf_shdr(e, i, &sh, NULL);
        if (!(sh.flags & 0x800) || sh.type == 8)
            continue;
        keel_elf_section_name(e, &sh, &name, NULL);
        TRY(keel_elf_chdr(e, &sh, &ch, err));
        out_str(o, "  [");
        out_dec(o, i, 2);
        out_str(o, "] ");
        out_pad(o, name, 17);
        out_chr(o, ' ');
        out_pad(o, ch.type == 1 ? "ZLIB" : ch.type == 2 ? "ZSTD" : "unknown", 11);
        out_chr(o, ' ');
        out_hex(o, ch.size, 16);
        out_chr(o, ' ');
        out_dec(o, ch.addralign, 0);
        out_chr(o, '\n');
    }
    return 0;
}

static int groups(out *o, const keel_elf *e, keel_error *err)
{
    int n = 0;
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh, m;
        keel_group g;
        keel_symtab t;
        keel_sym s;
        const char *name, *sig = "", *mname;
        keel_elf_shdr(e, i, &sh, NULL);
        if (sh.type != 17)
            continue;
        n++;
        TRY(keel_elf_group(e, i, &g, err));
        TRY(keel_elf_section_name(e, &sh, &name, err));
        TRY(keel_elf_symtab(e, g.signature_symtab, &t, err));
        TRY(keel_symtab_get(&t, g.signature_sym, &s, err));
        TRY(info_symbol_name(e, &t, &s, &sig, err));
        out_str(o, n == 1 ? "\n" : "\n");
        out_str(o, g.flags & 1 ? "COMDAT group section [" : "group section [");
        out_dec(o, i, 5);
        out_str(o, "] `");
        out_str(o, name);
        out_str(o, "' [");
        out_str(o, sig);
        out_str(o, "] contains ");
        out_dec(o, g.count, 0);
        out_str(o, g.count == 1 ? " section:\n" : " sections:\n");
        out_str(o, "   [Index]    Name\n");
        for (uint32_t k = 0; k < g.count; k++) {
            uint32_t idx = keel_group_member(&g, k);
            keel_elf_shdr(e, idx, &m, NULL);
            TRY(keel_elf_section_name(e, &m, &mname, err));
            out_str(o, "   [");
            out_dec(o, idx, 5);
            out_str(o, "]   ");
            out_str(o, mname);
            out_chr(o, '\n');
        }
    }
    if (!n)
        out_str(o, "\nThere are no section groups in this file.\n");
    return 0;
}

static int segments(out *o, const keel_elf *e, keel_error *err)
{
    bool is64 = keel_elf_is64(e);
    char tbuf[32], fl[4];
    if (e->phnum == 0) {
        out_str(o, "\nThere are no program headers in this file.\n");
        return 0;
    }
    const char *tn = keel_file_type_name(e->type);
    if (e->type == 3 && info_is_pie(e))
        tn = "DYN (Position-Independent Executable file)";
    out_str(o, "\nElf file type is ");
    out_str(o, tn ? tn : "unknown");
    out_str(o, "\nEntry point ");
    out_0x(o, e->entry, 1);
    out_str(o, "\nThere are ");
    out_dec(o, e->phnum, 0);
    out_str(o, " program headers, starting at offset ");
    out_dec(o, e->phoff, 0);
    out_str(o,
            is64 ? "\n\nProgram Headers:\n  Type           Offset   VirtAddr           PhysAddr           "
                   "FileSiz  MemSiz   Flg Align\n"
                 : "\n\nProgram Headers:\n  Type           Offset   VirtAddr   PhysAddr   FileSiz MemSiz  Flg Align\n");
    for (uint32_t i = 0; i < e->phnum; i++) {
        keel_phdr ph;
        keel_elf_phdr(e, i, &ph, NULL);
        out_str(o, "  ");
        out_pad(o, info_segment_type(e, ph.type, tbuf), 14);
        out_chr(o, ' ');
        out_0x(o, ph.offset, 6);
        out_chr(o, ' ');
        out_0x(o, ph.vaddr, is64 ? 16 : 8);
        out_chr(o, ' ');
        out_0x(o, ph.paddr, is64 ? 16 : 8);
        out_chr(o, ' ');
        out_0x(o, ph.filesz, is64 ? 6 : 5);
        out_chr(o, ' ');
        out_0x(o, ph.memsz, is64 ? 6 : 5);
        out_chr(o, ' ');
        info_segment_flags(ph.flags, fl);
        out_str(o, fl);
        out_chr(o, ' ');
        if (ph.align)
            out_0x(o, ph.align, 1);
        else
            out_chr(o, '0');
        out_chr(o, '\n');
        if (ph.type == 3) {
            const uint8_t *p;
            uint64_t n;
            TRY(keel_elf_segment_data(e, &ph, &p, &n, err));
            out_str(o, "      [Requesting program interpreter: ");
            out_write(o, (const char *)p, strnlen((const char *)p, n));
            out_str(o, "]\n");
        }
    }
    if (e->shnum == 0)
        return 0;
    out_str(o, "\n Section to Segment mapping:\n  Segment Sections...\n");
    for (uint32_t i = 0; i < e->phnum; i++) {
        keel_phdr ph;
        keel_elf_phdr(e, i, &ph, NULL);
        out_str(o, i < 10 ? "   0" : "   ");
        out_dec(o, i, 0);
        out_str(o, "     ");
        for (uint32_t k = 1; k < e->shnum; k++) {
            keel_shdr sh;
            const char *name;
            keel_elf_shdr(e, k, &sh, NULL);
            if (!keel_section_in_segment(&sh, &ph))
                continue;
            TRY(keel_elf_section_name(e, &sh, &name, err));
            out_str(o, name);
            out_chr(o, ' ');
        }
        out_chr(o, '\n');
    }
    return 0;
}

static int symbol_table(out *o, const keel_elf *e, uint32_t idx, keel_error *err)
{
    bool is64 = keel_elf_is64(e);
    keel_symtab t;
    keel_versions v = {0};
    keel_shdr sh;
    const char *secname;
    char tb[32], bb[32], nb[24];
    keel_elf_shdr(e, idx, &sh, NULL);
    TRY(keel_elf_section_name(e, &sh, &secname, err));
    TRY(keel_elf_symtab(e, idx, &t, err));
    if (sh.type == 11)
        TRY(keel_elf_versions(e, idx, &v, err));
    out_str(o, "\nSymbol table '");
    out_str(o, secname);
    out_str(o, "' contains ");
    out_dec(o, t.count, 0);
    out_str(o, t.count == 1 ? " entry:\n" : " entries:\n");
    out_str(o, is64 ? "   Num:    Value          Size Type    Bind   Vis      Ndx Name\n"
                    : "   Num:    Value  Size Type    Bind   Vis      Ndx Name\n");
    for (uint64_t i = 0; i < t.count; i++) {
        keel_sym s;
        keel_symver ver;
        const char *name;
        TRY(keel_symtab_get(&t, i, &s, err));
        TRY(info_symbol_name(e, &t, &s, &name, err));
        out_dec(o, i, 6);
        out_str(o, ": ");
        out_hex(o, s.value, is64 ? 16 : 8);
        out_chr(o, ' ');
        if (s.size <= 99999)
            out_dec(o, s.size, 5);
        else
            out_0x(o, s.size, 1);
        out_chr(o, ' ');
        out_pad(o, info_symbol_type(e, KEEL_ST_TYPE(s.info), tb), 7);
        out_chr(o, ' ');
        out_pad(o, info_symbol_bind(e, KEEL_ST_BIND(s.info), bb), 6);
        out_chr(o, ' ');
        out_pad(o, keel_symbol_visibility_name(s.other), 7);
        if (s.other & ~3u) {
            out_str(o, " [<other>: ");
            out_0x(o, s.other, 1);
            out_chr(o, ']');
        }
        out_chr(o, ' ');
        info_symbol_ndx(e, &s, nb);
        out_rpad(o, nb, 4);
        out_chr(o, ' ');
        out_str(o, name);
        if (v.versym) {
            TRY(keel_versions_get(&v, i, &s, &ver, err));
            if (ver.kind == KEEL_VER_DEFAULT) {
                out_str(o, "@@");
                out_str(o, ver.name);
            } else if (ver.kind == KEEL_VER_HIDDEN) {
                out_chr(o, '@');
                out_str(o, ver.name);
            } else if (ver.kind == KEEL_VER_NEEDED) {
                out_chr(o, '@');
                out_str(o, ver.name);
                out_str(o, " (");
                out_dec(o, ver.index, 0);
                out_chr(o, ')');
            }
        }
        out_chr(o, '\n');
    }
    return 0;
}

static int symbols(out *o, const keel_elf *e, keel_error *err)
{
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        keel_elf_shdr(e, i, &sh, NULL);
        if (sh.type == 2 || sh.type == 11)
            TRY(symbol_table(o, e, i, err));
    }
    return 0;
}

static void hex_addend(out *o, int64_t a)
{
    if (a < 0) {
        out_str(o, " - ");
        out_hex(o, (uint64_t)0 - (uint64_t)a, 1);
    } else {
        out_str(o, " + ");
        out_hex(o, (uint64_t)a, 1);
    }
}

static void reloc_symbol(out *o, const char *name, const keel_symver *ver)
{
    out_str(o, name);
    if (ver->kind == KEEL_VER_NEEDED || ver->kind == KEEL_VER_HIDDEN) {
        out_chr(o, '@');
        out_str(o, ver->name);
    } else if (ver->kind == KEEL_VER_DEFAULT) {
        out_str(o, "@@");
        out_str(o, ver->name);
    }
}

static int reloc_section(out *o, const keel_elf *e, uint32_t idx, keel_error *err)
{
    bool is64 = keel_elf_is64(e);
    keel_relocs r;
    keel_symtab t = {0};
    keel_versions v = {0};
    keel_shdr sh, st;
    const char *secname;
    char tb[32];
    keel_elf_shdr(e, idx, &sh, NULL);
    TRY(keel_elf_section_name(e, &sh, &secname, err));
    TRY(keel_elf_relocs(e, idx, &r, err));
    out_str(o, "\nRelocation section '");
    out_str(o, secname);
    out_str(o, "' at offset ");
    out_0x(o, sh.offset, 1);
    out_str(o, " contains ");
    out_dec(o, r.count, 0);
    out_str(o, r.count == 1 ? " entry:\n" : " entries:\n");
    if (r.kind == 19) {
        keel_relr_iter it;
        uint64_t addr;
        int rc;
        uint64_t n = 0;
        keel_relr_begin(&it, &r);
        while ((rc = keel_relr_next(&it, &addr, err)) == 1)
            n++;
        if (rc)
            return rc;
        out_str(o, "  ");
        out_dec(o, n, 0);
        out_str(o, n == 1 ? " offset\n" : " offsets\n");
        keel_relr_begin(&it, &r);
        while ((rc = keel_relr_next(&it, &addr, err)) == 1) {
            out_hex(o, addr, is64 ? 16 : 8);
            out_chr(o, '\n');
        }
        return rc;
    }
    bool rela = r.kind == 4;
    if (r.symtab) {
        TRY(keel_elf_symtab(e, r.symtab, &t, err));
        keel_elf_shdr(e, r.symtab, &st, NULL);
        if (st.type == 11)
            TRY(keel_elf_versions(e, r.symtab, &v, err));
    }
    if (is64)
        out_str(
            o,
            rela ? "    Offset             Info             Type               Symbol's Value  Symbol's Name + Addend\n"
                 : "    Offset             Info             Type               Symbol's Value  Symbol's Name\n");
    else
        out_str(o, rela ? " Offset     Info    Type                Sym. Value  Symbol's Name + Addend\n"
                        : " Offset     Info    Type                Sym. Value  Symbol's Name\n");
    for (uint64_t i = 0; i < r.count; i++) {
        keel_rel x;
        keel_relocs_get(&r, i, &x);
        out_hex(o, x.offset, is64 ? 16 : 8);
        out_str(o, "  ");
        out_hex(o, x.info, is64 ? 16 : 8);
        out_chr(o, ' ');
        out_pad(o, info_reloc_type(e, x.type, tb), is64 ? 22 : 17);
        if (x.sym == 0 || !r.symtab) {
            if (rela) {
                out_spaces(o, is64 ? 20 : 12);
                if (x.addend < 0) {
                    out_chr(o, '-');
                    out_hex(o, (uint64_t)0 - (uint64_t)x.addend, 1);
                } else {
                    out_hex(o, (uint64_t)x.addend, 1);
                }
            }
            out_chr(o, '\n');
            continue;
        }
        keel_sym s;
        keel_symver ver;
        const char *name;
        TRY(keel_symtab_get(&t, x.sym, &s, err));
        TRY(info_symbol_name(e, &t, &s, &name, err));
        ver.kind = KEEL_VER_NONE;
        if (v.versym)
            TRY(keel_versions_get(&v, x.sym, &s, &ver, err));
        out_chr(o, ' ');
        if (KEEL_ST_TYPE(s.info) == 10 /* STT_GNU_IFUNC */) {
            /* The relocation uses what the resolver returns, not the
             * symbol's value: show "name()" there, as binutils does. */
            size_t before = o->len;
            reloc_symbol(o, name, &ver);
            out_str(o, "()");
            int used = (int)(o->len - before);
            out_spaces(o, used < (is64 ? 16 : 8) ? (is64 ? 16 : 8) - used : 1);
        } else {
            out_hex(o, s.value, is64 ? 16 : 8);
            out_str(o, is64 ? " " : "   ");
        }
        reloc_symbol(o, name, &ver);
        if (rela)
            hex_addend(o, x.addend);
        out_chr(o, '\n');
    }
    return 0;
}

static int relocs(out *o, const keel_elf *e, keel_error *err)
{
    int n = 0;
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        keel_elf_shdr(e, i, &sh, NULL);
        if (sh.type == 4 || sh.type == 9 || sh.type == 19) {
            TRY(reloc_section(o, e, i, err));
            n++;
        }
    }
    if (!n)
        out_str(o, "\nThere are no relocations in this file.\n");
    return 0;
}

static void note_desc(out *o, const keel_elf *e, const keel_note *n)
{
    bool be = e->byteorder == 2;
    if (strcmp(n->name, "GNU") == 0 && n->type == 3) {
        out_str(o, "    Build ID: ");
        for (uint32_t i = 0; i < n->descsz; i++)
            out_hex(o, n->desc[i], 2);
        return;
    }
    if (strcmp(n->name, "GNU") == 0 && n->type == 1 && n->descsz >= 16) {
        static const char *const os[] = {"Linux", "Hurd", "Solaris", "FreeBSD", "NetBSD", "Syllable"};
        uint32_t w[4];
        for (int k = 0; k < 4; k++) {
            const uint8_t *p = n->desc + 4 * k;
            w[k] = be ? (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]
                      : (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0];
        }
        out_str(o, "    OS: ");
        out_str(o, w[0] < 6 ? os[w[0]] : "Unknown");
        out_str(o, ", ABI: ");
        out_dec(o, w[1], 0);
        out_chr(o, '.');
        out_dec(o, w[2], 0);
        out_chr(o, '.');
        out_dec(o, w[3], 0);
        return;
    }
    if (strcmp(n->name, "GNU") == 0 && n->type == 4) {
        out_str(o, "    Version: ");
        out_write(o, (const char *)n->desc, strnlen((const char *)n->desc, n->descsz));
        return;
    }
    out_str(o, "   description data: ");
    for (uint32_t i = 0; i < n->descsz; i++) {
        out_hex(o, n->desc[i], 2);
        out_chr(o, ' ');
    }
}

static int note_list(out *o, const keel_elf *e, keel_note_iter *it, keel_error *err)
{
    keel_note n;
    int rc;
    char tb[32];
    out_str(o, "  Owner                Data size \tDescription\n");
    while ((rc = keel_note_next(it, &n, err)) == 1) {
        const char *tn = keel_note_type_name(n.name, n.type, e->type);
        if (!tn)
            snprintf(tb, sizeof tb, "Unknown note type: (0x%08x)", n.type), tn = tb;
        out_str(o, "  ");
        out_pad(o, n.name, 20);
        out_chr(o, ' ');
        out_0x(o, n.descsz, 8);
        out_chr(o, '\t');
        out_str(o, tn);
        out_chr(o, '\t');
        note_desc(o, e, &n);
        out_chr(o, '\n');
    }
    return rc;
}

static int notes(out *o, const keel_elf *e, keel_error *err)
{
    int n = 0;
    keel_note_iter it;
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        const char *name;
        keel_elf_shdr(e, i, &sh, NULL);
        if (sh.type != 7)
            continue;
        TRY(keel_elf_section_name(e, &sh, &name, err));
        TRY(keel_elf_notes_section(e, &sh, &it, err));
        out_str(o, "\nDisplaying notes found in: ");
        out_str(o, name);
        out_chr(o, '\n');
        TRY(note_list(o, e, &it, err));
        n++;
    }
    if (e->shnum)
        return 0;
    for (uint32_t i = 0; i < e->phnum; i++) {
        keel_phdr ph;
        keel_elf_phdr(e, i, &ph, NULL);
        if (ph.type != 4)
            continue;
        TRY(keel_elf_notes_segment(e, &ph, &it, err));
        out_str(o, "\nDisplaying notes found at file offset ");
        out_0x(o, ph.offset, 8);
        out_str(o, " with length ");
        out_0x(o, ph.filesz, 8);
        out_str(o, ":\n");
        TRY(note_list(o, e, &it, err));
    }
    return 0;
}

static void dyn_flags(out *o, uint64_t v, bool one)
{
    static const char *const f[] = {"ORIGIN", "SYMBOLIC", "TEXTREL", "BIND_NOW", "STATIC_TLS"};
    static const char *const f1[] = {"NOW",       "GLOBAL",    "GROUP",     "NODELETE",   "LOADFLTR",   "INITFIRST",
                                     "NOOPEN",    "ORIGIN",    "DIRECT",    "TRANS",      "INTERPOSE",  "NODEFLIB",
                                     "NODUMP",    "CONFALT",   "ENDFILTEE", "DISPRELDNE", "DISPRELPND", "NODIRECT",
                                     "IGNMULDEF", "NOKSYMS",   "NOHDR",     "EDITED",     "NORELOC",    "SYMINTPOSE",
                                     "GLOBAUDIT", "SINGLETON", "STUB",      "PIE"};
    if (one)
        out_str(o, "Flags:");
    for (int b = 0; b < 64; b++) {
        if (!(v & ((uint64_t)1 << b)))
            continue;
        const char *n = one ? (b < 28 ? f1[b] : NULL) : (b < 5 ? f[b] : NULL);
        if (one || b)
            out_chr(o, ' ');
        if (n)
            out_str(o, n);
        else
            out_0x(o, (uint64_t)1 << b, 1);
        one = true;
    }
}

static int dynamic(out *o, const keel_elf *e, keel_error *err)
{
    bool is64 = keel_elf_is64(e);
    keel_dynamic d;
    char tb[32], nb[40];
    TRY(keel_elf_dynamic(e, &d, err));
    if (!d.data) {
        out_str(o, "\nThere is no dynamic section in this file.\n");
        return 0;
    }
    out_str(o, "\nDynamic section at offset ");
    out_0x(o, d.offset, 1);
    out_str(o, " contains ");
    out_dec(o, d.count, 0);
    out_str(o, d.count == 1 ? " entry:\n" : " entries:\n");
    out_str(o, is64 ? "  Tag        Type                         Name/Value\n"
                    : "  Tag        Type                         Name/Value\n");
    for (uint64_t i = 0; i < d.count; i++) {
        keel_dyn x;
        keel_dynamic_get(&d, i, &x);
        out_chr(o, ' ');
        out_0x(o, (uint64_t)x.tag & (is64 ? ~(uint64_t)0 : 0xffffffffu), is64 ? 16 : 8);
        snprintf(nb, sizeof nb, "(%s)", info_dynamic_tag(e, x.tag, tb));
        out_chr(o, ' ');
        out_pad(o, nb, 20);
        out_chr(o, ' ');
        const char *s;
        if (info_dynamic_is_string(x.tag) && d.strings.data && keel_strtab_get(&d.strings, x.val, &s, NULL) == 0) {
            switch (x.tag) {
            case 1: out_str(o, "Shared library: ["); break;
            case 14: out_str(o, "Library soname: ["); break;
            case 15: out_str(o, "Library rpath: ["); break;
            case 29: out_str(o, "Library runpath: ["); break;
            default: out_str(o, "["); break;
            }
            out_str(o, s);
            out_chr(o, ']');
        } else {
            switch (x.tag) {
            case 2:
            case 8:
            case 9:
            case 10:
            case 11:
            case 18:
            case 19:
            case 27:
            case 28:
            case 33:
            case 35:
            case 37:
            case 0x6ffffdfe:
            case 0x6ffffdff:
            case 0x6ffffdfa:
            case 0x6ffffdfb:
                out_dec(o, x.val, 0);
                out_str(o, " (bytes)");
                break;
            case 20: out_str(o, x.val == 7 ? "RELA" : x.val == 17 ? "REL" : "?"); break;
            case 30: dyn_flags(o, x.val, false); break;
            case 0x6ffffffb: dyn_flags(o, x.val, true); break;
            case 0x6ffffff9:
            case 0x6ffffffa:
            case 0x6ffffffd:
            case 0x6fffffff: out_dec(o, x.val, 0); break;
            default: out_0x(o, x.val, 1); break;
            }
        }
        out_chr(o, '\n');
    }
    return 0;
}

int info_text(out *o, const keel_elf *e, unsigned parts, keel_error *err)
{
    if (parts & PART_HEADER)
        TRY(header(o, e));
    if (parts & PART_SECTIONS)
        TRY(sections(o, e, err));
    if (parts & PART_GROUPS)
        TRY(groups(o, e, err));
    if (parts & PART_SEGMENTS)
        TRY(segments(o, e, err));
    if (parts & PART_DYNAMIC)
        TRY(dynamic(o, e, err));
    if (parts & PART_RELOCS)
        TRY(relocs(o, e, err));
    if (parts & PART_SYMBOLS)
        TRY(symbols(o, e, err));
    if (parts & PART_NOTES)
        TRY(notes(o, e, err));
    return 0;
}
