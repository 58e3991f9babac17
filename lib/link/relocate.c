/* Symbol values and relocations of a static executable.  The GOT is
 * static: each slot a GOT-relative reference needs (a GOT load, and
 * initial-exec TLS) holds the final value, written by the link-editor.
 * What a relocation type means, how its field is written and which
 * instruction sequences relax is the target's (lib/arch); this file
 * supplies the symbol, place, GOT and TLS values.  Thread-local addresses
 * follow the target's TLS variant (x86-64: variant II, the thread pointer
 * at the end of the TLS block, variables below it). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dyn.h"
#include "../elfdefs.h"
#include "../arch/arch.h"

/* The address of a section-relative definition in the output. */
static bool in_output(const lk_file *f, uint32_t shndx, uint64_t value, uint64_t *out)
{
    if (shndx >= f->elf.shnum || !f->out[shndx])
        return false;
    if (f->merged && f->merged[shndx]) { /* its strings are in the pool now */
        *out = f->out[shndx]->addr + lk_merged_offset(f->out[shndx], f->merged[shndx], value);
        return true;
    }
    if (f->eh && f->eh[shndx]) { /* an edited .eh_frame: its records moved */
        *out = f->out[shndx]->addr + lk_eh_symbol(f->out[shndx], f->eh[shndx], value);
        return true;
    }
    *out = f->out[shndx]->addr + f->pos[shndx] + value;
    return true;
}

static const lk_osec *find_osec(const lk_link *l, const char *name)
{
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            if (strcmp(l->segs[s]->secs[i]->name, name) == 0)
                return l->segs[s]->secs[i];
    return NULL;
}

/* What the link-editor defines (static-link-needs.md). */
bool lk_linker_value(const lk_link *l, const char *name, uint64_t *v)
{
    const lk_segment *text = lk_seg_role(l, LK_ROLE_TEXT), *data = lk_seg_role(l, LK_ROLE_DATA);
    const lk_osec *o;
    uint64_t data_end = data->nsecs ? data->vaddr + data->memsz : l->image_end;
    uint64_t data_file_end = data->nsecs ? data->vaddr + data->filesz : data_end;
    if (!strcmp(name, "__ehdr_start") || !strcmp(name, "__executable_start"))
        *v = l->nloads ? l->loads[0].vaddr : text->vaddr; /* the first PT_LOAD holds the headers */
    else if (!strcmp(name, "_end") || !strcmp(name, "end"))
        *v = data_end;
    else if (!strcmp(name, "_edata") || !strcmp(name, "edata") || !strcmp(name, "__bss_start"))
        *v = data_file_end;
    else if (!strcmp(name, "_etext") || !strcmp(name, "etext") || !strcmp(name, "__etext"))
        *v = (o = find_osec(l, ".fini")) || (o = find_osec(l, ".text")) ? o->addr + o->size : text->vaddr + text->memsz;
    else if (!strcmp(name, "_GLOBAL_OFFSET_TABLE_"))
        *v = l->dyn && l->dyn->got_plt ? l->dyn->got_plt->addr : l->got ? l->got->addr : data_end;
    else if (l->dyn && (!strcmp(name, "__rela_iplt_start") || !strcmp(name, "__rela_iplt_end")))
        *v = l->rela_iplt ? l->rela_iplt->addr : text->vaddr; /* DT_JMPREL has them: an empty range */
    else if (!strcmp(name, "__rela_iplt_start"))
        *v = l->rela_iplt ? l->rela_iplt->addr : text->vaddr; /* none: an empty range */
    else if (!strcmp(name, "__rela_iplt_end"))
        *v = l->rela_iplt ? l->rela_iplt->addr + l->rela_iplt->size : text->vaddr;
    else if (!strcmp(name, "_TLS_MODULE_BASE_"))
        *v = l->tls_start;
    else if (!strcmp(name, "_DYNAMIC"))
        *v = l->dyn && l->dyn->dynamic ? l->dyn->dynamic->addr : 0; /* a static executable has none */
    else {
        static const struct {
            const char *sec, *start, *stop;
        } arrays[] = {
            {".preinit_array", "__preinit_array_start", "__preinit_array_end"},
            {".init_array", "__init_array_start", "__init_array_end"},
            {".fini_array", "__fini_array_start", "__fini_array_end"},
        };
        for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
            if (!strcmp(name, arrays[i].start) || !strcmp(name, arrays[i].stop)) {
                o = find_osec(l, arrays[i].sec);
                *v = o             ? o->addr + (name == arrays[i].start || !strcmp(name, arrays[i].start) ? 0 : o->size)
                     : data->nsecs ? data->vaddr
                                   : text->vaddr;
                return true;
            }
        const char *sec = !strncmp(name, "__start_", 8) ? name + 8 : !strncmp(name, "__stop_", 7) ? name + 7 : NULL;
        if (sec && (o = find_osec(l, sec))) {
            *v = o->addr + (name[2] == 's' && name[3] == 't' && name[4] == 'a' ? 0 : o->size);
            return true;
        }
        return lk_seg_size_symbol(l, name, v); /* a segment's size (segments.c) */
    }
    return true;
}

const char *lk_place_text(const lk_place *p, char *buf, size_t size)
{
    if (!p)
        return "keel link";
    if (!p->section)
        return p->file;
    snprintf(buf, size, "%s:(%s+0x%llx)", p->file, p->section, (unsigned long long)p->offset);
    return buf;
}

uint64_t lk_common_address(const lk_link *l, const lk_sym *s)
{
    if (s->type == STT_TLS)
        return l->tcommon->addr + l->tcommon->pieces[l->tcommon_piece].offset + s->common_offset;
    return l->common->addr + l->common->pieces[l->common_piece].offset + s->common_offset;
}

static int global_value(lk_link *l, lk_sym *s, uint64_t *value, uint64_t *size, bool *tls, const lk_place *where,
                        int depth);

/* A global's value, size and TLS-ness: once the addresses are final
 * they no longer change, and each relocation against the symbol asked
 * for them anew (the definition's symbol read from its file: 2% of a
 * C++ link's time, in cache misses); an answer then is kept in the
 * symbol.  An error is never kept: its message names the place. */
int lk_global_value(lk_link *l, lk_sym *s, uint64_t *value, uint64_t *size, bool *tls, const lk_place *where, int depth)
{
    /* (fill.c's two threads may ask at once: the answer is stored before
     * the flag, and read after it) */
    if (__atomic_load_n(&s->cached, __ATOMIC_ACQUIRE)) {
        *value = s->cvalue;
        *size = s->csize;
        *tls = s->ctls;
        return 0;
    }
    int rc = global_value(l, s, value, size, tls, where, depth);
    if (!rc && l->values_final) {
        s->cvalue = *value;
        s->csize = *size;
        s->ctls = *tls;
        __atomic_store_n(&s->cached, true, __ATOMIC_RELEASE);
    }
    return rc;
}

static int global_value(lk_link *l, lk_sym *s, uint64_t *value, uint64_t *size, bool *tls, const lk_place *where,
                        int depth)
{
    keel_error e;
    *size = 0;
    *tls = false;
    if (s->defsym) { /* --defsym NAME=NUMBER or NAME=SYMBOL[+-NUMBER] */
        char *end;
        unsigned long long n = strtoull(s->defsym, &end, 0);
        if (end != s->defsym && !*end) {
            *value = n;
            return 0;
        }
        char other[256];
        size_t len = strcspn(s->defsym, "+-");
        if (len >= sizeof other || depth > 16)
            return lk_fail(l, KEEL_E_FORMAT, "--defsym %s=%s: cannot evaluate", s->name, s->defsym);
        memcpy(other, s->defsym, len);
        other[len] = 0;
        while (len && other[len - 1] == ' ')
            other[--len] = 0;
        long long delta = s->defsym[len] ? strtoll(s->defsym + len, &end, 0) : 0;
        lk_sym *o = lk_sym_find(&l->syms, other, lk_hash(other));
        if (!o)
            return lk_fail(l, KEEL_E_INDEX, "--defsym %s=%s: '%s' is not defined", s->name, s->defsym, other);
        int rc = lk_global_value(l, o, value, size, tls, where, depth + 1);
        *value += (uint64_t)delta;
        return rc;
    }
    if (s->state == LK_DEFINED || s->state == LK_WEAK) {
        keel_sym d;
        if (keel_symtab_get(&s->def->symtab, s->def_index, &d, &e))
            return lk_fail(l, e.code, "%s: %s", s->def->name, e.msg);
        *size = d.size;
        *tls = KEEL_ST_TYPE(d.info) == STT_TLS;
        if (KEEL_ST_TYPE(d.info) == STT_GNU_IFUNC && s->def->ifunc && s->def->ifunc[s->def_index]) {
            *value = l->iplt->addr + l->arch->iplt_size * (uint64_t)(s->def->ifunc[s->def_index] - 1);
            return 0;
        }
        if (d.raw_shndx == SHN_ABS) {
            *value = d.value;
            return 0;
        }
        if (in_output(s->def, d.shndx, d.value, value))
            return 0;
        return lk_fail(l, KEEL_E_INDEX, "%s: '%s' is defined in a section that is not linked", s->def->name, s->name);
    }
    if (s->state == LK_SHARED) /* an import: its copy or canonical PLT entry, else 0 (dyn_import.c) */
        return lk_import_value(l, s, value, size);
    if (s->state == LK_COMMON) {
        *value = lk_common_address(l, s);
        *size = s->size;
        *tls = s->type == STT_TLS;
        return 0;
    }
    if (lk_linker_value(l, s->name, value))
        return 0;
    if (s->state == LK_UNDEF && !l->undef_ok) { /* only relaxed-away references may stay undefined (__tls_get_addr) */
        char buf[300];
        return lk_fail(l, KEEL_E_INDEX, "%s: undefined reference to '%s'", lk_place_text(where, buf, sizeof buf),
                       s->name);
    }
    *value = 0; /* an undefined weak symbol, or an undefined one let through (link.c) */
    return 0;
}

static int symbol_value_of(lk_link *l, lk_file *f, uint64_t symi, const keel_sym *symp, uint64_t *value, uint64_t *size,
                           bool *tls, const lk_place *where);

int lk_symbol_value(lk_link *l, lk_file *f, uint64_t symi, uint64_t *value, uint64_t *size, bool *tls,
                    const lk_place *where)
{
    keel_sym sym;
    keel_error e;
    if (symi != 0 && keel_symtab_get(&f->symtab, symi, &sym, &e))
        return lk_fail(l, e.code, "%s: symbol %llu: %s", f->name, (unsigned long long)symi, e.msg);
    return symbol_value_of(l, f, symi, &sym, value, size, tls, where);
}

/* lk_symbol_value of symbol symi, read already into *symp (the write
 * pass has each relocation's symbol in hand: reading it twice was 1% of
 * the link) */
static int symbol_value_of(lk_link *l, lk_file *f, uint64_t symi, const keel_sym *symp, uint64_t *value, uint64_t *size,
                           bool *tls, const lk_place *where)
{
    const char *name;
    keel_error e;
    if (symi == 0) { /* STN_UNDEF: no symbol, S = 0 (an absolute target such as `jmp 0`), as GNU ld takes it */
        *value = *size = 0;
        *tls = false;
        return 0;
    }
    const keel_sym sym = *symp;
    if (keel_symtab_name(&f->symtab, &sym, &name, &e))
        return lk_fail(l, e.code, "%s: symbol %llu: %s", f->name, (unsigned long long)symi, e.msg);
    *size = sym.size;
    *tls = KEEL_ST_TYPE(sym.info) == STT_TLS;
    if (KEEL_ST_TYPE(sym.info) == STT_GNU_IFUNC && sym.shndx != SHN_UNDEF && f->ifunc && f->ifunc[symi]) {
        *value = l->iplt->addr +
                 l->arch->iplt_size * (uint64_t)(f->ifunc[symi] - 1); /* its canonical address: the stub */
        return 0;
    }
    if (KEEL_ST_BIND(sym.info) == STB_LOCAL) {
        if (sym.raw_shndx == SHN_ABS) {
            *value = sym.value;
            return 0;
        }
        if (in_output(f, sym.shndx, sym.value, value))
            return 0;
        return lk_fail(l, KEEL_E_INDEX, "%s: local symbol '%s' is in a section that is not linked", f->name, name);
    }
    lk_sym *s = lk_file_sym(l, f, symi, name);
    if (!s)
        return lk_fail(l, KEEL_E_INDEX, "%s: symbol '%s' is not in the link", f->name, name);
    lk_place whole = {f->name, NULL, 0};
    return lk_global_value(l, s, value, size, tls, where ? where : &whole, 0);
}

/* The TLS block: from the first TLS output section to the end of the last;
 * the thread pointer where the target's variant puts it (x86-64: at its
 * end, aligned). */
void lk_tls_layout(lk_link *l)
{
    const lk_segment *d = lk_seg_role(l, LK_ROLE_DATA);
    uint64_t lo = 0, hi = 0, align = 1;
    for (size_t i = 0; i < d->nsecs; i++) {
        const lk_osec *o = d->secs[i];
        if (!(o->flags & SHF_TLS))
            continue;
        if (!lo)
            lo = o->addr;
        hi = o->addr + o->size;
        if (o->align > align)
            align = o->align;
        if (o->type != SHT_NOBITS)
            l->tls_filesz = hi - lo;
    }
    l->tls_start = lo;
    l->tls_memsz = hi - lo;
    l->tls_align = align;
    l->tls_tp = lo ? ka_tls_tp(l->arch, lo, hi, align) : 0;
}

static bool is_named(const lk_file *f, uint64_t symi, const char *name)
{
    keel_sym sym;
    const char *sn;
    return !keel_symtab_get(&f->symtab, symi, &sym, NULL) && !keel_symtab_name(&f->symtab, &sym, &sn, NULL) &&
           strcmp(sn, name) == 0;
}

/* A global whose definition is in a section not linked (--gc-sections). */
static bool global_is_dead(lk_link *l, lk_file *f, uint64_t symi)
{
    keel_sym sym, d;
    const char *sn;
    if (!f->live && !l->opt->gc_sections)
        return false;
    if (keel_symtab_get(&f->symtab, symi, &sym, NULL) || keel_symtab_name(&f->symtab, &sym, &sn, NULL))
        return false;
    lk_sym *s = lk_file_sym(l, f, symi, sn);
    if (!s || !s->def || s->defsym || keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL))
        return false;
    return d.shndx != 0 && d.shndx < s->def->elf.shnum && !s->def->out[d.shndx];
}

/* The value ld.bfd's _bfd_clear_contents leaves in a field that refers to
 * code not linked: 0, but 1 in .debug_ranges, where (0, 0) would end the
 * list and hide the entries after it. */
static void tombstone(uint8_t *place, uint8_t size, const char *section)
{
    uint64_t v = strcmp(section, ".debug_ranges") == 0;
    if (size == 1 || size == 2 || size == 4 || size == 8)
        for (uint8_t i = 0; i < size; i++)
            place[i] = (uint8_t)(v >> (8 * i)); /* little-endian, as the x86-64 fields */
}

/* A static GOT slot's word: fill.c's two threads may each write a slot
 * that files of both reach (the same value, the symbol's), so an aligned
 * word is stored atomically. */
static void got_store(const ka_arch *arch, uint8_t *slot, uint64_t v)
{
    uint8_t w[8];
    ka_put_word(arch, w, v); /* (in the target's byte order) */
    if (arch->word_size == 8 && !((uintptr_t)slot & 7)) {
        uint64_t x;
        memcpy(&x, w, 8);
        __atomic_store_n((uint64_t *)(void *)slot, x, __ATOMIC_RELAXED);
    } else if (arch->word_size == 4 && !((uintptr_t)slot & 3)) {
        uint32_t x;
        memcpy(&x, w, 4);
        __atomic_store_n((uint32_t *)(void *)slot, x, __ATOMIC_RELAXED);
    } else
        memcpy(slot, w, arch->word_size);
}

int lk_relocate_section(lk_link *l, lk_file *f, uint32_t rela, uint8_t *out, const lk_osec *o, uint64_t base)
{
    const ka_arch *arch = l->arch;
    bool big_endian = arch->byteorder == 2; /* ELFDATA2MSB */
    keel_relocs rs;
    keel_error e;
    if (keel_elf_relocs(&f->elf, rela, &rs, &e)) /* (so rela < shnum) */
        return lk_fail(l, e.code, "%s: relocation section %u: %s", f->name, rela, e.msg);
    /* the headers and names as kr_input_sections read them, once */
    uint32_t target = f->sections[rela].info;
    keel_shdr tsh = {0}; /* (its size, which an edited .eh_frame changes) */
    const char *tname = "?";
    if (target < f->nsections) {
        tsh.size = f->sections[target].size;
        if (f->sections[target].name)
            tname = f->sections[target].name;
    }
    bool alloc = o->flags & SHF_ALLOC;
    /* where a reference to code not linked is let through, tombstoned:
     * unallocated sections (debug information) and the unwind tables.
     * Asked once per section (per relocation it was 1.3% of static
     * Python's link) */
    bool dead_ok = !alloc || strcmp(o->name, ".eh_frame") == 0 || strcmp(o->name, ".gcc_except_table") == 0;
    uint64_t got_base; /* what GOT-relative relocations count from: _GLOBAL_OFFSET_TABLE_ */
    lk_linker_value(l, "_GLOBAL_OFFSET_TABLE_", &got_base);
    const struct lk_eh *eh = f->eh && target < f->elf.shnum ? f->eh[target] : NULL;
    if (eh) /* an edited .eh_frame: its records moved (ehedit.c) */
        tsh.size = lk_eh_size(eh);
    for (uint64_t k = 0; k < rs.count; k++) {
        keel_rel r;
        keel_relocs_get(&rs, k, &r);
        if (eh && !lk_eh_offset(eh, r.offset, &r.offset))
            continue; /* in a record dropped */
        const ka_howto *h = arch->howto(r.type);
        if (!h)
            return lk_fail(l, KEEL_E_UNSUPPORTED, "%s:(%s+0x%llx): relocation type %u is not supported", f->name, tname,
                           (unsigned long long)r.offset, r.type);
        uint64_t end;
        if (h->formula == KA_F_MARKER && (h->needs & KA_NEED_TLSDESC) && alloc && !l->opt->shared) {
            /* the call through the descriptor: gone with it (relaxed below) */
            if (!arch->relax_tls_le(r.type, out, tsh.size, r.offset, 0, &end))
                return lk_fail(l, KEEL_E_FORMAT, "%s:(%s+0x%llx): not the TLS descriptor call sequence", f->name, tname,
                               (unsigned long long)r.offset);
            continue;
        }
        if (h->formula == KA_F_NONE || h->formula == KA_F_MARKER)
            continue;
        if (r.offset > tsh.size || tsh.size - r.offset < h->size)
            return lk_fail(l, KEEL_E_RANGE, "%s:(%s+0x%llx): %s: the place is outside the section", f->name, tname,
                           (unsigned long long)r.offset, h->name);
        uint64_t S, Z;
        bool tls;
        lk_place here = {f->name, tname, r.offset};
        char where[300]; /* formatted only for a message */
        keel_sym rsym = {0};
        bool kept = false; /* S is the kept twin's, of a dropped COMDAT copy */
        bool have_rsym = !keel_symtab_get(&f->symtab, r.sym, &rsym, NULL);
        if (have_rsym && KEEL_ST_BIND(rsym.info) == STB_LOCAL && rsym.shndx > 0 && rsym.shndx < f->elf.shnum &&
            (f->dropped[rsym.shndx] || (f->live && !f->out[rsym.shndx]))) {
            /* a local reference into this object's dropped copy of a COMDAT
             * group, or a section --gc-sections removed.  Debug information
             * points at the kept copy when there is one of the same size
             * (ld.bfd's PRETEND); otherwise what describes that code (debug
             * information, unwind tables) gets ld.bfd's tombstone */
            lk_file *kf;
            uint32_t ks;
            if (!alloc && lk_kept_section(f, rsym.shndx, &kf, &ks) && in_output(kf, ks, rsym.value, &S)) {
                kept = true;
                Z = rsym.size;
                tls = false;
            } else {
                if (!dead_ok)
                    return lk_discarded_reference(l, f, &rsym, tname);
                tombstone(out + r.offset, h->size, tname);
                continue;
            }
        }
        if (!kept && dead_ok && KEEL_ST_BIND(rsym.info) != STB_LOCAL && global_is_dead(l, f, r.sym)) {
            tombstone(out + r.offset, h->size, tname); /* a global --gc-sections removed */
            continue;
        }
        int rc = kept        ? 0
                 : have_rsym ? symbol_value_of(l, f, r.sym, &rsym, &S, &Z, &tls, &here)
                             : lk_symbol_value(l, f, r.sym, &S, &Z, &tls, &here);
        if (rc)
            return rc;
        if (!kept && KEEL_ST_TYPE(rsym.info) == STT_SECTION && rsym.shndx < f->elf.shnum && f->merged &&
            f->merged[rsym.shndx]) {
            /* a section symbol plus an addend into a merged section (how
             * gcc reaches a string literal, and DWARF its .debug_str):
             * the string holding that offset, the offset within it kept
             * (GNU ld's _bfd_merged_section_offset rule) */
            in_output(f, rsym.shndx, rsym.value + (uint64_t)r.addend, &S);
            r.addend = 0;
        }
        ka_reloc_in in = {.S = S, .A = r.addend, .P = base + r.offset, .Z = Z, .L = S, .GOT = got_base};
        if (l->dyn && h->formula == KA_F_PLT) /* a call to a preemptible symbol: its PLT entry (-shared) */
            lk_dyn_plt_address(l, f, r.sym, &in.L);
        /* what it needs after relaxation, as the scan was told (scan.c):
         * the target says what the instruction allows, the symbol's
         * needs what the symbol does */
        bool got_relaxes = false;
        uint16_t need = h->needs; /* (what ka_reloc_need answers for a relocation of no GOT or TLS model) */
        if (h->needs & (KA_NEED_GOT | KA_NEED_TLS_IE | KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC))
            need = ka_reloc_need(arch, r.type, out, tsh.size, r.offset, &got_relaxes);
        if (!l->opt->shared && (h->needs & (KA_NEED_TLS_GD | KA_NEED_TLSDESC)) && lk_dyn_tls_kept(l, f, r.sym)) {
            /* an import's general dynamic or descriptor access in an
             * executable: initial exec through its TPOFF64 slot, as GNU
             * ld relaxes it (the call after it is gone) */
            uint64_t index;
            if (!l->got || lk_got_slot(l, f, r.sym, LK_GOT_TPOFF, &index) ||
                !arch->relax_tls_to_ie(r.type, out, tsh.size, r.offset, base + r.offset,
                                       l->got->addr + index * arch->word_size, &end))
                return lk_fail(l, KEEL_E_UNSUPPORTED,
                               "%s:(%s+0x%llx): a TLS sequence keel cannot relax to initial-exec (or its GOT slot is "
                               "out of reach)",
                               f->name, tname, (unsigned long long)r.offset);
            while (k + 1 < rs.count) {
                keel_rel next;
                keel_relocs_get(&rs, k + 1, &next);
                if (next.offset <= r.offset || next.offset >= end)
                    break;
                k++;
            }
            continue;
        }
        bool tls_kept = l->opt->shared ||
                        ((h->needs & (KA_NEED_TLS_GD | KA_NEED_TLS_IE)) && lk_dyn_tls_kept(l, f, r.sym));
        if (tls_kept) /* a shared object's TLS, or an import's, stays as its code has it (dyn_tls.c) */
            need = h->needs;
        if (tls_kept && (h->needs & (KA_NEED_TLS_GD | KA_NEED_TLS_LD)))
            in.T = lk_dyn_tls_pair(l, f, r.sym, h->needs & KA_NEED_TLS_LD);
        if (l->opt->shared && (h->needs & KA_NEED_TLSDESC)) /* the call through it kept */
            in.T = lk_dyn_tlsdesc_address(l, f, r.sym);
        if ((h->needs & (KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC)) && (need & KA_NEED_TLS_LE)) {
            /* a static executable has one TLS block at a fixed offset from
             * the thread pointer: relax to local-exec, as GNU ld does */
            /* _TLS_MODULE_BASE_ is the block's start: after relaxation the
             * @dtpoff that follows is already thread-pointer relative */
            bool module_base = is_named(f, r.sym, "_TLS_MODULE_BASE_");
            if (!arch->relax_tls_le(r.type, out, tsh.size, r.offset, (uint32_t)(module_base ? 0 : S - l->tls_tp), &end))
                return lk_fail(l, KEEL_E_UNSUPPORTED, "%s:(%s+0x%llx): a TLS sequence keel cannot relax to local-exec",
                               f->name, tname, (unsigned long long)r.offset);
            /* the call to __tls_get_addr is gone with its relocation */
            while (k + 1 < rs.count) {
                keel_rel next;
                keel_relocs_get(&rs, k + 1, &next);
                if (next.offset <= r.offset || next.offset >= end)
                    break;
                k++;
            }
            continue;
        }
        if ((h->needs & KA_NEED_TLS_IE) && (need & KA_NEED_TLS_LE)) {
            /* initial-exec to local-exec, as GNU ld relaxes it in an
             * executable: the offset is an immediate, no GOT slot */
            int64_t tpoff = (int64_t)(S - l->tls_tp);
            if (!arch->relax_tls_ie(out, r.offset, tpoff))
                return lk_fail(l, KEEL_E_RANGE, "%s: %s: the TLS offset 0x%llx is out of range",
                               lk_place_text(&here, where, sizeof where), h->name, (unsigned long long)tpoff);
            continue;
        }
        if (h->needs & KA_NEED_TLS_LE)
            in.T = S - l->tls_tp;
        if (h->needs & KA_NEED_TLS_DTPOFF) /* after relaxation code wants the TP offset; debug info the block's */
            in.T = alloc && !l->opt->shared ? S - l->tls_tp : S - l->tls_start;
        const lk_needs *sneeds = (need & KA_NEED_GOT) && got_relaxes && !tls ? lk_needs_of(l, f, r.sym) : NULL;
        if (sneeds && (sneeds->flags & LK_N_DIRECT) &&
            (lk_dyn_pic(l) ? arch->relax_got_load_pic : arch->relax_got_load)(out, tsh.size, r.offset, r.type, S,
                                                                              r.addend, base + r.offset)) {
            /* a load from the GOT that addresses the symbol directly now, as
             * GNU ld relaxes it (the scan gave it no slot for this) */
            continue;
        }
        if (h->needs & (KA_NEED_GOT | KA_NEED_TLS_IE)) {
            /* the symbol's static GOT slot (got.c): its address, or for
             * initial-exec TLS its offset from the thread pointer */
            bool ie = h->needs & KA_NEED_TLS_IE;
            uint64_t index;
            if (!l->got || lk_got_slot(l, f, r.sym, ie ? LK_GOT_TPOFF : LK_GOT_ADDRESS, &index))
                return lk_fail(l, KEEL_E_RANGE,
                               "%s: %s: the symbol has no GOT slot, and the instruction cannot "
                               "address it directly (out of reach)",
                               lk_place_text(&here, where, sizeof where), h->name);
            uint64_t v = ie ? S - l->tls_tp : S;
            got_store(arch, l->got->data + index * arch->word_size, v);
            in.G = l->got->addr + index * arch->word_size;
            in.T = in.G;
        }
        uint64_t value;
        if (ka_reloc_apply(arch, h, &in, out + r.offset, big_endian, &value)) {
            keel_sym tsym;
            const char *sn = "?";
            if (!keel_symtab_get(&f->symtab, r.sym, &tsym, NULL))
                keel_symtab_name(&f->symtab, &tsym, &sn, NULL);
            return lk_fail(l, KEEL_E_RANGE, "%s: relocation %s against '%s' out of range (value 0x%llx)",
                           lk_place_text(&here, where, sizeof where), h->name, *sn ? sn : "(a section)",
                           (unsigned long long)value);
        }
        if (l->dyn && alloc) /* an absolute address: relocated at load time (dyn_scan.c) */
            lk_dyn_word(l, f, r.sym, have_rsym ? &rsym : NULL, r.type, base + r.offset, value, r.addend,
                        o->flags & SHF_WRITE);
    }
    return 0;
}

bool lk_linked_relocs(const lk_file *f, uint32_t i, keel_relocs *rs, keel_shdr *target)
{
    const kr_input_section *sh = &f->sections[i]; /* (the table as read once: most sections are no RELA) */
    return sh->type == SHT_RELA && sh->info < f->elf.shnum && f->out[sh->info] &&
           !keel_elf_relocs(&f->elf, i, rs, NULL) && !keel_elf_shdr(&f->elf, sh->info, target, NULL);
}

bool lk_ifunc_target(lk_link *l, lk_file *f, uint64_t symi, lk_file **df, uint32_t *di)
{
    keel_sym sym;
    return !keel_symtab_get(&f->symtab, symi, &sym, NULL) && lk_ifunc_target_sym(l, f, symi, &sym, df, di);
}

bool lk_ifunc_target_sym(lk_link *l, lk_file *f, uint64_t symi, const keel_sym *symp, lk_file **df, uint32_t *di)
{
    const keel_sym sym = *symp;
    const char *name;
    if (KEEL_ST_BIND(sym.info) == STB_LOCAL || sym.shndx != SHN_UNDEF) {
        if (KEEL_ST_TYPE(sym.info) != STT_GNU_IFUNC || sym.shndx == SHN_UNDEF)
            return false;
        if (KEEL_ST_BIND(sym.info) != STB_LOCAL) { /* a global: the winning definition counts */
            if (keel_symtab_name(&f->symtab, &sym, &name, NULL))
                return false;
            lk_sym *s = lk_file_sym(l, f, symi, name);
            if (s && s->def && (s->def != f || s->def_index != symi))
                return lk_ifunc_target(l, s->def, s->def_index, df, di);
        }
        *df = f;
        *di = (uint32_t)symi;
        return true;
    }
    /* asked of every relocation: the global as this file looked it up
     * before (its name read only the first time), and the definition's
     * type as resolution recorded it (s->type, read from its symbol) */
    lk_sym *s = f->gsym && symi < f->symtab.count ? f->gsym[symi] : NULL;
    if (!s && (keel_symtab_name(&f->symtab, &sym, &name, NULL) || !(s = lk_file_sym(l, f, symi, name))))
        return false;
    if (!s->def || (s->state != LK_DEFINED && s->state != LK_WEAK) || s->type != STT_GNU_IFUNC)
        return false;
    *df = s->def;
    *di = s->def_index;
    return true;
}

void lk_fill_ifuncs(lk_link *l, uint8_t *buf)
{
    for (size_t i = 0; i < l->nifuncs; i++) {
        lk_file *f = l->ifuncs[i].file;
        keel_sym sym;
        uint64_t resolver = 0;
        if (!keel_symtab_get(&f->symtab, l->ifuncs[i].sym, &sym, NULL))
            in_output(f, sym.shndx, sym.value, &resolver);
        /* (a resolver in a section not linked was refused by the scan: scan.c) */
        const ka_arch *a = l->arch;
        uint64_t stub = l->iplt->addr + a->iplt_size * i, slot = l->igot->addr + a->word_size * i;
        a->write_iplt(buf + l->iplt->offset + a->iplt_size * i, stub, slot);
        ka_put_word(a, buf + l->igot->offset + a->word_size * i, resolver);
        /* IRELATIVE, no symbol: the slot gets what the resolver returns */
        ka_write_rela(a, buf + l->rela_iplt->offset + a->rela_size * i, slot, 0, a->dyn.irelative, (int64_t)resolver);
    }
}
