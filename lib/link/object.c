/* An object joins the link: its COMDAT groups (the first copy of a group
 * wins), then its global symbols, by the linker's rules: a strong
 * definition beats a weak one and a common; a common beats a weak
 * definition; two commons keep the larger; two strong definitions are an
 * error naming both places. */
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
#include "internal.h"
#include "dso.h"
#include "../arch/arch.h"

/* "file:(.section+0xoffset)" for a symbol's definition. */
static void place_of(const lk_file *f, uint32_t symi, char *buf, size_t size)
{
    keel_sym sym;
    keel_shdr sh;
    const char *sec = "*ABS*";
    if (keel_symtab_get(&f->symtab, symi, &sym, NULL)) {
        snprintf(buf, size, "%s", f->name);
        return;
    }
    if (sym.raw_shndx == SHN_COMMON)
        sec = "COMMON";
    else if (sym.raw_shndx != SHN_ABS && !keel_elf_shdr(&f->elf, sym.shndx, &sh, NULL))
        keel_elf_section_name(&f->elf, &sh, &sec, NULL);
    kr_place(buf, size, f->name, sec, sym.value);
}

/* kr_input_sections has read every header and name once (NULL: none) */
static const char *section_name(const lk_file *f, uint32_t i)
{
    const char *name = f->sections[i].name;
    return name && *name ? name : "?";
}

/* A relocation section with entries must attach to something keel can
 * relocate, or the link would come out silently unrelocated.  ld.bfd's
 * rules (bfd_section_from_shdr) for a section it treats as relocations:
 * sh_link is the object's symbol table, sh_info names another section
 * that is neither a relocation section nor a table; x86-64 uses SHT_RELA
 * only, and a SHT_NOBITS section has no bytes to relocate.  An empty one
 * changes nothing and passes. */
static int check_relocations(lk_link *l, lk_file *f)
{
    keel_error e;
    for (uint32_t i = 1; i < f->elf.shnum; i++) {
        const kr_input_section sh = f->sections[i];
        keel_relocs rs;
        if ((sh.type != SHT_RELA && sh.type != SHT_REL) || sh.size == 0)
            continue;
        const char *name = section_name(f, i);
        if (sh.type == SHT_REL)
            return lk_fail(l, KEEL_E_UNSUPPORTED,
                           "%s: relocation section %s (%u) is SHT_REL: x86-64 relocations are "
                           "SHT_RELA only, keel cannot apply it",
                           f->name, name, i);
        if (!f->has_symtab || sh.link != f->symtab.section)
            return lk_fail(l, KEEL_E_LINK, "%s: relocation section %s (%u): sh_link %u is not the symbol table%s",
                           f->name, name, i, sh.link, f->has_symtab ? "" : " (the object has none)");
        if (sh.info == 0 || sh.info >= f->elf.shnum)
            return lk_fail(l, KEEL_E_INDEX,
                           "%s: relocation section %s (%u): sh_info %u names no section (%u "
                           "sections)",
                           f->name, name, i, sh.info, f->elf.shnum);
        if (sh.info == i)
            return lk_fail(l, KEEL_E_LINK, "%s: relocation section %s (%u): sh_info names the section itself", f->name,
                           name, i);
        const kr_input_section target = f->sections[sh.info];
        switch (target.type) {
        case SHT_NULL:
        case SHT_SYMTAB:
        case SHT_STRTAB:
        case SHT_RELA:
        case SHT_HASH:
        case SHT_DYNAMIC:
        case SHT_NOBITS:
        case SHT_REL:
        case SHT_DYNSYM:
        case SHT_GROUP:
        case SHT_SYMTAB_SHNDX:
        case SHT_RELR:
            return lk_fail(l, KEEL_E_LINK,
                           "%s: relocation section %s (%u): its target %s (%u) is of type 0x%x, "
                           "which has no bytes keel can relocate",
                           f->name, name, i, section_name(f, sh.info), sh.info, target.type);
        default: break;
        }
        if (keel_elf_relocs(&f->elf, i, &rs, &e))
            return lk_fail(l, e.code, "%s: relocation section %s (%u): %s", f->name, name, i, e.msg);
    }
    return 0;
}

/* The shared COMDAT rules (lib/resolve/comdat.c) over the link's tables:
 * group signatures and .gnu.linkonce.* names apart, as ld.bfd keeps them,
 * except that a one-member COMDAT group whose signature is a linkonce
 * name's key (X in .gnu.linkonce.T.X) and that defines the same symbols
 * is that section's copy, whichever comes first (ld.bfd's
 * _bfd_elf_section_already_linked). */
typedef struct claimer {
    lk_link *l;
    lk_file *f;
    bool failed; /* the claim itself failed (and said so): not kr_comdat's error */
} claimer;

static int claim_one(void *ctx, const char *key, bool linkonce, uint32_t shndx)
{
    claimer *c = ctx;
    lk_link *l = c->l;
    lk_symtab *t = linkonce ? &l->linkonce : &l->groups;
    uint32_t h = lk_hash(key);
    lk_sym *taken = lk_sym_find(t, key, h);
    const char *lkey = linkonce ? lk_linkonce_key(key) : NULL;
    uint32_t kh = lkey ? lk_hash(lkey) : 0;
    if (!taken && lkey) { /* .gnu.linkonce.T.X after a one-member COMDAT group X of the same symbols */
        lk_sym *g = lk_sym_find(&l->groups, lkey, kh);
        uint32_t m = g ? lk_sole_member(g->def, g->def_index) : 0;
        if (m && lk_same_symbols(g->def, m, c->f, shndx))
            taken = g;
    }
    uint32_t sole = taken || linkonce ? 0 : lk_sole_member(c->f, shndx);
    if (sole) { /* a one-member group after a linkonce section of its signature that defines the same
                 * symbols: the linkonce section wins (ld.bfd's _bfd_elf_section_already_linked) */
        lk_sym *lo = lk_sym_find(&l->linkonce_keys, key, h);
        if (lo && lk_same_symbols(lo->def, lo->def_index, c->f, sole))
            taken = lo;
    }
    if (taken) /* which copy won: debug references to this one go to it (kept.c) */
        return lk_keep_dropped(l, c->f, shndx, taken) ? -1 : 1;
    lk_sym *s = lk_sym_intern(t, &l->arena, key, h);
    if (!s)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory"), -1;
    s->def = c->f;
    s->def_index = shndx;                                    /* the kept group section, or linkonce section */
    if (lkey && !lk_sym_find(&l->linkonce_keys, lkey, kh)) { /* the first of its key, for groups to meet */
        lk_sym *k = lk_sym_intern(&l->linkonce_keys, &l->arena, lkey, kh);
        if (!k)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory"), -1;
        k->def = c->f;
        k->def_index = shndx;
    }
    return 0;
}

/* kr_comdat passes a claim's negative value back, and its own errors are
 * negative too: the claimer remembers which it was */
static int claim(void *ctx, const char *key, bool linkonce, uint32_t shndx)
{
    int rc = claim_one(ctx, key, linkonce, shndx);
    if (rc < 0)
        ((claimer *)ctx)->failed = true;
    return rc;
}

static int add_groups(lk_link *l, lk_file *f)
{
    keel_error e;
    claimer c = {l, f, false};
    int rc = kr_comdat_in(&f->in, f->dropped, claim, &c, &e);
    /* the claim's own failure has said itself; kr_comdat's errors are
     * negative too (KEEL_E_*), and say themselves through e */
    if (c.failed)
        return l->err->code;
    if (rc)
        return lk_fail(l, e.code, "%s: %s", f->name, e.msg);
    return lk_keep_members(l, f); /* a dropped group's members: the group's winner */
}

/* NAME@@VER (an assembler .symver name, the default version) defines
 * NAME too, as ld.bfd's indirect symbol does: references to NAME bind to
 * it, a second definition of NAME is a multiple definition, and NAME is
 * not written to .symtab (LK_POL_ALIAS).  Not in -r, which keeps NAME's
 * references as they are, as ld.bfd's -r does. */
static int default_version(lk_link *l, lk_file *f, uint32_t i, const char *full, size_t len, kr_kind kind,
                           const keel_sym *sym)
{
    char *base = lk_strndup(&l->arena, full, len);
    lk_sym *a = base ? lk_sym_intern(&l->syms, &l->arena, base, lk_hash(base)) : NULL;
    if (!a)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    if (a->defsym)
        return 0;
    kr_def have = {(kr_kind)a->state, a->size, a->align};
    kr_verdict v = kr_resolve(&have, kind, sym->size, 1);
    if (v == KR_CONFLICT) {
        if (l->opt->allow_multiple_definition)
            return 0;
        char here[256], there[256];
        kr_place(here, sizeof here, f->name, "*IND*", 0); /* ld.bfd's place of an indirect symbol */
        place_of(a->def, a->def_index, there, sizeof there);
        if (l->opt->noinhibit_exec) {
            lk_diag(l, KEEL_DIAG_ERROR, "%s: multiple definition of '%s'; %s: first defined here", here, base, there);
            return 0;
        }
        return lk_fail(l, KEEL_E_FORMAT, "%s: multiple definition of '%s'; %s: first defined here", here, base, there);
    }
    a->state = (uint8_t)have.kind;
    if (v == KR_TAKE) {
        a->def = f;
        a->def_index = i;
        a->type = KEEL_ST_TYPE(sym->info);
        a->pol_flags |= LK_POL_ALIAS;
    }
    return 0;
}

/* NAME's references are NAME@@VER's, as those of ld.bfd's indirect
 * symbol are: preemptible as it is, bound through its .dynsym entry (the
 * alias has none) and sharing its GOT slot and PLT entry. */
lk_sym *lk_sym_unalias(lk_sym *s)
{
    if (!s || !(s->pol_flags & LK_POL_ALIAS) || !s->def || !s->def->gsym || s->def_index >= s->def->symtab.count)
        return s;
    lk_sym *full = s->def->gsym[s->def_index];
    return full && full != s && full->def == s->def && full->def_index == s->def_index ? full : s;
}

/* The name a multiple definition names: a default version's full name
 * when NAME is its alias (ld.bfd's words). */
static const char *defined_name(const lk_sym *s)
{
    keel_sym d;
    const char *n;
    if ((s->pol_flags & LK_POL_ALIAS) && s->def && !keel_symtab_get(&s->def->symtab, s->def_index, &d, NULL) &&
        !keel_symtab_name(&s->def->symtab, &d, &n, NULL))
        return n;
    return s->name;
}

static int add_symbols(lk_link *l, lk_file *f)
{
    keel_error e;
    if (!(f->gsym = lk_zalloc(&l->arena, (f->symtab.count + 1) * sizeof *f->gsym)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (uint64_t i = f->symtab.first_global; i < f->symtab.count; i++) {
        keel_sym sym;
        const char *name;
        if (keel_symtab_get(&f->symtab, i, &sym, &e) || keel_symtab_name(&f->symtab, &sym, &name, &e))
            return lk_fail(l, e.code, "%s: symbol %llu: %s", f->name, (unsigned long long)i, e.msg);
        uint8_t bind = KEEL_ST_BIND(sym.info);
        if (!*name || (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE))
            continue;
        if (sym.shndx != SHN_UNDEF && sym.raw_shndx != SHN_ABS && sym.raw_shndx != SHN_COMMON) {
            if (sym.shndx >= f->elf.shnum)
                return lk_fail(l, KEEL_E_INDEX, "%s: symbol '%s' has section index %u, which is out of range", f->name,
                               name, sym.shndx);
            if (f->dropped[sym.shndx]) { /* the kept copy of its group defines it */
                if (l->traces.n && lk_sym_find(&l->traces, name, lk_hash(name)))
                    lk_diag(l, KEEL_DIAG_NOTE, "%s: reference to %s", f->name, name); /* ld.bfd makes it undefined */
                continue;
            }
        }
        if (sym.shndx == SHN_UNDEF && l->wraps.n) { /* --wrap: X to __wrap_X, __real_X to X */
            const lk_sym *w = lk_sym_find(&l->wraps, name, lk_hash(name));
            if (w)
                name = w->defsym;
        }
        lk_sym *s = lk_sym_intern(&l->syms, &l->arena, name, lk_hash(name));
        if (!s)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        f->gsym[i] = s;
        /* -y: ld.bfd's lines, except for a second definition it passes over */
        if (l->traces.n && lk_sym_find(&l->traces, name, s->hash) &&
            !(s->state == LK_DEFINED && !s->defsym && sym.shndx != SHN_UNDEF && sym.raw_shndx != SHN_COMMON &&
              bind != STB_WEAK))
            lk_diag(l, KEEL_DIAG_NOTE, "%s: %s %s", f->name, sym.shndx == SHN_UNDEF ? "reference to" : "definition of",
                    name);
        if (s->defsym) { /* --defsym wins over the inputs */
            if (sym.shndx == SHN_UNDEF && !s->ref)
                s->ref = f;
            continue;
        }
        /* the shared precedence (lib/resolve/symbols.c) decides */
        kr_kind kind = kr_sym_kind(&sym);
        /* the file ld names in its map: the first strong reference, or
         * the first weak one while there is no strong one */
        if (kind <= KR_UNDEF_WEAK && (!s->ref || (kind == KR_UNDEF && s->state == LK_UNDEF_WEAK)))
            s->ref = f;
        s->ref_strong |= kind == KR_UNDEF; /* (dso.c: --as-needed, and the output's weak references) */
        if (kind == KR_COMMON && lk_shared_beats_common(s)) { /* a reference to the library's (dso.h) */
            s->ref_strong = true;
            if (!s->ref)
                s->ref = f;
            continue;
        }
        uint8_t was = s->state;
        if (kind == KR_COMMON || kind == KR_DEFINED) /* ld.bfd's warnings of a common meeting a definition */
            lk_common_meets(l, s, f, &sym, name);
        kr_def have = {(kr_kind)s->state, s->size, s->align};
        kr_verdict v = kr_resolve(&have, kind, sym.size, kind == KR_COMMON && sym.value ? sym.value : 1);
        if (v == KR_CONFLICT) {
            if (l->opt->allow_multiple_definition)
                continue; /* the first definition wins; this file's references go to it */
            char here[256], there[256];
            place_of(f, (uint32_t)i, here, sizeof here);
            place_of(s->def, s->def_index, there, sizeof there);
            const char *shown = defined_name(s);
            if (l->opt->noinhibit_exec) { /* said, and the first wins, as in ld.bfd */
                lk_diag(l, KEEL_DIAG_ERROR, "%s: multiple definition of '%s'; %s: first defined here", here, shown,
                        there);
                continue;
            }
            return lk_fail(l, KEEL_E_FORMAT, "%s: multiple definition of '%s'; %s: first defined here", here, shown,
                           there);
        }
        s->state = (uint8_t)have.kind;
        if (have.kind == KR_COMMON) {
            s->size = have.size;
            s->align = have.align;
        }
        if (v == KR_TAKE) {
            s->def = f;
            s->def_index = (uint32_t)i;
            s->pol_flags &= (uint8_t)~LK_POL_ALIAS;
            if (was != LK_COMMON || kind != KR_COMMON) /* the larger common keeps the first's type */
                s->type = KEEL_ST_TYPE(sym.info);
        }
        /* the first '@' starts the version, as ld.bfd reads it (ELF_VER_CHR) */
        const char *vv = kind >= KR_WEAK && !l->opt->relocatable ? strchr(name, '@') : NULL;
        if (vv && vv != name && vv[1] == '@') {
            int rc = default_version(l, f, (uint32_t)i, name, (size_t)(vv - name), kind, &sym);
            if (rc)
                return rc;
        }
    }
    return 0;
}

static void *arena_alloc(void *ctx, size_t size) { return lk_alloc(&((lk_link *)ctx)->arena, size); }

int lk_add_object(lk_link *l, const char *path, const char *member, const uint8_t *data, size_t size, lk_file **out)
{
    keel_error e;
    lk_file *f = lk_zalloc(&l->arena, sizeof *f);
    if (!f)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    f->path = path;
    f->member = member;
    if (member) {
        size_t n = strlen(path) + strlen(member) + 3;
        char *name = lk_alloc(&l->arena, n);
        if (!name)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        snprintf(name, n, "%s(%s)", path, member);
        f->name = name;
    } else {
        f->name = path;
    }
    f->ordinal = (uint32_t)l->nfiles;
    /* the shared reading (lib/resolve/input.c): the header, then the
     * machine (the link's), then the sections and the symbol table */
    if (kr_input_open(&f->in, data, size, &e))
        return lk_fail(l, e.code, "%s", e.msg);
    /* the target is the first object's machine (lib/arch); every other
     * object must be of the same, as GNU ld's output architecture */
    const ka_arch *t = ka_arch_for(f->elf.machine);
    if (!t || f->elf.elfclass != t->elfclass || f->elf.byteorder != t->byteorder)
        return lk_fail(l, KEEL_E_UNSUPPORTED, "%s: not an %s object (machine %u): keel links %s only", f->name,
                       ka_arch_default()->name, f->elf.machine, ka_arch_default()->name);
    if (l->arch && t != l->arch)
        return lk_fail(l, KEEL_E_UNSUPPORTED, "%s architecture of input file `%s' is incompatible with %s output",
                       t->bfd_name, f->name, l->arch->bfd_name);
    l->arch = t;
    if (kr_input_sections(&f->in, arena_alloc, l, NULL, NULL, &e))
        return e.code == KEEL_E_NOMEM ? lk_fail(l, KEEL_E_NOMEM, "out of memory") : lk_fail(l, e.code, "%s", e.msg);
    if (!(f->dropped = lk_zalloc(&l->arena, f->elf.shnum + 1)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    int rc;
    rc = check_relocations(l, f);
    if (!rc)
        rc = add_groups(l, f);
    if (!rc && f->has_symtab)
        rc = add_symbols(l, f);
    if (rc)
        return rc;
    if (!(l->files = lk_grow(&l->arena, l->files, l->nfiles, &l->capfiles, sizeof *l->files, 256)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    f->index = (uint32_t)l->nfiles;
    l->files[l->nfiles++] = f;
    if (l->opt->trace)
        lk_diag(l, KEEL_DIAG_OUTPUT, member ? "(%s)%s" : "%s", path, member ? member : "");
    if (out)
        *out = f;
    return 0;
}
