/* Note sections and segments. */
#include "internal.h"

static int notes_begin(const keel_elf *e, uint64_t off, uint64_t size, uint64_t align, keel_note_iter *it,
                       keel_error *err)
{
    if (!kl_in_bounds(off, size, e->size))
        return keel_error_set(err, KEEL_E_RANGE, off, "notes at %X: size %U extend past the end of the file", off,
                              size);
    *it = (keel_note_iter){.elf = e,
                           .data = e->data + off,
                           .size = size,
                           .base_offset = off,
                           .align = align == 8 ? 8 : 4};
    return 0;
}

int keel_elf_notes_section(const keel_elf *e, const keel_shdr *sh, keel_note_iter *it, keel_error *err)
{
    uint64_t size = sh->type == KL_SHT_NOBITS ? 0 : sh->size;
    return notes_begin(e, sh->offset, size, sh->addralign, it, err);
}

int keel_elf_notes_segment(const keel_elf *e, const keel_phdr *ph, keel_note_iter *it, keel_error *err)
{
    return notes_begin(e, ph->offset, ph->filesz, ph->align, it, err);
}

int keel_note_next(keel_note_iter *it, keel_note *n, keel_error *err)
{
    bool be = kl_be(it->elf);
    uint64_t a = it->align;
    if (it->pos >= it->size)
        return 0;
    uint64_t at = it->base_offset + it->pos;
    if (it->size - it->pos < 12)
        return keel_error_set(err, KEEL_E_TRUNCATED, at, "note at %X: %U bytes left, a note header needs 12", at,
                              it->size - it->pos);
    const uint8_t *p = it->data + it->pos;
    uint64_t namesz = kl_u32(p, be), descsz = kl_u32(p + 4, be);
    uint64_t name_at = it->pos + 12;
    /* Padding aligns positions within the note area, so an 8-byte note
     * with a 4-byte name has its descriptor at 16, not at 12 + 8. */
    uint64_t desc_at = (name_at + namesz + a - 1) & ~(a - 1);
    uint64_t end = (desc_at + descsz + a - 1) & ~(a - 1);
    if (!kl_in_bounds(name_at, namesz, it->size) || !kl_in_bounds(desc_at, descsz, it->size))
        return keel_error_set(err, KEEL_E_TRUNCATED, at,
                              "note at %X: name size %U and descriptor size %U run past the notes' end", at, namesz,
                              descsz);
    n->offset = at;
    n->namesz = (uint32_t)namesz;
    n->descsz = (uint32_t)descsz;
    n->type = kl_u32(p + 8, be);
    n->name = namesz ? (const char *)it->data + name_at : "";
    if (namesz && n->name[namesz - 1] != 0)
        return keel_error_set(err, KEEL_E_FORMAT, at, "note at %X: name is not NUL-terminated", at);
    n->desc = it->data + desc_at;
    /* The last note's descriptor padding may be missing. */
    it->pos = end < it->size ? end : it->size;
    return 1;
}
