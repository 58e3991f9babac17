/* keel info: shared pieces of the text and JSON renderers. */
#ifndef KEEL_TOOLS_INFO_H
#define KEEL_TOOLS_INFO_H

#include <keel/elf.h>

#include "out.h"

enum info_part {
    PART_HEADER = 1 << 0,
    PART_SECTIONS = 1 << 1,
    PART_SEGMENTS = 1 << 2,
    PART_SYMBOLS = 1 << 3,
    PART_RELOCS = 1 << 4,
    PART_NOTES = 1 << 5,
    PART_DYNAMIC = 1 << 6,
    PART_GROUPS = 1 << 7,
    PART_ARCHIVE_INDEX = 1 << 8,
    PART_ARCHIVE_MEMBERS = 1 << 9,
    PART_ALL = (1 << 10) - 1,
};

/* Name of a symbol as binutils shows it: section symbols without a name
 * take their section's name. */
int info_symbol_name(const keel_elf *e, const keel_symtab *t, const keel_sym *s, const char **name, keel_error *err);

/* readelf's "Ndx" column: UND, ABS, COM, a number, or a reserved range. */
void info_symbol_ndx(const keel_elf *e, const keel_sym *s, char buf[24]);

/* Names with a numeric fallback in readelf's style. */
const char *info_section_type(const keel_elf *e, uint32_t type, char buf[32]);
const char *info_segment_type(const keel_elf *e, uint32_t type, char buf[32]);
const char *info_symbol_type(const keel_elf *e, uint8_t type, char buf[32]);
const char *info_symbol_bind(const keel_elf *e, uint8_t bind, char buf[32]);
const char *info_reloc_type(const keel_elf *e, uint32_t type, char buf[32]);
const char *info_dynamic_tag(const keel_elf *e, int64_t tag, char buf[32]);
void info_segment_flags(uint32_t flags, char buf[4]);

/* DF_1_PIE in the dynamic section: readelf calls such a DYN an executable. */
bool info_is_pie(const keel_elf *e);
/* Whether a dynamic tag's value is a string-table offset. */
bool info_dynamic_is_string(int64_t tag);

int info_text(out *o, const keel_elf *e, unsigned parts, keel_error *err);
struct json;
int info_json(struct json *j, const keel_elf *e, unsigned parts, keel_error *err);

#endif
