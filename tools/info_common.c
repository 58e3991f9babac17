#include <stdio.h>

#include "info.h"

int info_symbol_name(const keel_elf *e, const keel_symtab *t, const keel_sym *s, const char **name, keel_error *err)
{
    if (KEEL_ST_TYPE(s->info) == 3 /* STT_SECTION */ && s->name == 0 && s->shndx < e->shnum && s->raw_shndx != 0) {
        keel_shdr sh;
        keel_elf_shdr(e, s->shndx, &sh, NULL);
        return keel_elf_section_name(e, &sh, name, err);
    }
    return keel_symtab_name(t, s, name, err);
}

void info_symbol_ndx(const keel_elf *e, const keel_sym *s, char buf[24])
{
    uint16_t r = s->raw_shndx;
    if (r == 0)
        snprintf(buf, 24, "UND");
    else if (r == 0xfff1)
        snprintf(buf, 24, "ABS");
    else if (r == 0xfff2)
        snprintf(buf, 24, "COM");
    else if (r == 0xff02 && e->machine == 62)
        snprintf(buf, 24, "LARGE_COM");
    else if (r == 0xffff)
        snprintf(buf, 24, "%u", s->shndx);
    else if (r >= 0xff00 && r <= 0xff1f)
        snprintf(buf, 24, "PRC[0x%04x]", r);
    else if (r >= 0xff20 && r <= 0xff3f)
        snprintf(buf, 24, "OS [0x%04x]", r);
    else if (r >= 0xff00)
        snprintf(buf, 24, "RSV[0x%04x]", r);
    else
        snprintf(buf, 24, "%u", r);
}

const char *info_section_type(const keel_elf *e, uint32_t t, char buf[32])
{
    const char *n = keel_section_type_name(t, e->machine);
    if (n)
        return n;
    if (t >= 0x70000000 && t <= 0x7fffffff)
        snprintf(buf, 32, "loproc+0x%x", t - 0x70000000);
    else if (t >= 0x60000000 && t <= 0x6fffffff)
        snprintf(buf, 32, "loos+0x%x", t - 0x60000000);
    else if (t >= 0x80000000)
        snprintf(buf, 32, "louser+0x%x", t - 0x80000000);
    else
        snprintf(buf, 32, "0x%08x", t);
    return buf;
}

const char *info_segment_type(const keel_elf *e, uint32_t t, char buf[32])
{
    const char *n = keel_segment_type_name(t, e->machine);
    if (n)
        return n;
    if (t >= 0x70000000 && t <= 0x7fffffff)
        snprintf(buf, 32, "LOPROC+0x%x", t - 0x70000000);
    else if (t >= 0x60000000 && t <= 0x6fffffff)
        snprintf(buf, 32, "LOOS+0x%x", t - 0x60000000);
    else
        snprintf(buf, 32, "<unknown>: %x", t);
    return buf;
}

const char *info_symbol_type(const keel_elf *e, uint8_t t, char buf[32])
{
    const char *n = keel_symbol_type_name(t, e->osabi, e->machine);
    if (n)
        return n;
    if (t >= 13)
        snprintf(buf, 32, "<processor specific>: %u", t);
    else if (t >= 10)
        snprintf(buf, 32, "<OS specific>: %u", t);
    else
        snprintf(buf, 32, "<unknown>: %u", t);
    return buf;
}

const char *info_symbol_bind(const keel_elf *e, uint8_t b, char buf[32])
{
    const char *n = keel_symbol_bind_name(b, e->osabi);
    if (n)
        return n;
    if (b >= 13)
        snprintf(buf, 32, "<processor specific>: %u", b);
    else if (b >= 10)
        snprintf(buf, 32, "<OS specific>: %u", b);
    else
        snprintf(buf, 32, "<unknown>: %u", b);
    return buf;
}

const char *info_reloc_type(const keel_elf *e, uint32_t t, char buf[32])
{
    const char *n = keel_reloc_type_name(e->machine, t);
    if (n)
        return n;
    snprintf(buf, 32, "unrecognized: %x", t);
    return buf;
}

const char *info_dynamic_tag(const keel_elf *e, int64_t tag, char buf[32])
{
    const char *n = keel_dynamic_tag_name(tag, e->machine);
    if (n)
        return n;
    snprintf(buf, 32, "0x%llx", (unsigned long long)tag);
    return buf;
}

void info_segment_flags(uint32_t f, char buf[4])
{
    buf[0] = f & 4 ? 'R' : ' ';
    buf[1] = f & 2 ? 'W' : ' ';
    buf[2] = f & 1 ? 'E' : ' ';
    buf[3] = 0;
}

bool info_is_pie(const keel_elf *e)
{
    keel_dynamic d;
    if (e->type != 3 || keel_elf_dynamic(e, &d, NULL) != 0)
        return false;
    for (uint64_t i = 0; i < d.count; i++) {
        keel_dyn x;
        keel_dynamic_get(&d, i, &x);
        if (x.tag == 0x6ffffffb && (x.val & 0x08000000))
            return true;
    }
    return false;
}

bool info_dynamic_is_string(int64_t tag)
{
    return tag == 1 || tag == 14 || tag == 15 || tag == 29 || tag == 0x7ffffffd || tag == 0x7fffffff ||
           tag == 0x6ffffefa || tag == 0x6ffffefb || tag == 0x6ffffefc;
}
