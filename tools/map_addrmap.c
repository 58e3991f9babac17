/* keel map on an ELF file with keel's address map (.keel.addrmap): each
 * address gets, in the space it is from, its section and offset, its
 * symbol (output space) and its input section (main.o:.text.foo+0x12,
 * libx.a(m.o):.text+0x4), then the same address in the other space.
 *
 *   0x401136 .text+0x36 main+0x6 sql.o:.text.startup+0x6 -> 0x401236 .text+0x136
 *
 * The output space is the file's: its section headers and symbols.  The
 * original space has the map's section records.  An address is a virtual
 * address (hex), SECTION:OFFSET (an index in the file's section headers),
 * or an input place FILE:SECTION[+OFFSET] (FILE as recorded, or its last
 * component; ARCHIVE(MEMBER) for a member). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "map.h"

/* ---------------------------------------------------------------- open */

int map_addrmap_open(map_run *r, const char *file)
{
    keel_error err = {0};
    keel_shdr sh;
    uint32_t idx = keel_elf_find_section(&r->elf, KEEL_ADDRMAP_SECTION);
    if (!idx)
        return 0;
    if (keel_elf_shdr(&r->elf, idx, &sh, &err))
        goto fail;
    if (sh.type == 8 /* NOBITS */ || sh.offset > r->elf.size || sh.size > r->elf.size - sh.offset) {
        fprintf(stderr,
                "keel map: %s: section [%u] " KEEL_ADDRMAP_SECTION " at 0x%llx of 0x%llx bytes is past the end "
                "of the file (0x%zx)\n",
                file, (unsigned)idx, (unsigned long long)sh.offset, (unsigned long long)sh.size, r->elf.size);
        return -1;
    }
    if (keel_addrmap_open(&r->am, (const uint8_t *)r->elf.data + sh.offset, (size_t)sh.size, &err))
        goto fail;
    return 1;
fail:
    fprintf(stderr, "keel map: %s: %s\n", file, err.msg);
    return -1;
}

/* ---------------------------------------------------------------- sides */

/* What one space says of an address. */
typedef struct side {
    uint64_t addr;
    const char *section; /* NULL: no section holds it */
    uint32_t shndx;
    uint64_t offset;
    const elf_sym *sym; /* output space only */
    bool has_input;
    keel_addrmap_input in;
    uint32_t in_off;
} side;

static bool rva_of(const map_run *r, uint64_t addr, uint32_t *rva)
{
    if (addr < r->am.base || addr - r->am.base > UINT32_MAX)
        return false;
    *rva = (uint32_t)(addr - r->am.base);
    return true;
}

static void describe(const map_run *r, int space, uint64_t addr, bool with_input, side *s)
{
    *s = (side){.addr = addr};
    uint32_t rva = 0, i;
    bool in_image = rva_of(r, addr, &rva);
    if (space == KEEL_MAP_OUTPUT) {
        keel_shdr sh;
        s->shndx = map_elf_section(r, addr, &sh, &s->section);
        if (s->shndx) {
            s->offset = addr - sh.addr;
            if (!s->section)
                s->section = "?";
            s->sym = map_elf_symbol(r, addr, s->shndx);
        }
    } else if (in_image && keel_addrmap_section_at(&r->am, space, rva, &i)) {
        keel_addrmap_section sec;
        keel_addrmap_section_get(&r->am, i, &sec);
        s->section = sec.name;
        s->shndx = sec.index;
        s->offset = rva - sec.orig_rva;
    }
    if (with_input && in_image && keel_addrmap_input_at(&r->am, space, rva, &i)) {
        keel_addrmap_input_get(&r->am, i, &s->in);
        s->has_input = true;
        s->in_off = rva - (space == KEEL_MAP_ORIGINAL ? s->in.orig_rva : s->in.rva);
    }
}

static void put_place(out *o, const keel_addrmap_input *in, uint32_t off)
{
    out_str(o, in->path);
    if (*in->member) {
        out_chr(o, '(');
        out_str(o, in->member);
        out_chr(o, ')');
    }
    out_chr(o, ':');
    out_str(o, in->name);
    out_chr(o, '+');
    out_0x(o, off, 0);
}

/* --json: one side as an object */
static void json_side(map_run *r, const side *s)
{
    json_obj(&r->j);
    json_ku64(&r->j, "address", s->addr);
    if (s->section) {
        json_ku64(&r->j, "section", s->shndx);
        json_ku64(&r->j, "offset", s->offset);
        json_kstr(&r->j, "name", s->section);
    }
    if (s->sym) {
        json_kstr(&r->j, "symbol", s->sym->name);
        json_ku64(&r->j, "symbol_offset", s->addr - s->sym->value);
    }
    if (s->has_input) {
        json_key(&r->j, "input_section");
        json_obj(&r->j);
        json_kstr(&r->j, "file", s->in.path);
        if (*s->in.member)
            json_kstr(&r->j, "member", s->in.member);
        json_kstr(&r->j, "name", s->in.name);
        json_ku64(&r->j, "offset", s->in_off);
        json_end(&r->j);
    }
    json_end(&r->j);
}

/* ----------------------------------------------------------- one address */

/* FILE:SECTION[+OFFSET], FILE being PATH or ARCHIVE(MEMBER): the input
 * record and the offset; 0, or the reason there is none. */
static const char *find_place(const map_run *r, const char *text, keel_addrmap_input *in, uint32_t *off)
{
    static char buf[4096];
    size_t n = strlen(text);
    if (n >= sizeof buf)
        return "not an address";
    memcpy(buf, text, n + 1);
    uint64_t o = 0;
    char *plus = strrchr(buf, '+'), *colon;
    if (plus && plus > strrchr(buf, ':')) {
        char *end;
        const char *h = plus[1] == '0' && (plus[2] == 'x' || plus[2] == 'X') ? plus + 3 : plus + 1;
        o = strtoull(h, &end, 16);
        if (!*h || *end || *h == '-' || *h == '+')
            return "not an address";
        *plus = 0;
    }
    colon = strrchr(buf, ':');
    if (!colon || colon == buf || !colon[1])
        return "not an address";
    *colon = 0;
    const char *member = "";
    size_t len = strlen(buf);
    if (buf[len - 1] == ')') {
        char *open = strrchr(buf, '(');
        if (open && open != buf) {
            buf[len - 1] = 0;
            *open = 0;
            member = open + 1;
        }
    }
    uint32_t i, j;
    if (!keel_addrmap_input_find(&r->am, 0, buf, member, colon + 1, &i))
        return "no such input section";
    if (keel_addrmap_input_find(&r->am, i + 1, buf, member, colon + 1, &j))
        return "ambiguous: several input sections have that name";
    keel_addrmap_input_get(&r->am, i, in);
    if (o >= in->size)
        return "past its section";
    *off = (uint32_t)o;
    return NULL;
}

static void fail_one(map_run *r, const char *text, const char *why)
{
    if (r->json) {
        json_obj(&r->j);
        json_kstr(&r->j, "input", text);
        json_kstr(&r->j, "error", why);
        json_end(&r->j);
        return;
    }
    out_str(&r->o, text);
    out_chr(&r->o, ' ');
    out_str(&r->o, why);
    out_chr(&r->o, '\n');
}

static void print_text_side(map_run *r, const side *s, bool output_space)
{
    out_0x(&r->o, s->addr, 0);
    out_chr(&r->o, ' ');
    if (s->section) {
        out_str(&r->o, s->section);
        out_chr(&r->o, '+');
        out_0x(&r->o, s->offset, 0);
    } else {
        out_chr(&r->o, '-');
    }
    if (output_space) { /* the symbol column, as without a map */
        out_chr(&r->o, ' ');
        if (s->sym) {
            out_str(&r->o, s->sym->name);
            out_chr(&r->o, '+');
            out_0x(&r->o, s->addr - s->sym->value, 0);
        } else {
            out_chr(&r->o, '-');
        }
    }
}

void map_addrmap_one(map_run *r, const char *text)
{
    int from = r->to_output ? KEEL_MAP_ORIGINAL : KEEL_MAP_OUTPUT;
    int to = r->to_output ? KEEL_MAP_OUTPUT : KEEL_MAP_ORIGINAL;
    bool sect;
    uint16_t section = 0;
    uint64_t addr;
    if (!map_parse_addr(text, &sect, &section, &addr)) {
        /* an input place */
        keel_addrmap_input in;
        uint32_t off;
        const char *why = find_place(r, text, &in, &off);
        if (!why && from == KEEL_MAP_OUTPUT && !in.placed)
            why = "eliminated";
        if (!why && from == KEEL_MAP_ORIGINAL && !in.has_original)
            why = "no original place";
        if (why && !strcmp(why, "not an address")) {
            out_flush(&r->o);
            fprintf(stderr, "keel map: '%s' is not an address (hex, SECTION:OFFSET or FILE:SECTION+OFFSET)\n", text);
            r->bad = 1;
            return;
        }
        if (why) {
            fail_one(r, text, why);
            return;
        }
        addr = r->am.base + (from == KEEL_MAP_ORIGINAL ? in.orig_rva : in.rva) + off;
    } else if (sect) {
        /* SECTION:OFFSET: a section index of the file's headers, in the space converted from */
        uint32_t i;
        keel_addrmap_section sec;
        if (!section || !keel_addrmap_section_by_index(&r->am, section, &i)) {
            fail_one(r, text, "no section");
            return;
        }
        keel_addrmap_section_get(&r->am, i, &sec);
        uint32_t size = from == KEEL_MAP_ORIGINAL ? sec.orig_size : sec.size;
        if (addr >= size) {
            fail_one(r, text, "past its section");
            return;
        }
        addr += r->am.base + (from == KEEL_MAP_ORIGINAL ? sec.orig_rva : sec.rva);
    }
    side a, b;
    describe(r, from, addr, true, &a);
    uint32_t rva;
    keel_map_addr o;
    int rc = rva_of(r, addr, &rva) ? keel_map_convert(&r->am.map, (keel_map_addr){(uint8_t)from, 0, rva}, to, &o)
                                   : KEEL_MAP_UNMAPPED;
    if (rc == KEEL_MAP_FOUND)
        describe(r, to, r->am.base + o.value, false, &b);
    if (r->json) {
        json_obj(&r->j);
        json_kstr(&r->j, "input", text);
        json_key(&r->j, from == KEEL_MAP_ORIGINAL ? "original" : "output");
        json_side(r, &a);
        json_key(&r->j, to == KEEL_MAP_ORIGINAL ? "original" : "output");
        if (rc == KEEL_MAP_FOUND)
            json_side(r, &b);
        else
            json_str(&r->j, keel_map_result_name(rc));
        json_end(&r->j);
        return;
    }
    print_text_side(r, &a, from == KEEL_MAP_OUTPUT);
    out_chr(&r->o, ' ');
    if (a.has_input)
        put_place(&r->o, &a.in, a.in_off);
    else
        out_chr(&r->o, '-');
    out_str(&r->o, " -> ");
    if (rc == KEEL_MAP_FOUND)
        print_text_side(r, &b, to == KEEL_MAP_OUTPUT);
    else
        out_str(&r->o, keel_map_result_name(rc));
    out_chr(&r->o, '\n');
}

/* ---------------------------------------------------------------- ranges */

void map_addrmap_ranges(map_run *r, uint64_t start, uint64_t end)
{
    uint64_t base = r->am.base, top = base + ((uint64_t)1 << 32);
    uint64_t s = start < base ? base : start > top ? top : start;
    uint64_t e = end < base ? base : end > top ? top : end;
    keel_omap_ranges it;
    keel_map_range p;
    if (r->json)
        json_arr(&r->j);
    keel_omap_ranges_begin(&it, r->to_output ? &r->am.map.to_output : &r->am.map.to_original, s - base, e - base);
    while (keel_omap_ranges_next(&it, &p))
        map_range_piece(r, base + p.src, base + p.src_end, base + p.dst, base + p.dst_end);
    if (r->json)
        json_end(&r->j);
}
