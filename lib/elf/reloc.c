/* REL, RELA and RELR relocation sections. */
#include "internal.h"

int keel_elf_relocs(const keel_elf *e, uint32_t index, keel_relocs *r, keel_error *err)
{
    keel_shdr sh;
    const uint8_t *p;
    uint64_t n;
    bool is64 = keel_elf_is64(e);
    int rc = keel_elf_shdr(e, index, &sh, err);
    if (rc)
        return rc;
    uint64_t minent;
    switch (sh.type) {
    case KL_SHT_REL: minent = is64 ? 16 : 8; break;
    case KL_SHT_RELA: minent = is64 ? 24 : 12; break;
    case KL_SHT_RELR: minent = is64 ? 8 : 4; break;
    default:
        return keel_error_set(err, KEEL_E_FORMAT, sh.offset, "section %U at %X is not a relocation section (type %X)",
                              (uint64_t)index, sh.offset, (uint64_t)sh.type);
    }
    if ((rc = keel_elf_section_data(e, &sh, &p, &n, err)))
        return rc;
    uint64_t ent = sh.entsize ? sh.entsize : minent;
    if (ent < minent)
        return keel_error_set(err, KEEL_E_FORMAT, sh.offset,
                              "relocation section %U at %X: entry size %U is smaller than %U", (uint64_t)index,
                              sh.offset, ent, minent);
    /* The symbol table must really be one; this also breaks sh_link cycles
     * (a relocation section naming itself or another one). */
    if (sh.type != KL_SHT_RELR && sh.link &&
        (rc = kl_check_link(e, index, sh.link, KL_SHT_SYMTAB, KL_SHT_DYNSYM, "a symbol table", err)))
        return rc;
    *r = (keel_relocs){.elf = e,
                       .section = index,
                       .kind = sh.type,
                       .data = p,
                       .offset = sh.offset,
                       .count = n / ent,
                       .entsize = ent,
                       .symtab = sh.link,
                       .target = sh.info};
    return 0;
}

void keel_relocs_get(const keel_relocs *r, uint64_t i, keel_rel *out)
{
    const keel_elf *e = r->elf;
    bool be = kl_be(e), is64 = keel_elf_is64(e);
    const uint8_t *p = r->data + i * r->entsize;
    if (is64) {
        out->offset = kl_u64(p, be);
        out->info = kl_u64(p + 8, be);
        out->addend = r->kind == KL_SHT_RELA ? (int64_t)kl_u64(p + 16, be) : 0;
        out->sym = (uint32_t)(out->info >> 32);
        out->type = (uint32_t)out->info;
    } else {
        out->offset = kl_u32(p, be);
        out->info = kl_u32(p + 4, be);
        out->addend = r->kind == KL_SHT_RELA ? (int64_t)(int32_t)kl_u32(p + 8, be) : 0;
        out->sym = (uint32_t)(out->info >> 8);
        out->type = (uint32_t)(out->info & 0xff);
    }
}

uint64_t keel_relr_word(const keel_relocs *r, uint64_t i)
{
    return kl_word(r->data + i * r->entsize, keel_elf_is64(r->elf), kl_be(r->elf));
}

void keel_relr_begin(keel_relr_iter *it, const keel_relocs *r) { *it = (keel_relr_iter){.r = r}; }

/* RELR: an even word is an address to relocate; an odd word is a bitmap
 * whose bit k (k >= 1) relocates base + (k-1) words. */
int keel_relr_next(keel_relr_iter *it, uint64_t *addr, keel_error *err)
{
    uint64_t wsize = keel_elf_is64(it->r->elf) ? 8 : 4, bits = wsize * 8 - 1;
    for (;;) {
        while (it->bitmap) {
            unsigned k = (unsigned)__builtin_ctzll(it->bitmap);
            it->bitmap &= it->bitmap - 1;
            *addr = it->bitbase + (uint64_t)(k - 1) * wsize;
            return 1;
        }
        if (it->word >= it->r->count)
            return 0;
        uint64_t w = keel_relr_word(it->r, it->word++);
        if ((w & 1) == 0) {
            *addr = w;
            it->base = w + wsize;
            it->started = true;
            return 1;
        }
        if (!it->started)
            return keel_error_set(err, KEEL_E_FORMAT, it->r->offset + (it->word - 1) * wsize,
                                  "RELR section at %X: bitmap word %U comes before any address", it->r->offset,
                                  it->word - 1);
        it->bitmap = w & ~(uint64_t)1;
        it->bitbase = it->base;
        it->base += bits * wsize;
    }
}
