/* The pass "write" and the last one, "commit": the executable's bytes --
 * every output section's, its input sections relocated in place, the
 * synthetic sections', the ELF header and program headers, the symbol
 * tables that finalize symbols made, the section headers -- into the
 * output file, built in place (outfile.c: a temporary beside the output,
 * renamed only when complete; a device or a FIFO is written through). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "order.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

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

/* Each input section's bytes into its output section, relocated. */
static int fill(lk_link *l, uint8_t *buf)
{
    int rc = lk_fill_inputs(l, buf); /* (fill.c: copying on a second thread) */
    if (rc)
        return rc;
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
    if (l->addrmap)
        lk_addrmap_fill(l, buf); /* .keel.addrmap (addrmap.c) */
    if (l->dyn)                  /* after the relocations: .rela.dyn holds what they wrote */
        lk_dyn_fill(l, buf);
    return 0;
}
/* The pass "write": the output file opened at its final size (outfile.c:
 * a temporary, mapped, made in place: no second copy of its bytes), the
 * sections' bytes relocated into it, the ELF header, program headers,
 * the tables finalize symbols made, and the section headers. */
int lk_pass_write(lk_link *l)
{
    const char *path = l->opt->output ? l->opt->output : "a.out";
    const ka_arch *arch = l->arch;
    lk_image *img = l->img;
    int rc = l->dyn ? lk_dyn_check_jmprel(l) : 0; /* (dyn_ifunc.c) */
    if (!rc)
        rc = lk_out_open(l, &img->out, path, img->total);
    if (rc)
        return rc;
    img->out_open = true;
    uint8_t *buf = img->out.buf;
    uint64_t shoff = img->shoff;
    rc = fill(l, buf);
    if (!rc) {
        /* the ELF header */
        memcpy(buf, "\177ELF", 4);
        buf[4] = arch->elfclass;
        buf[5] = arch->byteorder;
        buf[6] = 1; /* EV_CURRENT */
        buf[7] = img->gnu_osabi ? 3 /* ELFOSABI_GNU */ : 0 /* ELFOSABI_NONE */;
        put16(buf + 16, lk_dyn_pic(l) ? ET_DYN : ET_EXEC);
        put16(buf + 18, arch->machine);
        put32(buf + 20, 1);
        put64(buf + 24, img->entry);
        put64(buf + 32, arch->ehdr_size); /* e_phoff: the program headers follow */
        put64(buf + 40, shoff);
        put16(buf + 52, arch->ehdr_size);
        put16(buf + 54, arch->phdr_size);
        put16(buf + 56, (uint16_t)img->nph);
        put16(buf + 58, arch->shdr_size);
        put16(buf + 60, (uint16_t)img->nsec);
        put16(buf + 62, (uint16_t)img->shstrtab_index);
        for (size_t i = 0; i < img->nph; i++) {
            const lk_phdr *ph = &img->ph[i];
            uint8_t *p = buf + arch->ehdr_size + i * arch->phdr_size;
            put32(p, ph->type);
            put32(p + 4, ph->flags);
            put64(p + 8, ph->offset);
            put64(p + 16, ph->vaddr);
            put64(p + 24, lk_phdr_paddr(l, ph));
            put64(p + 32, ph->filesz);
            put64(p + 40, ph->memsz);
            put64(p + 48, ph->align);
        }
        memcpy(buf + img->symoff, img->syms, img->nsyms * arch->sym_size);
        memcpy(buf + img->stroff, img->str.v, img->str.n);
        memcpy(buf + img->shstroff, img->shstr.v, img->shstr.n);
        uint32_t symtab_index = img->symtab_index, strtab_index = img->strtab_index;
        /* section headers */
        uint32_t name = 1;
        for (size_t s = 0; s < l->nsegs; s++)
            for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
                const lk_osec *o = l->segs[s]->secs[i];
                /* .rela.iplt, as GNU ld's .rela.plt: its symbols are the
                 * symbol table's, and it applies to the IFUNCs' slots */
                bool rela = o == l->rela_iplt;
                keel_shdr sh = {.name = name,
                                .type = o->type,
                                .flags = o->flags | (rela && l->igot ? 0x40 /* SHF_INFO_LINK */ : 0),
                                .addr = o->addr,
                                .offset = o->offset,
                                .size = o->size,
                                .addralign = o->align,
                                .link = rela ? symtab_index : 0,
                                .info = rela && l->igot ? l->igot->index : 0,
                                .entsize = o->type == SHT_RELA ? arch->rela_size : 0};
                if (l->dyn) /* the dynamic sections' links (dyn_sections.c) */
                    lk_dyn_shdr(l, o, &sh);
                put_shdr(buf + shoff + (uint64_t)o->index * arch->shdr_size, &sh);
                name += (uint32_t)strlen(o->name) + 1;
            }
        if (img->keep_syms) {
            put_shdr(buf + shoff + (uint64_t)symtab_index * arch->shdr_size,
                     &(keel_shdr){.name = img->n_symtab,
                                  .type = SHT_SYMTAB,
                                  .offset = img->symoff,
                                  .size = img->nsyms * arch->sym_size,
                                  .link = strtab_index,
                                  .info = (uint32_t)img->nlocals /* the first global */,
                                  .addralign = arch->word_size,
                                  .entsize = arch->sym_size});
            put_shdr(buf + shoff + (uint64_t)strtab_index * arch->shdr_size, &(keel_shdr){.name = img->n_strtab,
                                                                                          .type = SHT_STRTAB,
                                                                                          .offset = img->stroff,
                                                                                          .size = img->str.n,
                                                                                          .addralign = 1});
        }
        put_shdr(buf + shoff + (uint64_t)img->shstrtab_index * arch->shdr_size, &(keel_shdr){.name = img->n_shstrtab,
                                                                                             .type = SHT_STRTAB,
                                                                                             .offset = img->shstroff,
                                                                                             .size = img->shstr.n,
                                                                                             .addralign = 1});
    }
    if (!rc && l->nemits)
        lk_emit_relocs_write(l, buf, buf + shoff, img->symtab_index);
    return rc;
}

/* The last pass: the file renamed into place (or written through to a
 * device).  --fatal-warnings: as GNU ld, the warnings said are the
 * messages, and nothing is written. */
int lk_pass_commit(lk_link *l)
{
    const char *path = l->opt->output ? l->opt->output : "a.out";
    lk_image *img = l->img;
    int rc = 0;
    if (l->opt->fatal_warnings && l->warnings && *l->warnings)
        rc = lk_fail(l, KEEL_E_UNSUPPORTED, "%s: not written: warnings are fatal (--fatal-warnings)", path);
    img->out_open = false;
    int crc = lk_out_close(l, &img->out, rc == 0);
    return rc ? rc : crc;
}

void lk_image_free(lk_link *l)
{
    lk_image *img = l->img;
    if (!img)
        return;
    if (img->out_open) /* a pass failed after the output was opened: nothing is left of it */
        lk_out_close(l, &img->out, false);
    img->out_open = false;
    free(img->syms);
    free(img->str.v);
    free(img->shstr.v);
    img->syms = NULL;
    img->str.v = img->shstr.v = NULL;
}
