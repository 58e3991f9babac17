/* keel info --json: the same parts as the text form, as one JSON object
 * per ELF file, numbers as numbers and names beside their values. */
#include <string.h>

#include "info.h"
#include "json.h"

#define TRY(x)                                                                                                         \
    do {                                                                                                               \
        int rc_ = (x);                                                                                                 \
        if (rc_)                                                                                                       \
            return rc_;                                                                                                \
    } while (0)

static void header(json *j, const keel_elf *e)
{
    const char *n;
    json_ku64(j, "class", keel_elf_is64(e) ? 64 : 32);
    json_kstr(j, "byte_order", e->byteorder == 1 ? "little" : "big");
    json_ku64(j, "osabi", e->osabi);
    json_ku64(j, "abi_version", e->abiversion);
    json_ku64(j, "type", e->type);
    n = keel_file_type_name(e->type);
    json_key(j, "type_name");
    if (n) {
        const char *sp = strchr(n, ' ');
        json_strn(j, n, sp ? (size_t)(sp - n) : strlen(n));
    } else {
        json_null(j);
    }
    json_ku64(j, "machine", e->machine);
    json_key(j, "machine_name");
    json_str(j, keel_machine_name(e->machine));
    json_ku64(j, "version", e->version);
    json_ku64(j, "entry", e->entry);
    json_ku64(j, "phoff", e->phoff);
    json_ku64(j, "shoff", e->shoff);
    json_ku64(j, "flags", e->flags);
    json_ku64(j, "ehsize", e->ehsize);
    json_ku64(j, "phentsize", e->phentsize);
    json_ku64(j, "phnum", e->phnum);
    json_ku64(j, "shentsize", e->shentsize);
    json_ku64(j, "shnum", e->shnum);
    json_ku64(j, "shstrndx", e->shstrndx);
    json_key(j, "pie");
    json_bool(j, info_is_pie(e));
}

static void flag_names(json *j, const keel_elf *e, uint64_t flags)
{
    json_arr(j);
    for (int b = 0; b < 64; b++) {
        uint64_t bit = (uint64_t)1 << b;
        if (!(flags & bit))
            continue;
        const char *n = keel_section_flag_name(bit, e->machine);
        if (n) {
            json_str(j, n);
        } else {
            char buf[24];
            keel_section_flags_string(bit, e->machine, buf, sizeof buf);
            json_str(j, buf);
        }
    }
    json_end(j);
}

static int sections(json *j, const keel_elf *e, keel_error *err)
{
    char tb[32];
    json_key(j, "sections");
    json_arr(j);
    for (uint32_t i = 0; i < e->shnum; i++) {
        keel_shdr sh;
        const char *name;
        keel_elf_shdr(e, i, &sh, NULL);
        TRY(keel_elf_section_name(e, &sh, &name, err));
        json_obj(j);
        json_ku64(j, "index", i);
        json_kstr(j, "name", name);
        json_ku64(j, "type", sh.type);
        json_kstr(j, "type_name", info_section_type(e, sh.type, tb));
        json_ku64(j, "flags", sh.flags);
        json_key(j, "flag_names");
        flag_names(j, e, sh.flags);
        json_ku64(j, "addr", sh.addr);
        json_ku64(j, "offset", sh.offset);
        json_ku64(j, "size", sh.size);
        json_ku64(j, "link", sh.link);
        json_ku64(j, "info", sh.info);
        json_ku64(j, "addralign", sh.addralign);
        json_ku64(j, "entsize", sh.entsize);
        if ((sh.flags & 0x800) && sh.type != 8) {
            keel_chdr ch;
            TRY(keel_elf_chdr(e, &sh, &ch, err));
            json_key(j, "compression");
            json_obj(j);
            json_ku64(j, "type", ch.type);
            json_ku64(j, "size", ch.size);
            json_ku64(j, "addralign", ch.addralign);
            json_end(j);
        }
        json_end(j);
    }
    json_end(j);
    return 0;
}

static int groups(json *j, const keel_elf *e, keel_error *err)
{
    json_key(j, "groups");
    json_arr(j);
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        keel_group g;
        keel_symtab t;
        keel_sym s;
        const char *sig;
        keel_elf_shdr(e, i, &sh, NULL);
        if (sh.type != 17)
            continue;
        TRY(keel_elf_group(e, i, &g, err));
        TRY(keel_elf_symtab(e, g.signature_symtab, &t, err));
        TRY(keel_symtab_get(&t, g.signature_sym, &s, err));
        TRY(info_symbol_name(e, &t, &s, &sig, err));
        json_obj(j);
        json_ku64(j, "section", i);
        json_kstr(j, "signature", sig);
        json_key(j, "comdat");
        json_bool(j, g.flags & 1);
        json_key(j, "members");
        json_arr(j);
        for (uint32_t k = 0; k < g.count; k++)
            json_u64(j, keel_group_member(&g, k));
        json_end(j);
        json_end(j);
    }
    json_end(j);
    return 0;
}

static int segments(json *j, const keel_elf *e, keel_error *err)
{
    char tb[32], fl[4];
    json_key(j, "segments");
    json_arr(j);
    for (uint32_t i = 0; i < e->phnum; i++) {
        keel_phdr ph;
        keel_elf_phdr(e, i, &ph, NULL);
        json_obj(j);
        json_ku64(j, "index", i);
        json_ku64(j, "type", ph.type);
        json_kstr(j, "type_name", info_segment_type(e, ph.type, tb));
        json_ku64(j, "offset", ph.offset);
        json_ku64(j, "vaddr", ph.vaddr);
        json_ku64(j, "paddr", ph.paddr);
        json_ku64(j, "filesz", ph.filesz);
        json_ku64(j, "memsz", ph.memsz);
        json_ku64(j, "flags", ph.flags);
        info_segment_flags(ph.flags, fl);
        json_kstr(j, "flag_names", fl);
        json_ku64(j, "align", ph.align);
        if (ph.type == 3) {
            const uint8_t *p;
            uint64_t n;
            TRY(keel_elf_segment_data(e, &ph, &p, &n, err));
            json_key(j, "interpreter");
            json_strn(j, (const char *)p, strnlen((const char *)p, n));
        }
        json_key(j, "sections");
        json_arr(j);
        for (uint32_t k = 1; k < e->shnum; k++) {
            keel_shdr sh;
            keel_elf_shdr(e, k, &sh, NULL);
            if (keel_section_in_segment(&sh, &ph))
                json_u64(j, k);
        }
        json_end(j);
        json_end(j);
    }
    json_end(j);
    return 0;
}

static void version(json *j, const keel_symver *v)
{
    static const char *const kinds[] = {"none", "default", "hidden", "needed"};
    if (v->kind == KEEL_VER_NONE)
        return;
    json_kstr(j, "version", v->name);
    json_kstr(j, "version_kind", kinds[v->kind]);
    json_ku64(j, "version_index", v->index);
}

static int symbols(json *j, const keel_elf *e, keel_error *err)
{
    char tb[32], bb[32], nb[24];
    json_key(j, "symbol_tables");
    json_arr(j);
    for (uint32_t idx = 1; idx < e->shnum; idx++) {
        keel_shdr sh;
        keel_symtab t;
        keel_versions v = {0};
        const char *secname;
        keel_elf_shdr(e, idx, &sh, NULL);
        if (sh.type != 2 && sh.type != 11)
            continue;
        TRY(keel_elf_section_name(e, &sh, &secname, err));
        TRY(keel_elf_symtab(e, idx, &t, err));
        if (sh.type == 11)
            TRY(keel_elf_versions(e, idx, &v, err));
        json_obj(j);
        json_ku64(j, "section", idx);
        json_kstr(j, "name", secname);
        json_ku64(j, "first_global", t.first_global);
        json_key(j, "symbols");
        json_arr(j);
        for (uint64_t i = 0; i < t.count; i++) {
            keel_sym s;
            keel_symver ver;
            const char *name;
            TRY(keel_symtab_get(&t, i, &s, err));
            TRY(info_symbol_name(e, &t, &s, &name, err));
            json_obj(j);
            json_ku64(j, "index", i);
            json_kstr(j, "name", name);
            json_ku64(j, "value", s.value);
            json_ku64(j, "size", s.size);
            json_kstr(j, "type", info_symbol_type(e, KEEL_ST_TYPE(s.info), tb));
            json_kstr(j, "bind", info_symbol_bind(e, KEEL_ST_BIND(s.info), bb));
            json_kstr(j, "visibility", keel_symbol_visibility_name(s.other));
            json_ku64(j, "other", s.other);
            json_ku64(j, "shndx", s.shndx);
            info_symbol_ndx(e, &s, nb);
            json_kstr(j, "ndx", nb);
            if (v.versym) {
                TRY(keel_versions_get(&v, i, &s, &ver, err));
                version(j, &ver);
            }
            json_end(j);
        }
        json_end(j);
        json_end(j);
    }
    json_end(j);
    return 0;
}

static int relocs(json *j, const keel_elf *e, keel_error *err)
{
    char tb[32];
    json_key(j, "relocation_sections");
    json_arr(j);
    for (uint32_t idx = 1; idx < e->shnum; idx++) {
        keel_shdr sh;
        keel_relocs r;
        keel_symtab t = {0};
        const char *secname;
        keel_elf_shdr(e, idx, &sh, NULL);
        if (sh.type != 4 && sh.type != 9 && sh.type != 19)
            continue;
        TRY(keel_elf_section_name(e, &sh, &secname, err));
        TRY(keel_elf_relocs(e, idx, &r, err));
        json_obj(j);
        json_ku64(j, "section", idx);
        json_kstr(j, "name", secname);
        json_kstr(j, "kind", r.kind == 4 ? "rela" : r.kind == 9 ? "rel" : "relr");
        json_ku64(j, "symtab", r.symtab);
        json_ku64(j, "target", r.target);
        json_key(j, "entries");
        json_arr(j);
        if (r.kind == 19) {
            keel_relr_iter it;
            uint64_t addr;
            int rc;
            keel_relr_begin(&it, &r);
            while ((rc = keel_relr_next(&it, &addr, err)) == 1)
                json_u64(j, addr);
            if (rc)
                return rc;
        } else {
            if (r.symtab)
                TRY(keel_elf_symtab(e, r.symtab, &t, err));
            for (uint64_t i = 0; i < r.count; i++) {
                keel_rel x;
                keel_relocs_get(&r, i, &x);
                json_obj(j);
                json_ku64(j, "offset", x.offset);
                json_ku64(j, "info", x.info);
                json_ku64(j, "type", x.type);
                json_kstr(j, "type_name", info_reloc_type(e, x.type, tb));
                json_ku64(j, "symbol", x.sym);
                if (x.sym && r.symtab) {
                    keel_sym s;
                    const char *name;
                    TRY(keel_symtab_get(&t, x.sym, &s, err));
                    TRY(info_symbol_name(e, &t, &s, &name, err));
                    json_kstr(j, "symbol_name", name);
                    json_ku64(j, "symbol_value", s.value);
                }
                if (r.kind == 4) {
                    json_key(j, "addend");
                    json_i64(j, x.addend);
                }
                json_end(j);
            }
        }
        json_end(j);
        json_end(j);
    }
    json_end(j);
    return 0;
}

static int note_list(json *j, const keel_elf *e, keel_note_iter *it, keel_error *err)
{
    keel_note n;
    int rc;
    while ((rc = keel_note_next(it, &n, err)) == 1) {
        json_obj(j);
        json_kstr(j, "owner", n.name);
        json_ku64(j, "type", n.type);
        json_key(j, "type_name");
        json_str(j, keel_note_type_name(n.name, n.type, e->type));
        json_ku64(j, "offset", n.offset);
        json_ku64(j, "descsz", n.descsz);
        json_key(j, "desc");

        {
            char hex[2 * 64 + 1];
            uint32_t k = n.descsz < 64 ? n.descsz : 64;
            for (uint32_t i = 0; i < k; i++) {
                hex[2 * i] = "0123456789abcdef"[n.desc[i] >> 4];
                hex[2 * i + 1] = "0123456789abcdef"[n.desc[i] & 15];
            }
            json_strn(j, hex, 2 * (size_t)k);
        }
        json_end(j);
    }
    return rc;
}

static int notes(json *j, const keel_elf *e, keel_error *err)
{
    keel_note_iter it;
    json_key(j, "notes");
    json_arr(j);
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        const char *name;
        keel_elf_shdr(e, i, &sh, NULL);
        if (sh.type != 7)
            continue;
        TRY(keel_elf_section_name(e, &sh, &name, err));
        TRY(keel_elf_notes_section(e, &sh, &it, err));
        json_obj(j);
        json_kstr(j, "section", name);
        json_key(j, "notes");
        json_arr(j);
        TRY(note_list(j, e, &it, err));
        json_end(j);
        json_end(j);
    }
    if (e->shnum == 0)
        for (uint32_t i = 0; i < e->phnum; i++) {
            keel_phdr ph;
            keel_elf_phdr(e, i, &ph, NULL);
            if (ph.type != 4)
                continue;
            TRY(keel_elf_notes_segment(e, &ph, &it, err));
            json_obj(j);
            json_ku64(j, "segment", i);
            json_key(j, "notes");
            json_arr(j);
            TRY(note_list(j, e, &it, err));
            json_end(j);
            json_end(j);
        }
    json_end(j);
    return 0;
}

static int dynamic(json *j, const keel_elf *e, keel_error *err)
{
    keel_dynamic d;
    char tb[32];
    TRY(keel_elf_dynamic(e, &d, err));
    json_key(j, "dynamic");
    json_arr(j);
    for (uint64_t i = 0; i < d.count; i++) {
        keel_dyn x;
        const char *s;
        keel_dynamic_get(&d, i, &x);
        json_obj(j);
        json_key(j, "tag");
        json_i64(j, x.tag);
        json_kstr(j, "name", info_dynamic_tag(e, x.tag, tb));
        json_ku64(j, "value", x.val);
        if (info_dynamic_is_string(x.tag) && d.strings.data && keel_strtab_get(&d.strings, x.val, &s, NULL) == 0)
            json_kstr(j, "string", s);
        json_end(j);
    }
    json_end(j);
    return 0;
}

int info_json(json *j, const keel_elf *e, unsigned parts, keel_error *err)
{
    if (parts & PART_HEADER)
        header(j, e);
    if (parts & PART_SECTIONS)
        TRY(sections(j, e, err));
    if (parts & PART_GROUPS)
        TRY(groups(j, e, err));
    if (parts & PART_SEGMENTS)
        TRY(segments(j, e, err));
    if (parts & PART_DYNAMIC)
        TRY(dynamic(j, e, err));
    if (parts & PART_RELOCS)
        TRY(relocs(j, e, err));
    if (parts & PART_SYMBOLS)
        TRY(symbols(j, e, err));
    if (parts & PART_NOTES)
        TRY(notes(j, e, err));
    return 0;
}
