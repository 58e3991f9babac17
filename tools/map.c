/* keel map FILE [ADDR...]: where an address is, and where it went.
 *
 * PDB files: through their address map (lib/map): for each address its
 * section and offset, and the address and section offset in the other
 * space (output -> original by default, --to-output the reverse).
 * --ranges START END cuts a range at every OMAP record.  ELF files: the
 * section and symbol of each address; with keel's address map
 * (.keel.addrmap) tools/map_addrmap.c answers instead.
 *
 * Addresses are hexadecimal with or without 0x, as addr2line reads them,
 * or SECTION:OFFSET (a 1-based section number, a hex offset) in the
 * space they are converted from.  With no ADDR they are read from
 * standard input, separated by white space, one answer a line. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <keel/map.h>

#include "commands.h"
#include "map.h"
#include "mapped_file.h"

static void usage(FILE *to)
{
    fprintf(to, "usage: keel map [--json] [--to-output] FILE [ADDR...]\n"
                "       keel map [--json] [--to-output] FILE --ranges START END\n"
                "       keel map [--json] --sections FILE.pdb\n"
                "For each address of FILE (a PDB file, or an ELF file): its section and offset,\n"
                "and where the file has an address map (a PDB's OMAP tables, the .keel.addrmap\n"
                "section keel's linker writes) the address in the other space: output to\n"
                "original, or with --to-output original to output.  An ELF file also gets each\n"
                "address's symbol, and with .keel.addrmap its input section (main.o:.text+0x12).\n"
                "ADDR: hex (0x optional); SECTION:OFFSET (a section number: 1-based in a PDB,\n"
                "the section header index in an ELF file); in an ELF file with .keel.addrmap,\n"
                "an input place FILE:SECTION[+OFFSET] (FILE as linked or its last component,\n"
                "ARCHIVE(MEMBER) for a member).  No ADDR: addresses are read from standard\n"
                "input, separated by white space, one answer a line.\n"
                "--ranges START END: the pieces of [START, END) in the other space, cut at every\n"
                "map record, the eliminated pieces left out.\n"
                "--json: the same answers as one JSON array.\n"
                "--sections: the PDB's section tables (output, and original when rearranged).\n");
}

/* hex with an optional 0x, as addr2line reads it; or SECTION:OFFSET */
bool map_parse_addr(const char *s, bool *sect, uint16_t *section, uint64_t *value)
{
    char *end;
    const char *colon = strchr(s, ':');
    *sect = colon != NULL;
    if (colon) {
        errno = 0;
        unsigned long n = strtoul(s, &end, 10);
        if (end != colon || end == s || errno || n > 0xffff)
            return false;
        *section = (uint16_t)n;
        s = colon + 1;
    }
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    if (!*s || *s == '-' || *s == '+')
        return false;
    errno = 0;
    *value = strtoull(s, &end, 16);
    return !*end && !errno;
}

/* ------------------------------------------------------------------ PDB */

static void pdb_sect(map_run *r, const keel_map_sections *t, uint16_t n, uint32_t off)
{
    keel_map_section s;
    bool named = keel_map_section_get(t, n, &s);
    if (r->json) {
        json_ku64(&r->j, "section", n);
        json_ku64(&r->j, "offset", off);
        if (named)
            json_kstr(&r->j, "name", s.name);
        return;
    }
    out_dec(&r->o, n, 0);
    out_chr(&r->o, ':');
    out_0x(&r->o, off, 0);
    if (named) {
        out_chr(&r->o, '(');
        out_str(&r->o, s.name);
        out_chr(&r->o, ')');
    }
}

/* One side: the RVA and the section offset of a space (the section part
 * "-" where no section holds it). */
static void pdb_side(map_run *r, int rva_space, uint32_t rva)
{
    keel_map_addr s;
    int rc = keel_map_convert(&r->map, (keel_map_addr){(uint8_t)rva_space, 0, rva}, rva_space + 2, &s);
    const keel_map_sections *t = rva_space == KEEL_MAP_ORIGINAL ? &r->map.original : &r->map.sections;
    if (r->json) {
        json_ku64(&r->j, "address", rva);
        if (rc == KEEL_MAP_FOUND)
            pdb_sect(r, t, s.section, s.value);
        return;
    }
    out_0x(&r->o, rva, 0);
    out_chr(&r->o, ' ');
    if (rc == KEEL_MAP_FOUND)
        pdb_sect(r, t, s.section, s.value);
    else
        out_chr(&r->o, '-');
}

static void pdb_one(map_run *r, const char *text, bool sect, uint16_t section, uint64_t value)
{
    int from = r->to_output ? KEEL_MAP_ORIGINAL : KEEL_MAP_OUTPUT;
    int to = r->to_output ? KEEL_MAP_OUTPUT : KEEL_MAP_ORIGINAL;
    keel_map_addr in = {(uint8_t)(from + (sect ? 2 : 0)), section, (uint32_t)value}, a, b;
    int rc = value > UINT32_MAX ? KEEL_MAP_UNMAPPED : keel_map_convert(&r->map, in, from, &a);
    if (rc == KEEL_MAP_FOUND)
        rc = keel_map_convert(&r->map, a, to, &b);
    if (r->json) {
        json_obj(&r->j);
        json_kstr(&r->j, "input", text);
    }
    if (value > UINT32_MAX || (sect && rc && rc != KEEL_MAP_ELIMINATED && rc != KEEL_MAP_UNMAPPED)) {
        /* the input itself names nothing */
        if (r->json) {
            json_kstr(&r->j, "error", keel_map_result_name(rc));
            json_end(&r->j);
        } else {
            out_str(&r->o, text);
            out_str(&r->o, " ");
            out_str(&r->o, keel_map_result_name(rc));
            out_chr(&r->o, '\n');
        }
        return;
    }
    if (r->json) {
        json_key(&r->j, r->to_output ? "original" : "output");
        json_obj(&r->j);
        pdb_side(r, from, a.value);
        json_end(&r->j);
        json_key(&r->j, r->to_output ? "output" : "original");
        if (rc == KEEL_MAP_FOUND) {
            json_obj(&r->j);
            pdb_side(r, to, b.value);
            json_end(&r->j);
        } else {
            json_str(&r->j, keel_map_result_name(rc));
        }
        json_end(&r->j);
        return;
    }
    pdb_side(r, from, a.value);
    out_str(&r->o, " -> ");
    if (rc == KEEL_MAP_FOUND)
        pdb_side(r, to, b.value);
    else
        out_str(&r->o, keel_map_result_name(rc));
    out_chr(&r->o, '\n');
}

void map_range_piece(map_run *r, uint64_t s, uint64_t e, uint64_t ts, uint64_t te)
{
    if (r->json) {
        json_obj(&r->j);
        json_ku64(&r->j, "start", s);
        json_ku64(&r->j, "end", e);
        json_ku64(&r->j, "to_start", ts);
        json_ku64(&r->j, "to_end", te);
        json_end(&r->j);
        return;
    }
    out_0x(&r->o, s, 0);
    out_chr(&r->o, '-');
    out_0x(&r->o, e, 0);
    out_str(&r->o, " -> ");
    out_0x(&r->o, ts, 0);
    out_chr(&r->o, '-');
    out_0x(&r->o, te, 0);
    out_chr(&r->o, '\n');
}

static void pdb_ranges(map_run *r, uint64_t start, uint64_t end)
{
    if (r->json)
        json_arr(&r->j);
    if (r->map.mode != KEEL_MAP_OMAP) {
        /* nothing was rearranged: the range is its own image */
        if (start < end)
            map_range_piece(r, start, end, start, end);
    } else {
        keel_omap_ranges it;
        keel_map_range p;
        keel_omap_ranges_begin(&it, r->to_output ? &r->map.to_output : &r->map.to_original, start, end);
        while (keel_omap_ranges_next(&it, &p))
            map_range_piece(r, p.src, p.src_end, p.dst, p.dst_end);
    }
    if (r->json)
        json_end(&r->j);
}

/* --sections: both tables of the map, the fields llvm-pdbutil prints */
static void pdb_tables(map_run *r)
{
    static const char *what[] = {"sections", "original"};
    const keel_map_sections *t[] = {&r->map.sections, &r->map.original};
    int n = r->map.mode == KEEL_MAP_OMAP ? 2 : 1;
    if (r->json)
        json_obj(&r->j);
    for (int k = 0; k < n; k++) {
        if (r->json) {
            json_key(&r->j, what[k]);
            json_arr(&r->j);
        }
        for (uint32_t i = 1; i <= t[k]->n; i++) {
            keel_map_section s;
            keel_map_section_get(t[k], i, &s);
            if (r->json) {
                json_obj(&r->j);
                json_ku64(&r->j, "number", i);
                json_kstr(&r->j, "name", s.name);
                json_ku64(&r->j, "virtual_size", s.virtual_size);
                json_ku64(&r->j, "virtual_address", s.virtual_address);
                json_ku64(&r->j, "raw_size", s.raw_size);
                json_ku64(&r->j, "raw_offset", s.raw_offset);
                json_ku64(&r->j, "flags", s.flags);
                json_end(&r->j);
                continue;
            }
            out_str(&r->o, what[k]);
            out_chr(&r->o, ' ');
            out_dec(&r->o, i, 0);
            out_chr(&r->o, ' ');
            out_str(&r->o, s.name);
            uint32_t v[] = {s.virtual_size, s.virtual_address, s.raw_size, s.raw_offset, s.flags};
            for (int f = 0; f < 5; f++) {
                out_chr(&r->o, ' ');
                out_0x(&r->o, v[f], 0);
            }
            out_chr(&r->o, '\n');
        }
        if (r->json)
            json_end(&r->j);
    }
    if (r->json)
        json_end(&r->j);
}

static int open_pdb(map_run *r, const char *file, const mapped_file *f, void **scratch)
{
    keel_pdb p;
    keel_error err = {0};
    size_t need = 0;
    if (keel_pdb_open(&p, f->data, f->size, &err) || keel_pdb_map_scratch(&p, &need, &err))
        goto fail;
    *scratch = malloc(need ? need : 1);
    if (!*scratch) {
        fprintf(stderr, "keel map: %s: out of memory\n", file);
        return 1;
    }
    if (keel_pdb_address_map(&p, *scratch, need, &r->map, &err))
        goto fail;
    r->pdb = true;
    return 0;
fail:
    fprintf(stderr, "keel map: %s: %s\n", file, err.msg);
    return 1;
}

/* ------------------------------------------------------------------ ELF */

static int sym_order(const void *a, const void *b)
{
    const elf_sym *x = a, *y = b;
    if (x->value != y->value)
        return x->value < y->value ? -1 : 1;
    if ((x->size != 0) != (y->size != 0))
        return x->size ? 1 : -1; /* sized last: preferred */
    if (x->rank != y->rank)
        return x->rank - y->rank;
    return x->index < y->index ? 1 : x->index > y->index ? -1 : 0; /* the first of equals last: preferred */
}

/* The symbols that name code and data: defined, in a section, not a
 * section or file symbol; .symtab, else .dynsym.  Sorted by address, the
 * one a reader expects last among those at one address (sized, then by
 * binding, then the first in the table, as eu-addr2line chooses). */
static int elf_symbols(map_run *r, const char *file)
{
    keel_error err = {0};
    uint32_t tab = 0;
    for (uint32_t i = 1; i < r->elf.shnum; i++) {
        keel_shdr sh;
        if (keel_elf_shdr(&r->elf, i, &sh, &err) == 0 && (sh.type == 2 || (sh.type == 11 && !tab)))
            tab = i;
    }
    if (!tab)
        return 0;
    keel_symtab st;
    if (keel_elf_symtab(&r->elf, tab, &st, &err))
        goto fail;
    r->syms = calloc(st.count ? st.count : 1, sizeof *r->syms);
    if (!r->syms) {
        fprintf(stderr, "keel map: %s: out of memory\n", file);
        return 1;
    }
    for (uint64_t i = 1; i < st.count; i++) {
        keel_sym s;
        const char *name;
        if (keel_symtab_get(&st, i, &s, &err) || keel_symtab_name(&st, &s, &name, &err))
            goto fail;
        int type = KEEL_ST_TYPE(s.info), bind = KEEL_ST_BIND(s.info);
        if ((type > 2 && type != 10) || s.shndx == 0 || s.shndx >= 0xff00 || !*name)
            continue; /* NOTYPE, OBJECT, FUNC and GNU_IFUNC only; defined in a section */
        r->syms[r->nsyms++] = (elf_sym){s.value, s.size, s.shndx, bind == 1 ? 2 : bind == 2 ? 1 : 0, i, name};
    }
    qsort(r->syms, r->nsyms, sizeof *r->syms, sym_order);
    return 0;
fail:
    fprintf(stderr, "keel map: %s: %s\n", file, err.msg);
    return 1;
}

/* The symbol naming addr: the sized one holding it (the nearest below
 * first), else the nearest sizeless label of its section below it with
 * no sized symbol in between (eu-addr2line's choice: padding after a
 * function is nobody's). */
const elf_sym *map_elf_symbol(const map_run *r, uint64_t addr, uint32_t shndx)
{
    size_t lo = 0, n = r->nsyms;
    while (n > 0) {
        size_t half = n / 2;
        if (r->syms[lo + half].value <= addr) {
            lo += half + 1;
            n -= half + 1;
        } else {
            n = half;
        }
    }
    const elf_sym *label = NULL;
    bool labels = true; /* a label counts only if no sized symbol ends between it and addr */
    /* a bounded walk back: symbols nested in or overlapping others are few */
    for (size_t k = lo, steps = 0; k > 0 && steps < 64; k--, steps++) {
        const elf_sym *s = &r->syms[k - 1];
        if (s->size && addr - s->value < s->size)
            return s;
        if (s->size)
            labels = false;
        else if (labels && !label && s->shndx == shndx)
            label = s;
    }
    return label;
}

/* The allocated section holding addr (not .tbss, which overlaps what
 * follows it): its index, 0 if none. */
uint32_t map_elf_section(const map_run *r, uint64_t addr, keel_shdr *sh, const char **name)
{
    keel_error err = {0};
    *name = NULL;
    for (uint32_t i = 1; i < r->elf.shnum; i++)
        if (keel_elf_shdr(&r->elf, i, sh, &err) == 0 && (sh->flags & 2) && !(sh->type == 8 && (sh->flags & 0x400)) &&
            addr - sh->addr < sh->size) {
            if (keel_elf_section_name(&r->elf, sh, name, &err))
                *name = NULL;
            return i;
        }
    return 0;
}

static void elf_one(map_run *r, const char *text, bool sect, uint16_t section, uint64_t addr)
{
    keel_error err = {0};
    keel_shdr sh = {0};
    const char *sname = NULL;
    uint32_t shndx = 0;
    if (sect) {
        /* SECTION:OFFSET: an ELF section index and an offset in it */
        if (section && section < r->elf.shnum && keel_elf_shdr(&r->elf, section, &sh, &err) == 0 && (sh.flags & 2) &&
            addr < sh.size) {
            shndx = section;
            addr += sh.addr;
        }
        if (shndx && keel_elf_section_name(&r->elf, &sh, &sname, &err))
            sname = NULL;
    } else {
        shndx = map_elf_section(r, addr, &sh, &sname);
    }
    const elf_sym *s = shndx ? map_elf_symbol(r, addr, shndx) : NULL;
    if (r->json) {
        json_obj(&r->j);
        json_kstr(&r->j, "input", text);
        if (sect && !shndx) {
            json_kstr(&r->j, "error", "no section");
            json_end(&r->j);
            return;
        }
        json_ku64(&r->j, "address", addr);
        if (shndx) {
            json_ku64(&r->j, "section", shndx);
            json_ku64(&r->j, "offset", addr - sh.addr);
            if (sname)
                json_kstr(&r->j, "name", sname);
        }
        if (s) {
            json_kstr(&r->j, "symbol", s->name);
            json_ku64(&r->j, "symbol_offset", addr - s->value);
        }
        json_end(&r->j);
        return;
    }
    if (sect && !shndx) {
        out_str(&r->o, text);
        out_str(&r->o, " no section\n");
        return;
    }
    out_0x(&r->o, addr, 0);
    out_chr(&r->o, ' ');
    if (shndx) {
        out_str(&r->o, sname ? sname : "?");
        out_chr(&r->o, '+');
        out_0x(&r->o, addr - sh.addr, 0);
    } else {
        out_chr(&r->o, '-');
    }
    out_chr(&r->o, ' ');
    if (s) {
        out_str(&r->o, s->name);
        out_chr(&r->o, '+');
        out_0x(&r->o, addr - s->value, 0);
    } else {
        out_chr(&r->o, '-');
    }
    out_chr(&r->o, '\n');
}

/* ---------------------------------------------------------------- main */

static void one(map_run *r, const char *text)
{
    bool sect;
    uint16_t section = 0;
    uint64_t v;
    if (r->addrmap) { /* (an input place is an address too) */
        map_addrmap_one(r, text);
        return;
    }
    if (!map_parse_addr(text, &sect, &section, &v)) {
        out_flush(&r->o);
        fprintf(stderr, "keel map: '%s' is not an address (hex, or SECTION:OFFSET)\n", text);
        r->bad = 1;
        return;
    }
    if (r->pdb)
        pdb_one(r, text, sect, section, v);
    else
        elf_one(r, text, sect, section, v);
}

int cmd_map(int argc, char **argv)
{
    static map_run run;
    map_run *r = &run;
    const char *file = NULL, *range[2] = {NULL, NULL};
    int i = 1, naddr = 0;
    char **addrs = calloc((size_t)argc + 1, sizeof *addrs);
    if (!addrs)
        return 1;
    for (; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            free(addrs);
            return 0;
        } else if (!strcmp(a, "--json")) {
            r->json = true;
        } else if (!strcmp(a, "--sections")) {
            r->sections = true;
        } else if (!strcmp(a, "--to-output")) {
            r->to_output = true;
        } else if (!strcmp(a, "--ranges") && i + 2 < argc) {
            range[0] = argv[++i];
            range[1] = argv[++i];
        } else if (a[0] == '-' && a[1] && !file) {
            fprintf(stderr, "keel map: unknown option '%s'\n", a);
            usage(stderr);
            free(addrs);
            return 2;
        } else if (!file) {
            file = a;
        } else {
            addrs[naddr++] = argv[i];
        }
    }
    if (!file || ((range[0] || r->sections) && naddr) || (range[0] && r->sections)) {
        usage(stderr);
        free(addrs);
        return 2;
    }
    mapped_file f;
    const char *why;
    if (mapped_file_open(&f, file, &why)) {
        fprintf(stderr, "keel map: %s: %s\n", file, why);
        free(addrs);
        return 1;
    }
    void *scratch = NULL;
    int status = 0;
    if (keel_is_pdb(f.data, f.size)) {
        status = open_pdb(r, file, &f, &scratch);
    } else if (keel_is_elf(f.data, f.size)) {
        keel_error err = {0};
        if (keel_elf_open(&r->elf, f.data, f.size, &err)) {
            fprintf(stderr, "keel map: %s: %s\n", file, err.msg);
            status = 1;
        } else {
            status = elf_symbols(r, file);
            int am = status ? 0 : map_addrmap_open(r, file);
            if (am < 0)
                status = 1;
            r->addrmap = am > 0;
            if (!status && !r->addrmap && (range[0] || r->to_output)) {
                fprintf(stderr,
                        "keel map: %s: no address map: %s needs one (an ELF file without one has only its "
                        "sections and symbols)\n",
                        file, range[0] ? "--ranges" : "--to-output");
                status = 1;
            }
        }
    } else {
        fprintf(stderr, "keel map: %s: neither a PDB nor an ELF file\n", file);
        status = 1;
    }
    if (status)
        goto done;
    out_init(&r->o, 1);
    json_init(&r->j, &r->o);
    if (r->sections && !r->pdb) {
        fprintf(stderr, "keel map: %s: --sections lists a PDB's section tables ('keel info -S' an ELF file's)\n", file);
        status = 2;
        goto done;
    }
    if (r->sections) {
        pdb_tables(r);
    } else if (range[0]) {
        bool s1, s2;
        uint16_t n;
        uint64_t a, b;
        if (!map_parse_addr(range[0], &s1, &n, &a) || !map_parse_addr(range[1], &s2, &n, &b) || s1 || s2) {
            fprintf(stderr, "keel map: --ranges takes two hex addresses\n");
            status = 2;
            goto done;
        }
        if (r->addrmap)
            map_addrmap_ranges(r, a, b);
        else
            pdb_ranges(r, a, b);
    } else {
        if (r->json)
            json_arr(&r->j);
        for (int k = 0; k < naddr; k++)
            one(r, addrs[k]);
        if (!naddr) {
            static char word[4096]; /* (an input place names a path) */
            /* white-space separated, as addr2line reads them */
            while (scanf("%4095s", word) == 1)
                one(r, word);
        }
        if (r->json)
            json_end(&r->j);
    }
    out_flush(&r->o); /* the JSON writer ends the document's line itself */
    status = r->o.failed ? 1 : r->bad;
done:
    free(scratch);
    free(r->syms);
    free(addrs);
    mapped_file_close(&f);
    return status;
}
