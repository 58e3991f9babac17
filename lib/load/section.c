/* Sections and objects as the API shows them: facts, edges, the checked
 * function view and Theseus's data copy. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *keel_section_name(const keel_section *s) { return s->name; }
int keel_section_type(const keel_section *s) { return s->type; }
bool keel_section_global(const keel_section *s) { return s->global; }
uintptr_t keel_section_addr(const keel_section *s) { return s->addr; }
uint64_t keel_section_size(const keel_section *s) { return s->size; }
const keel_object *keel_section_object(const keel_section *s) { return s->parent; }
const char *keel_object_name(const keel_object *o) { return o->name; }

/* Rust's legacy mangling ends a path with "::h" and 16 hex digits; C names
 * have none and stay whole. */
const char *keel_section_name_without_hash(const keel_section *s, char *buf, size_t size)
{
    const char *n = s->name, *h = strstr(n, "::h");
    const char *last = NULL;
    for (; h; h = strstr(h + 1, "::h"))
        last = h;
    size_t len = strlen(n);
    if (last && strlen(last) == 3 + 16 && strspn(last + 3, "0123456789abcdef") == 16)
        len = (size_t)(last - n);
    if (!size)
        return n;
    if (len >= size)
        len = size - 1;
    memcpy(buf, n, len);
    buf[len] = 0;
    return buf;
}

/* Errors name the object, the ELF section and the offset, as the loader's
 * others do ("gb.o:(.data+0x0): ..."). */
int keel_section_function(const keel_section *s, uint64_t offset, void **fn, keel_error *err)
{
    if (!s->executable || s->type != KEEL_SEC_TEXT)
        return keel_error_set(err, KEEL_E_FORMAT, offset, "%s:(%s+%X): section %s is not executable", s->parent->name,
                              s->elf_name, offset, s->name);
    if (offset >= s->size)
        return keel_error_set(err, KEEL_E_RANGE, offset, "%s:(%s+%X): offset %X is outside section %s (%U bytes)",
                              s->parent->name, s->elf_name, offset, offset, s->name, (uint64_t)s->size);
    *fn = (void *)(s->addr + offset);
    return 0;
}

int keel_section_copy_data(const keel_section *from, const keel_section *to, keel_error *err)
{
    if (from->parent == to->parent)
        return keel_error_set(err, KEEL_E_FORMAT, 0, "%s: sections %s and %s belong to the same object",
                              to->parent->name, from->name, to->name);
    if (from->size != to->size)
        return keel_error_set(err, KEEL_E_RANGE, 0, "%s:(%s) and %s:(%s): sections differ in size (%U and %U bytes)",
                              from->parent->name, from->elf_name, to->parent->name, to->elf_name, from->size, to->size);
    if (!to->writable)
        return keel_error_set(err, KEEL_E_FORMAT, 0, "%s:(%s): section %s is not writable", to->parent->name,
                              to->elf_name, to->name);
    memmove((void *)to->addr, (const void *)from->addr, from->size);
    return 0;
}

size_t keel_object_sections(const keel_object *o, const keel_section *const **sections)
{
    *sections = (const keel_section *const *)o->list; /* built at load */
    return o->nsections;
}

/* Made by the load (reloc.c), fixed from its commit on. */
size_t keel_object_slots(const keel_object *o, const keel_slot **slots)
{
    *slots = o->slots;
    return o->nslots;
}
