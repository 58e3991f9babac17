/* The ELF file header and the placement of the two header tables. */
#include "internal.h"

static const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'};

bool keel_is_elf(const void *data, size_t size) { return size >= 4 && kl_memeq(data, elf_magic, 4); }

static int read_header(keel_elf *e, keel_error *err)
{
    const uint8_t *p = e->data;
    bool be, is64;

    if (e->size < 4 || !kl_memeq(p, elf_magic, 4))
        return keel_error_set(err, KEEL_E_NOT_ELF, 0, "not an ELF file (bad magic at offset 0x0)");
    if (e->size < 16)
        return keel_error_set(err, KEEL_E_TRUNCATED, 0, "ELF header at 0x0: file is %U bytes, e_ident alone needs 16",
                              e->size);
    e->elfclass = p[4];
    e->byteorder = p[5];
    e->ident_version = p[6];
    e->osabi = p[7];
    e->abiversion = p[8];
    if (e->elfclass != 1 && e->elfclass != 2)
        return keel_error_set(err, KEEL_E_UNSUPPORTED, 4, "ELF header: unknown class %U at offset 0x4",
                              (uint64_t)e->elfclass);
    if (e->byteorder != 1 && e->byteorder != 2)
        return keel_error_set(err, KEEL_E_UNSUPPORTED, 5, "ELF header: unknown byte order %U at offset 0x5",
                              (uint64_t)e->byteorder);
    be = kl_be(e);
    is64 = keel_elf_is64(e);
    uint64_t need = is64 ? 64 : 52;
    if (e->size < need)
        return keel_error_set(err, KEEL_E_TRUNCATED, 0,
                              "ELF header at 0x0: file is %U bytes, the ELF%s header needs %U", e->size,
                              is64 ? "64" : "32", need);
    e->type = kl_u16(p + 16, be);
    e->machine = kl_u16(p + 18, be);
    e->version = kl_u32(p + 20, be);
    const uint8_t *q = p + 24;
    e->entry = kl_word(q, is64, be), q += is64 ? 8 : 4;
    e->phoff = kl_word(q, is64, be), q += is64 ? 8 : 4;
    e->shoff = kl_word(q, is64, be), q += is64 ? 8 : 4;
    e->flags = kl_u32(q, be), q += 4;
    e->ehsize = kl_u16(q, be);
    e->phentsize = kl_u16(q + 2, be);
    e->e_phnum = kl_u16(q + 4, be);
    e->shentsize = kl_u16(q + 6, be);
    e->e_shnum = kl_u16(q + 8, be);
    e->e_shstrndx = kl_u16(q + 10, be);
    return 0;
}

/* File offset of e_shnum (e_phnum is 4 bytes before, e_shstrndx 2 after). */
static uint64_t shnum_at(const keel_elf *e) { return keel_elf_is64(e) ? 60 : 48; }

/* Check that a table of `num` entries of `entsize` bytes at `off` lies
 * inside the file and does not overlap the ELF header. */
static int check_table(const keel_elf *e, const char *what, uint64_t off, uint64_t num, uint64_t entsize,
                       uint64_t minsize, keel_error *err)
{
    uint64_t bytes;
    if (num == 0)
        return 0;
    if (entsize < minsize)
        return keel_error_set(err, KEEL_E_FORMAT, off, "%s at %X: entry size %U is smaller than %U", what, off, entsize,
                              minsize);
    if (kl_mul_overflows(num, entsize, &bytes) || !kl_in_bounds(off, bytes, e->size))
        return keel_error_set(err, KEEL_E_TRUNCATED, off,
                              "%s at %X (%U x %U bytes) extends past the end of the file (%X)", what, off, num, entsize,
                              e->size);
    if (off < (keel_elf_is64(e) ? 64u : 52u))
        return keel_error_set(err, KEEL_E_RANGE, off, "%s at %X overlaps the ELF header", what, off);
    return 0;
}

int keel_elf_parse_header(keel_elf *e, const void *header, size_t size, keel_error *err)
{
    *e = (keel_elf){.data = header, .size = size, .shstrtab = ""};
    int rc = read_header(e, err);
    e->shnum = e->e_shnum;
    e->phnum = e->e_phnum;
    e->shstrndx = e->e_shstrndx;
    return rc;
}

int keel_elf_open(keel_elf *e, const void *data, size_t size, keel_error *err)
{
    *e = (keel_elf){.data = data, .size = size, .shstrtab = ""};
    int rc = read_header(e, err);
    if (rc)
        return rc;
    bool is64 = keel_elf_is64(e);
    uint64_t shmin = is64 ? 64 : 40, phmin = is64 ? 56 : 32;

    e->shnum = e->e_shnum;
    e->phnum = e->e_phnum;
    e->shstrndx = e->e_shstrndx;
    if (e->shoff == 0) {
        if (e->e_shnum != 0)
            return keel_error_set(err, KEEL_E_FORMAT, shnum_at(e), "ELF header: e_shnum (at %X) is %U but e_shoff is 0",
                                  shnum_at(e), (uint64_t)e->e_shnum);
        e->shnum = 0;
        e->shstrndx = 0;
    } else {
        /* Section header 0 carries the real counts when they overflow the
         * 16-bit header fields (extended numbering). */
        keel_shdr sh0;
        if ((rc = check_table(e, "section header table", e->shoff, 1, e->shentsize, shmin, err)))
            return rc;
        e->shnum = 1;
        keel_elf_shdr(e, 0, &sh0, err);
        if (e->e_shnum == 0) {
            if (sh0.size > 0xffffffffu)
                return keel_error_set(err, KEEL_E_RANGE, e->shoff,
                                      "section header 0 at %X: extended section count %U is too large", e->shoff,
                                      sh0.size);
            e->shnum = (uint32_t)sh0.size;
        } else {
            e->shnum = e->e_shnum;
        }
        if (e->e_shstrndx == KL_SHN_XINDEX)
            e->shstrndx = sh0.link;
        if (e->e_phnum == KL_PN_XNUM)
            e->phnum = sh0.info;
        if ((rc = check_table(e, "section header table", e->shoff, e->shnum, e->shentsize, shmin, err)))
            return rc;
    }
    if (e->phnum && e->phoff == 0)
        return keel_error_set(err, KEEL_E_FORMAT, shnum_at(e) - 4, "ELF header: e_phnum (at %X) is %U but e_phoff is 0",
                              shnum_at(e) - 4, (uint64_t)e->phnum);
    if ((rc = check_table(e, "program header table", e->phoff, e->phnum, e->phentsize, phmin, err)))
        return rc;
    if (e->phnum && e->shnum) {
        uint64_t pe = e->phoff + (uint64_t)e->phnum * e->phentsize;
        uint64_t se = e->shoff + (uint64_t)e->shnum * e->shentsize;
        if (e->phoff < se && e->shoff < pe)
            return keel_error_set(err, KEEL_E_RANGE, e->shoff,
                                  "section header table at %X overlaps the program header table at %X", e->shoff,
                                  e->phoff);
    }
    if (e->shstrndx != 0) {
        keel_shdr sh;
        const uint8_t *p;
        uint64_t n;
        if (e->shstrndx >= e->shnum) {
            /* the index lives in e_shstrndx, or in section header 0's
             * sh_link under extended numbering */
            uint64_t at = e->e_shstrndx == KL_SHN_XINDEX ? e->shoff + 40 - (keel_elf_is64(e) ? 0 : 16)
                                                         : shnum_at(e) + 2;
            return keel_error_set(err, KEEL_E_INDEX, at,
                                  "section name table index %U (at %X) is not below the section count %U",
                                  (uint64_t)e->shstrndx, at, (uint64_t)e->shnum);
        }
        keel_elf_shdr(e, e->shstrndx, &sh, err);
        if ((rc = keel_elf_section_data(e, &sh, &p, &n, err)))
            return rc;
        e->shstrtab = n ? (const char *)p : "";
        e->shstrtab_size = n;
    }
    return 0;
}

int keel_elf_shdr(const keel_elf *e, uint32_t i, keel_shdr *s, keel_error *err)
{
    if (i >= e->shnum)
        return keel_error_set(err, KEEL_E_INDEX, e->shoff,
                              "section index %U is out of range (the section header table at %X has %U entries)",
                              (uint64_t)i, e->shoff, (uint64_t)e->shnum);
    const uint8_t *p = e->data + e->shoff + (uint64_t)i * e->shentsize;
    bool be = kl_be(e);
    s->name = kl_u32(p, be);
    s->type = kl_u32(p + 4, be);
    if (keel_elf_is64(e)) {
        s->flags = kl_u64(p + 8, be);
        s->addr = kl_u64(p + 16, be);
        s->offset = kl_u64(p + 24, be);
        s->size = kl_u64(p + 32, be);
        s->link = kl_u32(p + 40, be);
        s->info = kl_u32(p + 44, be);
        s->addralign = kl_u64(p + 48, be);
        s->entsize = kl_u64(p + 56, be);
    } else {
        s->flags = kl_u32(p + 8, be);
        s->addr = kl_u32(p + 12, be);
        s->offset = kl_u32(p + 16, be);
        s->size = kl_u32(p + 20, be);
        s->link = kl_u32(p + 24, be);
        s->info = kl_u32(p + 28, be);
        s->addralign = kl_u32(p + 32, be);
        s->entsize = kl_u32(p + 36, be);
    }
    return 0;
}

int keel_elf_phdr(const keel_elf *e, uint32_t i, keel_phdr *ph, keel_error *err)
{
    if (i >= e->phnum)
        return keel_error_set(err, KEEL_E_INDEX, e->phoff, "program header index %U is out of range (the file has %U)",
                              (uint64_t)i, (uint64_t)e->phnum);
    keel_elf_decode_phdr(e, e->data + e->phoff + (uint64_t)i * e->phentsize, ph);
    return 0;
}

void keel_elf_decode_phdr(const keel_elf *e, const uint8_t *p, keel_phdr *ph)
{
    bool be = kl_be(e);
    ph->type = kl_u32(p, be);
    if (keel_elf_is64(e)) {
        ph->flags = kl_u32(p + 4, be);
        ph->offset = kl_u64(p + 8, be);
        ph->vaddr = kl_u64(p + 16, be);
        ph->paddr = kl_u64(p + 24, be);
        ph->filesz = kl_u64(p + 32, be);
        ph->memsz = kl_u64(p + 40, be);
        ph->align = kl_u64(p + 48, be);
    } else {
        ph->offset = kl_u32(p + 4, be);
        ph->vaddr = kl_u32(p + 8, be);
        ph->paddr = kl_u32(p + 12, be);
        ph->filesz = kl_u32(p + 16, be);
        ph->memsz = kl_u32(p + 20, be);
        ph->flags = kl_u32(p + 24, be);
        ph->align = kl_u32(p + 28, be);
    }
}

int keel_elf_segment_data(const keel_elf *e, const keel_phdr *ph, const uint8_t **data, uint64_t *size, keel_error *err)
{
    if (!kl_in_bounds(ph->offset, ph->filesz, e->size))
        return keel_error_set(err, KEEL_E_RANGE, ph->offset,
                              "segment at %X: file size %U extends past the end of the file (%X)", ph->offset,
                              ph->filesz, e->size);
    *data = e->data + ph->offset;
    *size = ph->filesz;
    return 0;
}

bool keel_section_in_segment(const keel_shdr *sh, const keel_phdr *ph)
{
    enum {
        PT_PHDR = 6,
        PT_GNU_EH_FRAME = 0x6474e550,
        PT_GNU_STACK = 0x6474e551,
        PT_GNU_SFRAME = 0x6474e554,
        PT_GNU_MBIND_LO = 0x6474e555,
        PT_GNU_MBIND_HI = 0x6474e555 + 4095,
    };
    bool tls = sh->flags & KL_SHF_TLS, alloc = sh->flags & KL_SHF_ALLOC;
    bool nobits = sh->type == KL_SHT_NOBITS;
    uint32_t t = ph->type;
    /* .tbss occupies no address space outside PT_TLS. */
    bool tbss_special = tls && nobits && t != KL_PT_TLS;
    uint64_t size = tbss_special ? 0 : sh->size;

    if (tbss_special)
        return false;
    if (tls ? !(t == KL_PT_TLS || t == KL_PT_GNU_RELRO || t == KL_PT_LOAD) : (t == KL_PT_TLS || t == PT_PHDR))
        return false;
    if (!alloc && (t == KL_PT_LOAD || t == KL_PT_DYNAMIC || t == PT_GNU_EH_FRAME || t == PT_GNU_STACK ||
                   t == KL_PT_GNU_RELRO || t == PT_GNU_SFRAME || (t >= PT_GNU_MBIND_LO && t <= PT_GNU_MBIND_HI)))
        return false;
    if (!nobits) {
        if (sh->offset < ph->offset)
            return false;
        uint64_t rel = sh->offset - ph->offset;
        if (rel > ph->filesz - 1) /* wraps when filesz is 0: as binutils */
            return false;
        if (rel + size > ph->filesz || rel + size < rel)
            return false;
    }
    if (alloc) {
        if (sh->addr < ph->vaddr)
            return false;
        uint64_t rel = sh->addr - ph->vaddr;
        if (rel > ph->memsz - 1)
            return false;
        if (rel + size > ph->memsz || rel + size < rel)
            return false;
    }
    /* No empty sections at the very start or end of PT_DYNAMIC / PT_NOTE. */
    if ((t == KL_PT_DYNAMIC || t == KL_PT_NOTE) && sh->size == 0 && ph->memsz != 0) {
        bool file_inside = nobits || (sh->offset > ph->offset && sh->offset - ph->offset < ph->filesz);
        bool addr_inside = !alloc || (sh->addr > ph->vaddr && sh->addr - ph->vaddr < ph->memsz);
        if (!(file_inside && addr_inside))
            return false;
    }
    return true;
}
