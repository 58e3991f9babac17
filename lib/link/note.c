/* .note.gnu.property: the inputs' program properties merged into one
 * note, as the psABIs and GNU ld merge them (elf-properties.c; the
 * processor-specific ranges are the target's, lib/arch: x86-64's from
 * elfxx-x86.c), and described by PT_GNU_PROPERTY:
 *   - the AND ranges (GNU_PROPERTY_X86_FEATURE_1_AND: IBT, SHSTK): the
 *     bits every input has; an input without the property clears it;
 *   - the OR ranges (GNU_PROPERTY_X86_ISA_1_NEEDED): the bits any input
 *     has;
 *   - the OR-and-AND ranges (GNU_PROPERTY_X86_FEATURE_2_USED): the bits
 *     any input has, and only if every input has the property;
 *   - GNU_PROPERTY_STACK_SIZE: the largest any input asks for (inputs
 *     without it change nothing); GNU_PROPERTY_NO_COPY_ON_PROTECTED: kept
 *     if any input has it (elf-properties.c, elf_merge_gnu_properties).
 * A bit property with no bits left is dropped, and so is one of a
 * processor-specific kind keel does not know (ld.bfd's x86 backend
 * ignores those); a generic type it does not know gets ld.bfd's warning
 * "unsupported GNU_PROPERTY_TYPE".  With nothing left there is no note.  The input notes are not copied. */
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"
#include "../arch/arch.h"

enum { NT_GNU_PROPERTY_TYPE_0 = 5 };

enum merge { MERGE_NONE, MERGE_AND, MERGE_OR, MERGE_OR_AND, MERGE_MAX, MERGE_ANY };

static enum merge merge_of(const ka_arch *arch, uint32_t type)
{
    if (type == 1) /* GNU_PROPERTY_STACK_SIZE: an 8-byte number */
        return MERGE_MAX;
    if (type == 2) /* GNU_PROPERTY_NO_COPY_ON_PROTECTED: no data */
        return MERGE_ANY;
    if (type >= 0xb0000000u && type <= 0xb0007fffu) /* GNU_PROPERTY_UINT32_AND_LO..HI */
        return MERGE_AND;
    if (type >= 0xb0008000u && type <= 0xb000ffffu) /* GNU_PROPERTY_UINT32_OR_LO..HI */
        return MERGE_OR;
    if (type >= 0xc0000000u && type <= 0xdfffffffu && arch->property_merge) /* GNU_PROPERTY_LOPROC..HIPROC */
        switch (arch->property_merge(type)) {
        case KA_PROP_AND: return MERGE_AND;
        case KA_PROP_OR: return MERGE_OR;
        case KA_PROP_OR_AND: return MERGE_OR_AND;
        default: return MERGE_NONE;
        }
    return MERGE_NONE;
}

bool lk_is_property_note(const char *name, const keel_shdr *sh)
{
    return sh->type == SHT_NOTE && strcmp(name, ".note.gnu.property") == 0;
}

static uint32_t get32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return v;
}

/* One input's properties (up to a fixed few: each type once). */
typedef struct props {
    const ka_arch *arch; /* the processor-specific properties' meaning */
    uint32_t type[LK_MAX_PROPS];
    uint64_t value[LK_MAX_PROPS];
    size_t n;
} props;

/* the size of a property's data by its kind */
static uint32_t size_of(enum merge m) { return m == MERGE_MAX ? 8 : m == MERGE_ANY ? 0 : 4; }

static uint64_t get64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static bool add_prop(props *p, uint32_t type, uint64_t value)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->type[i] == type) { /* twice in one object (two sections): as one */
            enum merge m = merge_of(p->arch, type);
            p->value[i] = m == MERGE_AND   ? p->value[i] & value
                          : m == MERGE_MAX ? (value > p->value[i] ? value : p->value[i])
                                           : p->value[i] | value;
            return true;
        }
    if (p->n == LK_MAX_PROPS)
        return false;
    p->type[p->n] = type;
    p->value[p->n++] = value;
    return true;
}

/* The properties of one .note.gnu.property section: notes, each
 * namesz 4 "GNU", type NT_GNU_PROPERTY_TYPE_0, its descriptor a list of
 * (type, size, data padded to 8).  A malformed one: false, and why, at
 * *bad (its offset). */
static bool parse(const lk_link *l, const lk_file *f, const uint8_t *d, uint64_t size, props *p, const char **why,
                  uint64_t *bad)
{
    uint64_t at = 0;
    while (at < size) {
        *bad = at;
        if (size - at < 16)
            return *why = "a note cut short", false;
        uint32_t namesz = get32(d + at), descsz = get32(d + at + 4), type = get32(d + at + 8);
        uint64_t desc = at + 16;
        if (namesz != 4 || memcmp(d + at + 12, "GNU", 4) != 0 || type != NT_GNU_PROPERTY_TYPE_0)
            return *why = "not a GNU property note", false;
        if (descsz > size - desc || descsz % 8)
            return *why = "its size runs past the section, or is not a multiple of 8", false;
        for (uint64_t q = desc; q < desc + descsz;) {
            *bad = q;
            uint32_t ptype = get32(d + q), psize = get32(d + q + 4);
            uint64_t padded = (psize + 7ull) & ~7ull;
            if (padded > desc + descsz - q - 8)
                return *why = "a property runs past its note", false;
            enum merge m = merge_of(p->arch, ptype);
            if (m != MERGE_NONE && psize != size_of(m))
                return *why = "a property's size is not that of its type", false;
            if (m != MERGE_NONE && !add_prop(p, ptype,
                                             m == MERGE_MAX   ? get64(d + q + 8)
                                             : m == MERGE_ANY ? 0
                                                              : get32(d + q + 8)))
                return *why = "too many properties", false;
            if (m == MERGE_NONE && (ptype < 0xc0000000u || ptype > 0xdfffffffu)) /* not GNU_PROPERTY_LOPROC..HIPROC */
                lk_diag(l, KEEL_DIAG_WARNING, "warning: %s: unsupported GNU_PROPERTY_TYPE (%u) type: 0x%x", f->name,
                        NT_GNU_PROPERTY_TYPE_0, ptype);
            q += 8 + padded;
        }
        at = desc + descsz;
    }
    return true;
}

int lk_merge_properties(lk_link *l, size_t *note_size)
{
    /* every type any input has, with its AND, its OR and how many inputs have it */
    uint32_t type[LK_MAX_PROPS];
    uint64_t and_v[LK_MAX_PROPS], or_v[LK_MAX_PROPS], max_v[LK_MAX_PROPS];
    size_t have[LK_MAX_PROPS], n = 0;
    *note_size = 0;
    l->nprops = 0;
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        props p = {.arch = l->arch, .n = 0};
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh = {.type = f->sections[i].type}; /* (the table as read once: the full header for a note) */
            const char *name = f->sections[i].name;
            const uint8_t *data;
            uint64_t size;
            if (!name || !lk_is_property_note(name, &sh) || f->dropped[i] || keel_elf_shdr(&f->elf, i, &sh, NULL))
                continue;
            if (keel_elf_section_data(&f->elf, &sh, &data, &size, NULL) || size < sh.size)
                return lk_fail(l, KEEL_E_TRUNCATED, "%s: section %u (%s) is cut short", f->name, i, name);
            const char *why;
            uint64_t bad;
            if (!parse(l, f, data, sh.size, &p, &why, &bad)) {
                /* as if the object had no properties: it claims nothing */
                lk_diag(l, KEEL_DIAG_WARNING, "%s:(%s+0x%llx): warning: %s; the object's properties are ignored",
                        f->name, name, (unsigned long long)bad, why);
                p.n = 0;
                break;
            }
        }
        for (size_t k = 0; k < p.n; k++) {
            size_t j = 0;
            while (j < n && type[j] != p.type[k])
                j++;
            if (j == n) {
                if (n == LK_MAX_PROPS)
                    return lk_fail(l, KEEL_E_FORMAT, "%s: more than %d GNU property types in the link", f->name,
                                   LK_MAX_PROPS);
                type[n] = p.type[k], and_v[n] = UINT64_MAX, or_v[n] = 0, max_v[n] = 0, have[n] = 0;
                n++;
            }
            and_v[j] &= p.value[k];
            or_v[j] |= p.value[k];
            if (p.value[k] > max_v[j])
                max_v[j] = p.value[k];
            have[j]++;
        }
    }
    for (size_t j = 0; j < n; j++) {
        enum merge m = merge_of(l->arch, type[j]);
        bool all = have[j] == l->nfiles;
        uint64_t v = m == MERGE_AND ? (all ? and_v[j] : 0) : m == MERGE_OR ? or_v[j] : all ? or_v[j] : 0;
        if (m == MERGE_MAX || m == MERGE_ANY) /* any input that has it keeps it */
            v = max_v[j];
        else if (!v)
            continue;
        /* in ascending type order, as readers expect them */
        size_t at = l->nprops;
        while (at > 0 && l->props[at - 1].type > type[j]) {
            l->props[at] = l->props[at - 1];
            at--;
        }
        l->props[at].type = type[j];
        l->props[at].size = size_of(m);
        l->props[at].value = v;
        l->nprops++;
    }
    lk_capability_props(l); /* a mapfile's CAPABILITY: the ISA level needed */
    uint64_t descsz = 0;
    for (size_t j = 0; j < l->nprops; j++)
        descsz += 8 + ((l->props[j].size + 7u) & ~7u);
    *note_size = l->nprops ? 16 + descsz : 0;
    return 0;
}

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }

void lk_fill_properties(const lk_link *l, uint8_t *buf)
{
    uint8_t *p = buf + l->property->offset;
    put32(p, 4);
    put32(p + 8, NT_GNU_PROPERTY_TYPE_0);
    memcpy(p + 12, "GNU", 4);
    uint8_t *q = p + 16;
    for (size_t i = 0; i < l->nprops; i++) { /* type, size, the data padded to 8 */
        memset(q, 0, 8 + ((l->props[i].size + 7u) & ~7u));
        put32(q, l->props[i].type);
        put32(q + 4, l->props[i].size);
        if (l->props[i].size == 8)
            memcpy(q + 8, &l->props[i].value, 8);
        else if (l->props[i].size == 4)
            put32(q + 8, (uint32_t)l->props[i].value);
        q += 8 + ((l->props[i].size + 7u) & ~7u);
    }
    put32(p + 4, (uint32_t)(q - p - 16));
}
