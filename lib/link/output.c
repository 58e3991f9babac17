/* Writing the executable: the ELF header and program headers at the start
 * of the text segment, every output section's bytes with its input
 * sections relocated in place, a symbol table of the global symbols, the
 * section headers.  The file is built in place (outfile.c: a temporary
 * beside the output, renamed only when complete; a device or a FIFO is
 * written through). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "../arch/arch.h"

enum {
    SHT_NULL = 0,
    SHT_PROGBITS = 1,
    SHT_SYMTAB = 2,
    SHT_STRTAB = 3,
    SHT_RELA = 4,
    SHT_NOBITS = 8,
    SHF_WRITE = 1,
    SHF_ALLOC = 2,
    SHF_EXECINSTR = 4,
    SHF_TLS = 0x400,
    PT_LOAD = 1,
    PT_NOTE = 4,
    PT_TLS = 7,
    PT_GNU_EH_FRAME = 0x6474e550,
    PT_GNU_STACK = 0x6474e551,
    PT_GNU_RELRO = 0x6474e552,
    PT_GNU_PROPERTY = 0x6474e553,
    PF_X = 1,
    PF_W = 2,
    PF_R = 4,
    SHN_ABS = 0xfff1,
    SHN_COMMON = 0xfff2,
    STB_GLOBAL = 1,
    STB_WEAK = 2,
};

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* One Elf64_Shdr at h, in the host's (little-endian x86-64) byte order. */
static void put_shdr(uint8_t *h, const keel_shdr *sh)
{
    put32(h, sh->name);
    put32(h + 4, sh->type);
    put64(h + 8, sh->flags);
    put64(h + 16, sh->addr);
    put64(h + 24, sh->offset);
    put64(h + 32, sh->size);
    put32(h + 40, sh->link);
    put32(h + 44, sh->info);
    put64(h + 48, sh->addralign);
    put64(h + 56, sh->entsize);
}

typedef struct strtab {
    char *v;
    size_t n, cap;
    bool failed; /* out of memory: the names are not all there */
} strtab;

static uint32_t str_add(strtab *t, const char *s)
{
    size_t len = strlen(s) + 1;
    if (t->n + len > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 4096;
        while (cap < t->n + len)
            cap *= 2;
        char *v = realloc(t->v, cap);
        if (!v) {
            t->failed = true;
            return 0;
        }
        t->v = v;
        t->cap = cap;
    }
    memcpy(t->v + t->n, s, len);
    t->n += len;
    return (uint32_t)(t->n - len);
}

static uint32_t shstr_add(void *t, const char *s) { return str_add(t, s); }

/* The next 24-byte entry of the symbol table being made (the array grows
 * by doubling; NULL when out of memory). */
static uint8_t *sym_slot(uint8_t **syms, size_t *n, size_t *cap)
{
    if (*n == *cap) {
        uint8_t *v = realloc(*syms, 2 * *cap * 24);
        if (!v)
            return NULL;
        memset(v + *cap * 24, 0, *cap * 24);
        *syms = v;
        *cap *= 2;
    }
    return *syms + (*n)++ * 24;
}

typedef struct phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
} phdr;

static size_t program_headers(const lk_link *l, phdr *ph)
{
    size_t n = 0;
    for (size_t i = 0; i < l->nloads; i++) /* as lk_assign_addresses placed them */
        ph[n++] = (phdr){PT_LOAD,           l->loads[i].flags,  l->loads[i].offset,
                         l->loads[i].vaddr, l->loads[i].filesz, l->loads[i].memsz,
                         l->loads[i].align};
    /* ascending by address, as the gABI requires of PT_LOADs (and ld.bfd
     * orders them) even where -Tdata, -Tbss or --section-start put a
     * segment below the text; a handful of entries: insertion sort */
    for (size_t i = 1; i < n; i++)
        for (size_t k = i; k > 0 && ph[k - 1].vaddr > ph[k].vaddr; k--) {
            phdr t = ph[k];
            ph[k] = ph[k - 1];
            ph[k - 1] = t;
        }
    /* the note segment: the loaded notes, where their segment has them */
    for (size_t s = 0; s < l->nsegs; s++) {
        const lk_segment *t = l->segs[s];
        for (size_t i = 0; i < t->nsecs; i++)
            if (t->secs[i]->note) {
                uint64_t lo = t->secs[i]->addr, off = t->secs[i]->offset, hi = lo + t->secs[i]->size,
                         al = t->secs[i]->align;
                /* notes of one alignment per PT_NOTE: readers step by it */
                while (i + 1 < t->nsecs && t->secs[i + 1]->note && t->secs[i + 1]->align == al)
                    hi = t->secs[i + 1]->addr + t->secs[i + 1]->size, i++;
                ph[n++] = (phdr){PT_NOTE, PF_R, off, lo, hi - lo, hi - lo, al};
            }
    }
    if (l->tls_memsz) {
        uint64_t off = 0;
        const lk_segment *data = lk_seg_role(l, LK_ROLE_DATA);
        for (size_t i = 0; i < data->nsecs; i++)
            if (data->secs[i]->addr == l->tls_start) {
                off = data->secs[i]->offset;
                break;
            }
        ph[n++] = (phdr){PT_TLS, PF_R, off, l->tls_start, l->tls_filesz, l->tls_memsz, l->tls_align};
    }
    /* RELRO: what is written only at start-up, from the data segment's
     * start to a page boundary (-z relro, the default; layout.c) */
    if (l->relro_end > l->relro_start)
        ph[n++] = (phdr){PT_GNU_RELRO,
                         PF_R,
                         l->relro_offset,
                         l->relro_start,
                         l->relro_end - l->relro_start,
                         l->relro_end - l->relro_start,
                         1};
    if (l->property) /* the merged program properties (note.c) */
        ph[n++] = (phdr){PT_GNU_PROPERTY,   PF_R, l->property->offset, l->property->addr, l->property->size,
                         l->property->size, 8};
    if (l->eh_frame_hdr)
        ph[n++] =
            (phdr){PT_GNU_EH_FRAME,       PF_R, l->eh_frame_hdr->offset, l->eh_frame_hdr->addr, l->eh_frame_hdr->size,
                   l->eh_frame_hdr->size, 4};
    ph[n++] = (phdr){PT_GNU_STACK, PF_R | PF_W | (l->opt->exec_stack ? PF_X : 0), 0, 0, 0, 0, 16};
    return n;
}

/* Each input section's bytes into its output section, relocated. */
static int fill(lk_link *l, uint8_t *buf)
{
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh;
            const uint8_t *data;
            uint64_t size;
            keel_error e;
            lk_osec *o = f->out[i];
            if (!o || o->type == SHT_NOBITS || (f->merged && f->merged[i]) || keel_elf_shdr(&f->elf, i, &sh, &e))
                continue; /* (merged strings come with their pool) */
            if (sh.type == SHT_NOBITS)
                continue;            /* zeros in a section of data that another input made (the file is zero-filled) */
            if (f->eh && f->eh[i]) { /* an edited .eh_frame: its records kept */
                lk_eh_fill(o, f->eh[i], buf);
                continue;
            }
            if (keel_elf_section_data(&f->elf, &sh, &data, &size, &e) || size < sh.size)
                return lk_fail(l, KEEL_E_TRUNCATED, "%s: section %u is cut short", f->name, i);
            if (sh.size) /* (an empty section's data may be NULL: no memcpy from it) */
                memcpy(buf + o->offset + f->pos[i], data, sh.size);
        }
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh;
            if (keel_elf_shdr(&f->elf, i, &sh, NULL) || sh.type != SHT_RELA || sh.info >= f->elf.shnum)
                continue;
            lk_osec *o = f->out[sh.info];
            if (!o || o->type == SHT_NOBITS)
                continue;
            int rc = lk_relocate_section(l, f, i, buf + o->offset + f->pos[sh.info], o, o->addr + f->pos[sh.info]);
            if (rc)
                return rc;
        }
    }
    if (l->got)
        memcpy(buf + l->got->offset, l->got->data, l->got->size);
    /* folded .ctors/.dtors: their words, relocated, in the arrays' order */
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            const lk_osec *o = l->segs[s]->secs[i];
            lk_fill_pool(o, buf);
            for (size_t k = 0; k < o->npieces; k++)
                if (o->pieces[k].reverse) {
                    uint8_t *w = buf + o->offset + o->pieces[k].offset;
                    for (size_t a = 0, b = o->pieces[k].size / 8; a + 1 < b; a++, b--) {
                        uint8_t t[8];
                        memcpy(t, w + 8 * a, 8);
                        memcpy(w + 8 * a, w + 8 * (b - 1), 8);
                        memcpy(w + 8 * (b - 1), t, 8);
                    }
                }
        }
    if (l->nifuncs)
        lk_fill_ifuncs(l, buf);
    if (l->eh_frame_hdr)
        lk_fill_eh_frame_hdr(l, buf);
    if (l->property)
        lk_fill_properties(l, buf);
    return 0;
}

/* The build ID note: its header now, its descriptor from the finished
 * file (SHA-1 or MD5 over it, the descriptor still zero: digest.c), a
 * random UUID, or the bytes given. */
static size_t build_id_size(const keel_link_options *opt)
{
    switch (opt->build_id) {
    case KEEL_BUILD_ID_SHA1: return 20;
    case KEEL_BUILD_ID_MD5:
    case KEEL_BUILD_ID_UUID: return 16;
    case KEEL_BUILD_ID_HEX: return opt->build_id_hex_len;
    default: return 0;
    }
}

size_t lk_build_id_note_size(const keel_link_options *opt)
{
    size_t n = build_id_size(opt);
    return n ? 16 + ((n + 3) & ~(size_t)3) : 0;
}

static int write_build_id(lk_link *l, uint8_t *buf, uint64_t total)
{
    const keel_link_options *opt = l->opt;
    uint8_t *note = buf + l->build_id->offset, *desc = note + 16;
    size_t n = build_id_size(opt);
    put32(note, 4);
    put32(note + 4, (uint32_t)n);
    put32(note + 8, 3); /* NT_GNU_BUILD_ID */
    memcpy(note + 12, "GNU", 4);
    if (opt->build_id == KEEL_BUILD_ID_HEX) {
        memcpy(desc, opt->build_id_hex, n);
    } else if (opt->build_id == KEEL_BUILD_ID_UUID) {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        bool ok = fd >= 0 && read(fd, desc, 16) == 16;
        if (fd >= 0)
            close(fd);
        if (!ok)
            return lk_fail(l, KEEL_E_IO, "--build-id=uuid: cannot read /dev/urandom");
        desc[6] = (uint8_t)((desc[6] & 0x0f) | 0x40); /* version 4 */
        desc[8] = (uint8_t)((desc[8] & 0x3f) | 0x80);
    } else {
        uint8_t digest[20];
        if (lk_tree_digest(opt->build_id == KEEL_BUILD_ID_MD5, buf, total, digest))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory for the build ID");
        memcpy(desc, digest, n);
    }
    return 0;
}

/* An IFUNC in .symtab: the resolver's address and type STT_GNU_IFUNC, as
 * GNU ld writes it (the stub is only what calls and pointers reach).
 * True when written so: the output then has a GNU symbol type. */
static bool ifunc_resolver(const lk_file *f, const keel_sym *d, uint64_t *value)
{
    if (d->shndx >= f->elf.shnum || !f->out[d->shndx] || (f->merged && f->merged[d->shndx]))
        return false;
    *value = f->out[d->shndx]->addr + f->pos[d->shndx] + d->value;
    return true;
}

/* shndx is a symbol's section, already resolved through SHN_XINDEX, or
 * UINT32_MAX when its raw st_shndx is SHN_ABS (a section of a large
 * object may have the number 0xfff1 itself) */
static uint16_t out_index(const lk_file *f, uint32_t shndx)
{
    return shndx < f->elf.shnum && f->out[shndx] ? (uint16_t)f->out[shndx]->index : SHN_ABS;
}

int lk_write_output(lk_link *l)
{
    const char *path = l->opt->output ? l->opt->output : "a.out";
    phdr *ph = NULL;
    const ka_arch *arch = l->arch;                   /* the machine, class and sizes of the output */
    if (arch->elfclass != 2 || arch->byteorder != 1) /* the records below are ELF64, little-endian */
        return lk_fail(l, KEEL_E_UNSUPPORTED, "%s: keel link writes 64-bit little-endian ELF only", arch->name);
    /* the program headers' count, before the addresses it shapes */
    const lk_segment *data = lk_seg_role(l, LK_ROLE_DATA);
    bool has_tls = false;
    for (size_t i = 0; i < data->nsecs; i++)
        has_tls |= (data->secs[i]->flags & SHF_TLS) != 0;
    size_t nph = lk_max_loads(l) + 1 /* stack */ + has_tls + (l->eh_frame_hdr ? 1 : 0) + lk_has_relro(l) +
                 (l->property ? 1 : 0);
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            nph += l->segs[s]->secs[i]->note; /* at most one PT_NOTE each */
    uint64_t header = arch->ehdr_size + (uint64_t)arch->phdr_size * nph;
    if (l->got && !(l->got->data = lk_zalloc(&l->arena, l->got->size)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    int rc = lk_assign_addresses(l, header);
    if (rc)
        return rc;
    lk_tls_layout(l);
    if (!(ph = lk_alloc(&l->arena, nph * sizeof *ph)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    size_t n = program_headers(l, ph); /* at most nph, as counted */
    /* section indexes, in segment order */
    uint32_t nsec = 1;
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            l->segs[s]->secs[i]->index = nsec++;
    /* --emit-relocs: a .rela section per output section with relocations */
    if (l->opt->emit_relocs && (rc = lk_emit_relocs_plan(l, nsec - 1, &nsec)))
        return rc;
    bool keep_syms = !l->opt->strip_all || l->nemits; /* -s: no .symtab, no .strtab (relocations need them) */
    uint32_t symtab_index = keep_syms ? nsec++ : 0, strtab_index = keep_syms ? nsec++ : 0, shstrtab_index = nsec++;
    /* the entry point (entry.c) */
    uint64_t entry_addr = 0;
    bool tls;
    /* ELFOSABI_GNU when a symbol written is an IFUNC or STB_GNU_UNIQUE:
     * GNU extensions a reader must know, as GNU ld marks them */
    bool gnu_osabi = false;
    rc = lk_entry_address(l, &entry_addr);
    if (rc)
        return rc;
    /* symbols: the globals with their output places */
    strtab str = {0}, shstr = {0};
    str_add(&str, "");
    str_add(&shstr, "");
    size_t nsyms = 1, capsyms = 1024;
    uint8_t *syms = calloc(capsyms, 24);
    /* --emit-relocs: first a symbol per output section, as ld.bfd writes
     * them (symbol k is section k: the relocations name them so) */
    for (size_t s = 0; syms && l->nemits && s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            uint8_t *e = sym_slot(&syms, &nsyms, &capsyms);
            if (!e) {
                str.failed = true;
                break;
            }
            e[4] = 3 /* STB_LOCAL, STT_SECTION */;
            put16(e + 6, (uint16_t)l->segs[s]->secs[i]->index);
            put64(e + 8, l->segs[s]->secs[i]->addr);
        }
    /* the locals first (ELF wants them so), each object's after a FILE
     * symbol, as ld writes them; which ones, -x and -X say (strip.c) */
    for (size_t fi = 0; syms && fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        for (uint64_t k = 1; f->has_symtab && k < f->symtab.first_global && k < f->symtab.count; k++) {
            keel_sym d;
            const char *name;
            uint64_t value = 0, sz;
            uint16_t shndx = SHN_ABS;
            if (keel_symtab_get(&f->symtab, k, &d, NULL) || keel_symtab_name(&f->symtab, &d, &name, NULL) || !*name ||
                !lk_keep_local(l, f, &d, name))
                continue;
            uint8_t type = d.info & 0xf;
            if (type == 3 /* SECTION */)
                continue;
            if (type != 4 /* FILE */) {
                if (d.raw_shndx != SHN_ABS && (d.shndx >= f->elf.shnum || !f->out[d.shndx]))
                    continue; /* in a section not linked */
                if (lk_symbol_value(l, f, k, &value, &sz, &tls, NULL))
                    continue; /* a local that cannot be placed is left out (its message unused) */
                shndx = out_index(f, d.raw_shndx == SHN_ABS ? UINT32_MAX : d.shndx);
                if (tls)
                    value -= l->tls_start;
                if (type == 10 /* IFUNC */)
                    gnu_osabi |= ifunc_resolver(f, &d, &value);
            }
            uint8_t *e = sym_slot(&syms, &nsyms, &capsyms);
            if (!e) {
                str.failed = true;
                break;
            }
            put32(e, str_add(&str, name));
            e[4] = d.info;
            e[5] = d.other;
            put16(e + 6, shndx);
            put64(e + 8, type == 4 ? 0 : value);
            put64(e + 16, type == 4 ? 0 : d.size);
            if (f->sym_out)
                f->sym_out[k] = (uint32_t)(nsyms - 1);
        }
    }
    size_t nlocals = nsyms;
    lk_sym **sorted;
    size_t nsorted;
    if (lk_sorted_symbols(l, &sorted, &nsorted))
        nsorted = 0, syms = (free(syms), NULL);
    for (size_t i = 0; syms && i < nsorted; i++) {
        lk_sym *s = sorted[i];
        if (s->state != LK_DEFINED && s->state != LK_WEAK && s->state != LK_COMMON)
            continue;
        keel_sym d = {0};
        uint64_t value = 0, sz = 0;
        uint16_t shndx = SHN_ABS;
        if (s->state == LK_COMMON) {
            bool tcommon = s->type == 6 /* STT_TLS */;
            value = lk_common_address(l, s) - (tcommon ? l->tls_start : 0);
            sz = s->size;
            shndx = (uint16_t)(tcommon ? l->tcommon : l->common)->index;
            d.info = (uint8_t)(STB_GLOBAL << 4 | (tcommon ? 6 : 1));
        } else if (!s->def) { /* --defsym */
            if (lk_global_value(l, s, &value, &sz, &tls, NULL, 0))
                continue;
            d.info = (uint8_t)(STB_GLOBAL << 4);
        } else {
            if (keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL) ||
                lk_global_value(l, s, &value, &sz, &tls, NULL, 0))
                continue;
            shndx = out_index(s->def, d.raw_shndx == SHN_ABS ? UINT32_MAX : d.shndx);
            if (tls)
                value -= l->tls_start; /* TLS symbols are offsets in the TLS block */
            gnu_osabi |= d.info >> 4 == 10 /* GNU_UNIQUE */;
            if ((d.info & 0xf) == 10 /* IFUNC */)
                gnu_osabi |= ifunc_resolver(s->def, &d, &value);
        }
        uint8_t *e = sym_slot(&syms, &nsyms, &capsyms);
        if (!e) {
            str.failed = true; /* reported below, as out of memory */
            break;
        }
        put32(e, str_add(&str, s->name));
        e[4] = (uint8_t)((s->state == LK_WEAK ? STB_WEAK : STB_GLOBAL) << 4 | (d.info & 0xf));
        e[5] = d.other;
        put16(e + 6, shndx);
        put64(e + 8, value);
        put64(e + 16, sz);
        s->out_index = (uint32_t)(nsyms - 1);
    }
    if (!syms || !str.v || str.failed || shstr.failed) {
        free(syms);
        free(str.v);
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    }
    int src = lk_strtab_share(l, &str.v, &str.n, syms, nsyms); /* each name once, or a longer one's tail */
    if (src) {
        free(syms);
        free(str.v);
        free(shstr.v);
        return src;
    }
    str.cap = str.n;
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            str_add(&shstr, l->segs[s]->secs[i]->name);
    uint32_t n_symtab = keep_syms ? str_add(&shstr, ".symtab") : 0,
             n_strtab = keep_syms ? str_add(&shstr, ".strtab") : 0, n_shstrtab = str_add(&shstr, ".shstrtab");
    if (!keep_syms)
        nsyms = str.n = 0;
    uint64_t relend = l->file_end; /* --emit-relocs: the .rela sections first */
    char relname[256];
    if (l->nemits)
        lk_emit_relocs_place(l, &relend, shstr_add, &shstr, relname, sizeof relname);
    if (shstr.failed || str.failed) {
        free(syms);
        free(str.v);
        free(shstr.v);
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    }
    uint64_t symoff = keep_syms ? align_up(relend, arch->word_size) : relend, stroff = symoff + nsyms * arch->sym_size,
             shstroff = stroff + str.n, shoff = align_up(shstroff + shstr.n, arch->word_size),
             total = shoff + (uint64_t)nsec * arch->shdr_size;
    /* The file is made in place (outfile.c): no second copy of its bytes. */
    lk_outfile out;
    rc = lk_out_open(l, &out, path, total);
    if (rc) {
        free(syms);
        free(str.v);
        free(shstr.v);
        return rc;
    }
    uint8_t *buf = out.buf;
    rc = fill(l, buf);
    if (!rc) {
        /* the ELF header */
        memcpy(buf, "\177ELF", 4);
        buf[4] = arch->elfclass;
        buf[5] = arch->byteorder;
        buf[6] = 1; /* EV_CURRENT */
        buf[7] = gnu_osabi ? 3 /* ELFOSABI_GNU */ : 0 /* ELFOSABI_NONE */;
        put16(buf + 16, 2 /* ET_EXEC */);
        put16(buf + 18, arch->machine);
        put32(buf + 20, 1);
        put64(buf + 24, entry_addr);
        put64(buf + 32, arch->ehdr_size); /* e_phoff: the program headers follow */
        put64(buf + 40, shoff);
        put16(buf + 52, arch->ehdr_size);
        put16(buf + 54, arch->phdr_size);
        put16(buf + 56, (uint16_t)n);
        put16(buf + 58, arch->shdr_size);
        put16(buf + 60, (uint16_t)nsec);
        put16(buf + 62, (uint16_t)shstrtab_index);
        for (size_t i = 0; i < n; i++) {
            uint8_t *p = buf + arch->ehdr_size + i * arch->phdr_size;
            put32(p, ph[i].type);
            put32(p + 4, ph[i].flags);
            put64(p + 8, ph[i].offset);
            put64(p + 16, ph[i].vaddr);
            put64(p + 24, ph[i].vaddr);
            put64(p + 32, ph[i].filesz);
            put64(p + 40, ph[i].memsz);
            put64(p + 48, ph[i].align);
        }
        memcpy(buf + symoff, syms, nsyms * arch->sym_size);
        memcpy(buf + stroff, str.v, str.n);
        memcpy(buf + shstroff, shstr.v, shstr.n);
        /* section headers */
        uint32_t name = 1;
        for (size_t s = 0; s < l->nsegs; s++)
            for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
                const lk_osec *o = l->segs[s]->secs[i];
                /* .rela.iplt, as GNU ld's .rela.plt: its symbols are the
                 * symbol table's, and it applies to the IFUNCs' slots */
                bool rela = o == l->rela_iplt;
                put_shdr(buf + shoff + (uint64_t)o->index * arch->shdr_size,
                         &(keel_shdr){.name = name,
                                      .type = o->type,
                                      .flags = o->flags | (rela && l->igot ? 0x40 /* SHF_INFO_LINK */ : 0),
                                      .addr = o->addr,
                                      .offset = o->offset,
                                      .size = o->size,
                                      .addralign = o->align,
                                      .link = rela ? symtab_index : 0,
                                      .info = rela && l->igot ? l->igot->index : 0,
                                      .entsize = o->type == SHT_RELA ? arch->rela_size : 0});
                name += (uint32_t)strlen(o->name) + 1;
            }
        if (keep_syms) {
            put_shdr(buf + shoff + (uint64_t)symtab_index * arch->shdr_size,
                     &(keel_shdr){.name = n_symtab,
                                  .type = SHT_SYMTAB,
                                  .offset = symoff,
                                  .size = nsyms * arch->sym_size,
                                  .link = strtab_index,
                                  .info = (uint32_t)nlocals /* the first global */,
                                  .addralign = arch->word_size,
                                  .entsize = arch->sym_size});
            put_shdr(
                buf + shoff + (uint64_t)strtab_index * arch->shdr_size,
                &(keel_shdr){.name = n_strtab, .type = SHT_STRTAB, .offset = stroff, .size = str.n, .addralign = 1});
        }
        put_shdr(
            buf + shoff + (uint64_t)shstrtab_index * arch->shdr_size,
            &(keel_shdr){.name = n_shstrtab, .type = SHT_STRTAB, .offset = shstroff, .size = shstr.n, .addralign = 1});
    }
    if (!rc && l->nemits)
        lk_emit_relocs_write(l, buf, buf + shoff, symtab_index);
    free(syms);
    free(str.v);
    free(shstr.v);
    if (!rc && l->build_id)
        rc = write_build_id(l, buf, total);
    /* --fatal-warnings: as GNU ld, the warnings said are the messages, and
     * nothing is written */
    if (!rc && l->opt->fatal_warnings && l->warnings && *l->warnings)
        rc = lk_fail(l, KEEL_E_UNSUPPORTED, "%s: not written: warnings are fatal (--fatal-warnings)", path);
    int crc = lk_out_close(l, &out, rc == 0);
    return rc ? rc : crc;
}
