/* Symbol tables, SHT_SYMTAB_SHNDX, and GNU symbol versioning. */
#include "internal.h"

int keel_elf_symtab(const keel_elf *e, uint32_t index, keel_symtab *t, keel_error *err)
{
    keel_shdr sh;
    const uint8_t *p;
    uint64_t n, minent = keel_elf_is64(e) ? 24 : 16;
    int rc = keel_elf_shdr(e, index, &sh, err);
    if (rc)
        return rc;
    if (sh.type != KL_SHT_SYMTAB && sh.type != KL_SHT_DYNSYM)
        return keel_error_set(err, KEEL_E_LINK, sh.offset, "section %U at %X is not a symbol table (type %X)",
                              (uint64_t)index, sh.offset, (uint64_t)sh.type);
    if ((rc = keel_elf_section_data(e, &sh, &p, &n, err)))
        return rc;
    if (sh.entsize < minent)
        return keel_error_set(err, KEEL_E_FORMAT, sh.offset,
                              "symbol table (section %U) at %X: entry size %U is smaller than %U", (uint64_t)index,
                              sh.offset, sh.entsize, minent);
    *t = (keel_symtab){.elf = e,
                       .section = index,
                       .data = p,
                       .offset = sh.offset,
                       .count = n / sh.entsize,
                       .entsize = sh.entsize,
                       .first_global = sh.info};
    if (sh.link && ((rc = kl_check_link(e, index, sh.link, KL_SHT_STRTAB, KL_SHT_STRTAB, "a string table", err)) ||
                    (rc = keel_elf_strtab(e, sh.link, &t->strings, err))))
        return rc;
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr x;
        keel_elf_shdr(e, i, &x, NULL);
        if (x.type != KL_SHT_SYMTAB_SHNDX || x.link != index)
            continue;
        if ((rc = keel_elf_section_data(e, &x, &p, &n, err)))
            return rc;
        t->xindex = p;
        t->xindex_count = n / 4;
        break;
    }
    return 0;
}

int keel_symtab_get(const keel_symtab *t, uint64_t i, keel_sym *s, keel_error *err)
{
    const keel_elf *e = t->elf;
    bool be = kl_be(e);
    if (i >= t->count)
        return keel_error_set(err, KEEL_E_INDEX, t->offset,
                              "symbol table at %X: symbol %U is out of range (%U symbols)", t->offset, i, t->count);
    const uint8_t *p = t->data + i * t->entsize;
    s->name = kl_u32(p, be);
    if (keel_elf_is64(e)) {
        s->info = p[4];
        s->other = p[5];
        s->raw_shndx = kl_u16(p + 6, be);
        s->value = kl_u64(p + 8, be);
        s->size = kl_u64(p + 16, be);
    } else {
        s->value = kl_u32(p + 4, be);
        s->size = kl_u32(p + 8, be);
        s->info = p[12];
        s->other = p[13];
        s->raw_shndx = kl_u16(p + 14, be);
    }
    s->shndx = s->raw_shndx;
    if (s->raw_shndx == KL_SHN_XINDEX) {
        if (!t->xindex || i >= t->xindex_count)
            return keel_error_set(err, KEEL_E_INDEX, kl_off(e, p),
                                  "symbol %U at %X uses SHN_XINDEX but there is no SHT_SYMTAB_SHNDX entry for it", i,
                                  kl_off(e, p));
        s->shndx = kl_u32(t->xindex + 4 * i, be);
    }
    return 0;
}

int keel_symtab_name(const keel_symtab *t, const keel_sym *s, const char **out, keel_error *err)
{
    return keel_strtab_get(&t->strings, s->name, out, err);
}

/* ------------------------------------------------------------ versioning */

int keel_elf_versions(const keel_elf *e, uint32_t symtab, keel_versions *v, keel_error *err)
{
    *v = (keel_versions){.elf = e};
    uint32_t strtab = 0, strtab_from = 0;
    for (uint32_t i = 1; i < e->shnum; i++) {
        keel_shdr sh;
        const uint8_t *p;
        uint64_t n;
        int rc;
        keel_elf_shdr(e, i, &sh, NULL);
        if (sh.type != KL_SHT_GNU_VERSYM && sh.type != KL_SHT_GNU_VERDEF && sh.type != KL_SHT_GNU_VERNEED)
            continue;
        if ((rc = keel_elf_section_data(e, &sh, &p, &n, err)))
            return rc;
        if (sh.type == KL_SHT_GNU_VERSYM) {
            if (sh.link != symtab)
                continue;
            v->versym = p;
            v->versym_count = n / 2;
        } else if (sh.type == KL_SHT_GNU_VERDEF) {
            v->verdef = p;
            v->verdef_size = n;
            v->verdef_offset = sh.offset;
            v->verdef_num = sh.info;
            strtab = sh.link;
            strtab_from = i;
        } else {
            v->verneed = p;
            v->verneed_size = n;
            v->verneed_offset = sh.offset;
            v->verneed_num = sh.info;
            strtab = sh.link;
            strtab_from = i;
        }
    }
    if (!v->versym) {
        *v = (keel_versions){.elf = e};
        return 0;
    }
    if (strtab) {
        int rc = kl_check_link(e, strtab_from, strtab, KL_SHT_STRTAB, KL_SHT_STRTAB, "a string table", err);
        return rc ? rc : keel_elf_strtab(e, strtab, &v->strings, err);
    }
    return 0;
}

/* Verdef entry: vd_version 2, vd_flags 2, vd_ndx 2, vd_cnt 2, vd_hash 4,
 * vd_aux 4, vd_next 4.  Verdaux: vda_name 4, vda_next 4. */
static int find_verdef(const keel_versions *v, uint16_t ndx, uint32_t sym_name, keel_symver *out, bool hidden,
                       keel_error *err)
{
    bool be = kl_be(v->elf);
    uint64_t off = 0;
    for (uint32_t k = 0; k < v->verdef_num; k++) {
        if (!kl_in_bounds(off, 20, v->verdef_size))
            return keel_error_set(err, KEEL_E_RANGE, v->verdef_offset + off,
                                  "version definition at %X runs past its section", v->verdef_offset + off);
        const uint8_t *d = v->verdef + off;
        uint16_t vd_ndx = kl_u16(d + 4, be) & 0x7fff;
        uint32_t vd_aux = kl_u32(d + 12, be), vd_next = kl_u32(d + 16, be);
        if (vd_ndx == ndx) {
            uint64_t aux = off + vd_aux;
            if (aux < off || !kl_in_bounds(aux, 8, v->verdef_size))
                return keel_error_set(err, KEEL_E_RANGE, v->verdef_offset + off,
                                      "version definition at %X: auxiliary entry out of range", v->verdef_offset + off);
            uint32_t name = kl_u32(v->verdef + aux, be);
            if (name == sym_name) /* the version's own symbol: shown bare */
                return 1;
            int rc = keel_strtab_get(&v->strings, name, &out->name, err);
            if (rc)
                return rc;
            out->kind = hidden ? KEEL_VER_HIDDEN : KEEL_VER_DEFAULT;
            return 1;
        }
        if (vd_next == 0)
            break;
        off += vd_next;
    }
    return 0;
}

/* Verneed: vn_version 2, vn_cnt 2, vn_file 4, vn_aux 4, vn_next 4.
 * Vernaux: vna_hash 4, vna_flags 2, vna_other 2, vna_name 4, vna_next 4. */
static int find_verneed(const keel_versions *v, uint16_t versym, keel_symver *out, keel_error *err)
{
    bool be = kl_be(v->elf);
    uint64_t off = 0;
    for (uint32_t k = 0; k < v->verneed_num; k++) {
        if (!kl_in_bounds(off, 16, v->verneed_size))
            return keel_error_set(err, KEEL_E_RANGE, v->verneed_offset + off,
                                  "version requirement at %X runs past its section", v->verneed_offset + off);
        const uint8_t *n = v->verneed + off;
        uint16_t cnt = kl_u16(n + 2, be);
        uint32_t vn_aux = kl_u32(n + 8, be), vn_next = kl_u32(n + 12, be);
        uint64_t a = off + vn_aux;
        for (uint32_t j = 0; j < cnt; j++) {
            if (a < off || !kl_in_bounds(a, 16, v->verneed_size))
                return keel_error_set(err, KEEL_E_RANGE, v->verneed_offset + off,
                                      "version requirement at %X: auxiliary entry out of range",
                                      v->verneed_offset + off);
            const uint8_t *x = v->verneed + a;
            uint16_t other = kl_u16(x + 6, be);
            uint32_t name = kl_u32(x + 8, be), next = kl_u32(x + 12, be);
            if (other == versym) {
                int rc = keel_strtab_get(&v->strings, name, &out->name, err);
                if (rc)
                    return rc;
                out->kind = KEEL_VER_NEEDED;
                out->index = other;
                return 1;
            }
            if (next == 0)
                break;
            a += next;
        }
        if (vn_next == 0)
            break;
        off += vn_next;
    }
    return 0;
}

int keel_versions_get(const keel_versions *v, uint64_t i, const keel_sym *s, keel_symver *out, keel_error *err)
{
    *out = (keel_symver){0};
    if (!v->versym || i >= v->versym_count)
        return 0;
    uint16_t vs = kl_u16(v->versym + 2 * i, kl_be(v->elf));
    /* VER_NDX_LOCAL and VER_NDX_GLOBAL name no version (the verdef with
     * index 1 is the object's own base name, not a version). */
    if (vs <= 1)
        return 0;
    out->index = vs & 0x7fff;
    int rc;
    if (s->shndx != KL_SHN_UNDEF && vs != 0x8001 && v->verdef) {
        rc = find_verdef(v, vs & 0x7fff, s->name, out, vs & 0x8000, err);
        if (rc)
            return rc < 0 ? rc : 0;
    }
    if (v->verneed) {
        rc = find_verneed(v, vs, out, err);
        if (rc)
            return rc < 0 ? rc : 0;
    }
    out->kind = KEEL_VER_NONE;
    out->name = NULL;
    return 0;
}
