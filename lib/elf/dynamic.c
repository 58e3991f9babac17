/* The dynamic section. */
#include "internal.h"

/* Map a virtual address to a file offset through the PT_LOAD segments. */
static bool vaddr_to_offset(const keel_elf *e, uint64_t va, uint64_t *off)
{
    for (uint32_t i = 0; i < e->phnum; i++) {
        keel_phdr ph;
        keel_elf_phdr(e, i, &ph, NULL);
        if (ph.type == KL_PT_LOAD && va >= ph.vaddr && va - ph.vaddr < ph.filesz) {
            *off = ph.offset + (va - ph.vaddr);
            return true;
        }
    }
    return false;
}

int keel_elf_dynamic(const keel_elf *e, keel_dynamic *d, keel_error *err)
{
    bool is64 = keel_elf_is64(e), be = kl_be(e);
    uint64_t ent = is64 ? 16 : 8, off = 0, size = 0;
    uint32_t link = 0, dynsec = 0;
    int rc;
    *d = (keel_dynamic){.elf = e};
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        keel_elf_shdr(e, i, &sh, NULL);
        if (sh.type == KL_SHT_DYNAMIC) {
            off = sh.offset;
            size = sh.size;
            link = sh.link;
            dynsec = i;
            if (sh.entsize > ent)
                ent = sh.entsize;
            goto found;
        }
    }
    for (uint32_t i = 0; i < e->phnum; i++) {
        keel_phdr ph;
        keel_elf_phdr(e, i, &ph, NULL);
        if (ph.type == KL_PT_DYNAMIC) {
            off = ph.offset;
            size = ph.filesz;
            goto found;
        }
    }
    return 0;
found:
    if (!kl_in_bounds(off, size, e->size))
        return keel_error_set(err, KEEL_E_RANGE, off, "dynamic section at %X: size %U extends past the end of the file",
                              off, size);
    d->data = e->data + off;
    d->offset = off;
    d->entsize = ent;
    d->count = size / ent;
    for (uint64_t i = 0; i < d->count; i++)
        if (kl_word(d->data + i * ent, is64, be) == 0) {
            d->count = i + 1;
            break;
        }
    if (link) {
        if ((rc = kl_check_link(e, dynsec, link, KL_SHT_STRTAB, KL_SHT_STRTAB, "a string table", err)) ||
            (rc = keel_elf_strtab(e, link, &d->strings, err)))
            return rc;
        return 0;
    }
    /* No section headers: find the strings through DT_STRTAB/DT_STRSZ. */
    uint64_t strtab = 0, strsz = 0, soff;
    bool have = false;
    for (uint64_t i = 0; i < d->count; i++) {
        keel_dyn x;
        keel_dynamic_get(d, i, &x);
        if (x.tag == 5)
            strtab = x.val, have = true;
        else if (x.tag == 10)
            strsz = x.val;
    }
    if (have && vaddr_to_offset(e, strtab, &soff) && kl_in_bounds(soff, strsz, e->size)) {
        d->strings.data = (const char *)e->data + soff;
        d->strings.size = strsz;
        d->strings.offset = soff;
        d->strings.terminated = strsz > 0 && d->strings.data[strsz - 1] == 0;
    }
    return 0;
}

void keel_dynamic_get(const keel_dynamic *d, uint64_t i, keel_dyn *out)
{
    bool is64 = keel_elf_is64(d->elf), be = kl_be(d->elf);
    const uint8_t *p = d->data + i * d->entsize;
    uint64_t w = is64 ? 8 : 4;
    uint64_t tag = kl_word(p, is64, be);
    out->tag = is64 ? (int64_t)tag : (int64_t)(int32_t)tag;
    out->val = kl_word(p + w, is64, be);
}
