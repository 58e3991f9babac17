/* --emit-relocs (-q): the inputs' relocations kept in the executable, as
 * ld.bfd keeps them, for tools that rewrite a linked program (BOLT,
 * kernel relocation tables).  One .rela.NAME per output section that has
 * any (SHF_INFO_LINK, linked to .symtab), after the output's sections:
 *   - r_offset is the place's address in the output (its offset, for an
 *     unallocated section such as .debug_info, whose address is 0);
 *   - a relocation against a global names the global's entry in .symtab;
 *   - one against a section symbol names the output section's symbol
 *     (.symtab then starts with one per output section, as ld.bfd's), its
 *     addend moved by where the input section went; one against another
 *     local names that local's entry, or, if -x/-X left it out, its
 *     section's symbol with the offset in the addend;
 *   - one against a symbol with no entry (a name the link-editor defines)
 *     names symbol 0 with the final S + A as addend, which gives every
 *     S + A (- P) relocation the same value;
 *   - one against a discarded section becomes type 0 (none), as ld.bfd's.
 * A GOT load or an initial-exec access rewritten in the code gets the type
 * that describes it as written, as ld.bfd's (the architecture layer
 * tells); a general- or local-dynamic TLS sequence keeps the types the
 * object gave. */
#include <string.h>

#include "internal.h"
#include "../arch/arch.h"
#include "../elfdefs.h"

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* A relocation section of f whose target went to the output. */
static const lk_osec *kept_target(const lk_file *f, uint32_t i, keel_shdr *sh)
{
    if (keel_elf_shdr(&f->elf, i, sh, NULL) || sh->type != SHT_RELA || sh->info == 0 || sh->info >= f->elf.shnum ||
        !f->out[sh->info] || f->out[sh->info]->type == SHT_NOBITS || (f->merged && f->merged[sh->info]))
        return NULL;
    return f->out[sh->info];
}

/* The relocations of section i that stay: all, but in an edited
 * .eh_frame only those of the records kept (ehedit.c). */
static uint64_t kept(const lk_file *f, uint32_t i, const keel_shdr *sh)
{
    const struct lk_eh *eh = f->eh ? f->eh[sh->info] : NULL;
    keel_relocs rs;
    if (!eh)
        return sh->size / 24;
    uint64_t n = 0, at;
    if (keel_elf_relocs(&f->elf, i, &rs, NULL))
        return 0;
    for (uint64_t k = 0; k < rs.count; k++) {
        keel_rel r;
        keel_relocs_get(&rs, k, &r);
        n += lk_eh_offset(eh, r.offset, &at);
    }
    return n;
}

/* Count the relocations per output section and number the .rela
 * sections from *nsec on; the output sections are numbered 1..nout. */
int lk_emit_relocs_plan(lk_link *l, uint32_t nout, uint32_t *nsec)
{
    uint64_t *count = lk_zalloc(&l->arena, (nout + 1) * sizeof *count);
    if (!count || !(l->emit_of = lk_zalloc(&l->arena, (nout + 1) * sizeof *l->emit_of)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        if (f->has_symtab && !(f->sym_out = lk_zalloc(&l->arena, (f->symtab.count + 1) * sizeof *f->sym_out)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        for (uint32_t i = 1; f->has_symtab && i < f->elf.shnum; i++) {
            keel_shdr sh;
            const lk_osec *o = kept_target(f, i, &sh);
            if (o && sh.entsize == 24)
                count[o->index] += kept(f, i, &sh);
        }
    }
    size_t n = 0;
    for (uint32_t k = 1; k <= nout; k++)
        n += count[k] != 0;
    if (!(l->emits = lk_zalloc(&l->arena, (n + 1) * sizeof *l->emits)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
            const lk_osec *o = l->segs[s]->secs[i];
            if (!count[o->index])
                continue;
            lk_emit *e = &l->emits[l->nemits++];
            e->target = o;
            e->count = count[o->index];
            e->index = (*nsec)++;
            l->emit_of[o->index] = (uint32_t)l->nemits;
        }
    return 0;
}

/* Where the .rela sections go in the file, from *off on (8-aligned), and
 * their names in .shstrtab (add returns a name's offset). */
void lk_emit_relocs_place(lk_link *l, uint64_t *off, uint32_t (*add)(void *tab, const char *name), void *tab,
                          char *scratch, size_t scratch_size)
{
    for (size_t k = 0; k < l->nemits; k++) {
        lk_emit *e = &l->emits[k];
        *off = align_up(*off, 8);
        e->offset = e->cursor = *off;
        *off += e->count * 24;
        size_t len = strlen(e->target->name);
        if (len + 6 > scratch_size)
            len = scratch_size - 6;
        memcpy(scratch, ".rela", 5);
        memcpy(scratch + 5, e->target->name, len);
        scratch[5 + len] = 0;
        e->name = add(tab, scratch);
    }
}

/* The output section symbol's index for an input section of f (section
 * symbols come first in .symtab, one per output section, in index order),
 * or 0 if the section is not in the output. */
static uint32_t section_symbol(const lk_file *f, uint32_t shndx)
{
    return shndx < f->elf.shnum && f->out[shndx] ? f->out[shndx]->index : 0;
}

static void emit_one(lk_link *l, lk_file *f, const lk_osec *o, uint64_t base, const keel_rel *r, lk_emit *e,
                     uint8_t *buf)
{
    uint64_t offset = base + r->offset, addend = (uint64_t)r->addend;
    uint32_t type = r->type, sym = 0;
    keel_sym d;
    const char *name;
    (void)o;
    if (r->sym && !keel_symtab_get(&f->symtab, r->sym, &d, NULL)) {
        if (KEEL_ST_BIND(d.info) == STB_LOCAL && d.raw_shndx != SHN_ABS) {
            if (!(sym = section_symbol(f, d.shndx)))
                type = 0, addend = 0; /* in a discarded section: type 0 (none), as ld.bfd writes it */
            else if (KEEL_ST_TYPE(d.info) != STT_SECTION && f->sym_out[r->sym])
                sym = f->sym_out[r->sym];
            else if (KEEL_ST_TYPE(d.info) == STT_SECTION && f->merged && f->merged[d.shndx])
                /* a section symbol plus an addend into merged strings: the
                 * string holding that offset, as the relocation took it
                 * (relocate.c) */
                addend = lk_merged_offset(f->out[d.shndx], f->merged[d.shndx], d.value + (uint64_t)r->addend);
            else if ((f->merged && f->merged[d.shndx]) || (f->eh && f->eh[d.shndx])) {
                /* a symbol in merged strings or an edited .eh_frame: where
                 * it went, from the output section's start */
                uint64_t S = 0, size;
                bool tls;
                if (!lk_symbol_value(l, f, r->sym, &S, &size, &tls, NULL))
                    addend = S - f->out[d.shndx]->addr + (uint64_t)r->addend;
            } else
                addend = f->pos[d.shndx] + d.value + (uint64_t)r->addend;
        } else {
            lk_sym *g = NULL;
            if (KEEL_ST_BIND(d.info) != STB_LOCAL && !keel_symtab_name(&f->symtab, &d, &name, NULL))
                g = lk_file_sym(l, f, r->sym, name);
            if (g && g->out_index)
                sym = g->out_index;
            else {
                uint64_t S = 0, size;
                bool tls;
                if (!lk_symbol_value(l, f, r->sym, &S, &size, &tls, NULL))
                    addend = S + (uint64_t)r->addend;
                else
                    type = 0, addend = 0;
            }
        }
    }
    uint8_t *p = buf + e->cursor;
    put64(p, offset);
    put64(p + 8, (uint64_t)sym << 32 | type);
    put64(p + 16, addend);
    e->cursor += 24;
}

/* The entries, in input order; and the section headers (at shdrs). */
void lk_emit_relocs_write(lk_link *l, uint8_t *buf, uint8_t *shdrs, uint32_t symtab_index)
{
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        for (uint32_t i = 1; f->has_symtab && i < f->elf.shnum; i++) {
            keel_shdr sh;
            keel_relocs rs;
            const lk_osec *o = kept_target(f, i, &sh);
            if (!o || sh.entsize != 24 || keel_elf_relocs(&f->elf, i, &rs, NULL))
                continue;
            lk_emit *e = &l->emits[l->emit_of[o->index] - 1];
            const struct lk_eh *eh = f->eh ? f->eh[sh.info] : NULL;
            uint64_t base = o->addr + f->pos[sh.info];
            /* the code as the object had it and as it was written: a
             * rewritten instruction gets the relocation that describes
             * it (the architecture knows) */
            const ka_arch *arch = ka_arch_for(f->elf.machine);
            keel_shdr tsh;
            const uint8_t *in = NULL;
            uint64_t in_size = 0;
            if (arch && arch->emitted && !eh && (o->flags & SHF_EXECINSTR) &&
                !keel_elf_shdr(&f->elf, sh.info, &tsh, NULL) &&
                keel_elf_section_data(&f->elf, &tsh, &in, &in_size, NULL))
                in = NULL;
            for (uint64_t k = 0; k < rs.count && e->cursor + 24 <= e->offset + e->count * 24; k++) {
                keel_rel r;
                keel_relocs_get(&rs, k, &r);
                if (eh && !lk_eh_offset(eh, r.offset, &r.offset))
                    continue; /* in a record the editing dropped */
                if (in && in_size >= tsh.size)
                    arch->emitted(in, buf + o->offset + f->pos[sh.info], tsh.size, &r.type, &r.offset, &r.addend);
                emit_one(l, f, o, base, &r, e, buf);
            }
        }
    }
    for (size_t k = 0; k < l->nemits; k++) {
        const lk_emit *e = &l->emits[k];
        uint8_t *h = shdrs + (uint64_t)e->index * 64;
        memset(h, 0, 64);
        put32(h, e->name);
        put32(h + 4, SHT_RELA);
        put64(h + 8, SHF_INFO_LINK);
        put64(h + 24, e->offset);
        put64(h + 32, e->count * 24);
        put32(h + 40, symtab_index);
        put32(h + 44, e->target->index);
        put64(h + 48, 8);
        put64(h + 56, 24);
    }
}
