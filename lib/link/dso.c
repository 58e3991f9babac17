/* Shared libraries as inputs: a library is read once (zero-copy views of
 * its mapped bytes: .dynsym, its version tables, .dynamic), checked like
 * every other input, and its dynamic symbols join the link's table by the
 * shared precedence (lib/resolve: KR_SHARED).  GNU ld's rules
 * (elflink.c, elf_link_add_object_symbols):
 *   - a library's definition satisfies an undefined name; any regular
 *     definition overrides it; it pulls no archive member for the name;
 *   - a definition of a hidden version (foo@VER, not foo@@VER) is known
 *     only as foo@VER and resolves no plain reference;
 *   - a library's undefined references are references: they pull archive
 *     members (ld.bfd's -y says "lib.so: reference to x");
 *   - under --as-needed a library is needed only if, when it is read, it
 *     defines a name a strong reference waits for; if not, it adds
 *     nothing at all (ld.bfd restores its symbol table). */
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
#include "../arch/arch.h"
#include "dso.h"

enum { VERSYM_HIDDEN = 0x8000 };

void lk_dso_dyn_string(lk_dso *d, int64_t tag, const char *s, const char **rpath)
{
    if (tag == DT_NEEDED)
        d->needed[d->nneeded++] = s;
    else if (tag == DT_SONAME)
        d->soname = s;
    else if (tag == DT_RUNPATH)
        d->runpath = s;
    else
        *rpath = s;
}

static int nomem(lk_link *l) { return lk_fail(l, KEEL_E_NOMEM, "out of memory"); }

/* "lib.so: " and the reader's message, naming the structure */
static int bad(lk_link *l, const lk_dso *d, const char *what, const keel_error *e)
{
    return lk_fail(l, e->code ? e->code : KEEL_E_FORMAT, "%s: %s: %s", d->path, what, e->msg);
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* The dynamic section: DT_SONAME, DT_NEEDED, DT_RUNPATH/DT_RPATH, each
 * string checked against its table. */
static int read_dynamic(lk_link *l, lk_dso *d)
{
    keel_error e;
    keel_dynamic dyn;
    if (keel_elf_dynamic(&d->elf, &dyn, &e))
        return bad(l, d, "dynamic section", &e);
    size_t n = 0;
    for (uint64_t i = 0; i < dyn.count; i++) {
        keel_dyn t;
        keel_dynamic_get(&dyn, i, &t);
        n += t.tag == DT_NEEDED;
    }
    if (n && !(d->needed = lk_alloc(&l->arena, n * sizeof *d->needed)))
        return nomem(l);
    const char *rpath = NULL;
    for (uint64_t i = 0; i < dyn.count; i++) {
        keel_dyn t;
        const char *s;
        keel_dynamic_get(&dyn, i, &t);
        if (t.tag == DT_NULL)
            break;
        if (t.tag != DT_NEEDED && t.tag != DT_SONAME && t.tag != DT_RPATH && t.tag != DT_RUNPATH)
            continue;
        if (keel_strtab_get(&dyn.strings, t.val, &s, &e)) {
            char what[64];
            snprintf(what, sizeof what, "dynamic entry %llu (tag %lld)", (unsigned long long)i, (long long)t.tag);
            return bad(l, d, what, &e);
        }
        lk_dso_dyn_string(d, t.tag, s, &rpath);
    }
    if (!d->runpath)
        d->runpath = rpath; /* DT_RPATH counts only without a DT_RUNPATH, as in ld.so */
    return 0;
}

/* The .dynsym (the first SHT_DYNSYM section) and its versions. */
static int read_dynsym(lk_link *l, lk_dso *d)
{
    keel_error e;
    for (uint32_t i = 1; i < d->elf.shnum; i++) {
        keel_shdr sh;
        if (keel_elf_shdr(&d->elf, i, &sh, &e))
            return bad(l, d, "section headers", &e);
        if (sh.type != SHT_DYNSYM)
            continue;
        if (keel_elf_symtab(&d->elf, i, &d->dynsym, &e))
            return bad(l, d, "dynamic symbol table", &e);
        if (d->dynsym.first_global > d->dynsym.count)
            return lk_fail(l, KEEL_E_INDEX,
                           "%s: dynamic symbol table (%u): sh_info %u, its first global symbol, is past its %llu "
                           "symbols",
                           d->path, i, d->dynsym.first_global, (unsigned long long)d->dynsym.count);
        if (keel_elf_versions(&d->elf, i, &d->vers, &e))
            return bad(l, d, "symbol versions", &e);
        d->has_dynsym = true;
        return 0;
    }
    return 0; /* a library that defines nothing */
}

/* Symbol i's name, version and entry; *skip for what takes no part (a
 * local, a nameless entry, a version index 0: local to the library). */
static int symbol_at(lk_link *l, lk_dso *d, uint64_t i, keel_sym *sym, const char **name, keel_symver *ver, bool *skip)
{
    keel_error e;
    char what[64];
    *skip = true;
    if (keel_symtab_get(&d->dynsym, i, sym, &e) || keel_symtab_name(&d->dynsym, sym, name, &e)) {
        snprintf(what, sizeof what, "dynamic symbol %llu", (unsigned long long)i);
        return bad(l, d, what, &e);
    }
    uint8_t bind = KEEL_ST_BIND(sym->info);
    if (!**name || (bind != STB_GLOBAL && bind != STB_WEAK && bind != STB_GNU_UNIQUE))
        return 0;
    if (keel_versions_get(&d->vers, i, sym, ver, &e)) {
        snprintf(what, sizeof what, "version of dynamic symbol %llu (%s)", (unsigned long long)i, *name);
        return bad(l, d, what, &e);
    }
    uint16_t raw = d->vers.versym && i < d->vers.versym_count
                       ? (uint16_t)(d->vers.versym[2 * i] | d->vers.versym[2 * i + 1]
                                                                << 8) /* (x86-64: little-endian) */
                       : 1;
    if ((raw & 0x7fff) == 0 && sym->shndx != SHN_UNDEF)
        return 0; /* VER_NDX_LOCAL: not exported */
    if (raw & VERSYM_HIDDEN && sym->shndx != SHN_UNDEF && ver->kind != KEEL_VER_HIDDEN)
        return 0; /* hidden, of a version the library does not define: nothing names it */
    *skip = false;
    return 0;
}

/* The name a definition is known by: foo, or foo@VER for a hidden one. */
static const char *defined_name(lk_link *l, const char *name, const keel_symver *ver)
{
    if (ver->kind != KEEL_VER_HIDDEN || !ver->name)
        return name;
    size_t n = strlen(name), v = strlen(ver->name);
    char *s = lk_alloc(&l->arena, n + v + 2);
    if (!s)
        return NULL;
    memcpy(s, name, n);
    s[n] = '@';
    memcpy(s + n + 1, ver->name, v + 1);
    return s;
}

/* Whether a library read and used lists soname in its DT_NEEDED. */
static bool on_needed_list(const lk_link *l, const char *soname)
{
    for (size_t i = 0; i < l->ndsos; i++)
        for (size_t k = 0; l->dsos[i]->added && k < l->dsos[i]->nneeded; k++)
            if (strcmp(l->dsos[i]->needed[k], soname) == 0)
                return true;
    return false;
}

/* --as-needed: whether the library defines a name a strong reference
 * waits for: a regular object's (ld.bfd's ref_regular_nonweak), or a
 * shared library's when no library used lists this one in its DT_NEEDED
 * already (ref_dynamic_nonweak, !on_needed_list). */
static int wanted(lk_link *l, lk_dso *d, bool *yes)
{
    *yes = false;
    for (uint64_t i = d->dynsym.first_global; d->has_dynsym && i < d->dynsym.count && !*yes; i++) {
        keel_sym sym;
        const char *name;
        keel_symver ver;
        bool skip;
        int rc = symbol_at(l, d, i, &sym, &name, &ver, &skip);
        if (rc)
            return rc;
        if (skip || sym.shndx == SHN_UNDEF)
            continue;
        const char *dn = defined_name(l, name, &ver);
        if (!dn)
            return nomem(l);
        const lk_sym *s = lk_sym_find(&l->syms, dn, lk_hash(dn));
        if (s && s->state == LK_UNDEF && !s->defsym)
            *yes = s->ref_strong || (s->dso_ref && !on_needed_list(l, d->soname));
        else if (s && s->state == LK_COMMON && !s->defsym && s->def)
            *yes = lk_dso_beats_common(&sym);
    }
    return 0;
}

/* ld.bfd's error when a regular object's reference is met only by a
 * library the command line did not name (one loaded for a DT_NEEDED),
 * naming the first file that referenced the name: a library, if one did
 * before any regular object. */
static int dso_missing(lk_link *l, lk_dso *d, const lk_sym *s, const keel_symver *ver)
{
    const char *sep = ver->kind == KEEL_VER_DEFAULT ? "@@" : "@";
    char msg[512];
    snprintf(msg, sizeof msg, "%s: undefined reference to symbol '%s%s%s'", s->dso ? s->dso->path : s->ref->name,
             s->name, ver->name ? sep : "", ver->name ? ver->name : "");
    lk_diag(l, KEEL_DIAG_ERROR, "%s", msg);
    return lk_fail(l, KEEL_E_LINK, "%s: error adding symbols: DSO missing from command line", d->path);
}

bool lk_dso_beats_common(const keel_sym *sym)
{
    unsigned t = KEEL_ST_TYPE(sym->info);
    return sym->shndx != SHN_UNDEF && KEEL_ST_BIND(sym->info) != STB_WEAK && t != STT_FUNC && t != STT_GNU_IFUNC;
}

bool lk_shared_beats_common(const lk_sym *s)
{
    keel_sym sym;
    return s->state == LK_SHARED && s->dso && s->dso->has_dynsym &&
           !keel_symtab_get(&s->dso->dynsym, s->dso_index, &sym, NULL) && lk_dso_beats_common(&sym);
}

int lk_dso_add_symbols(lk_link *l, lk_dso *d, bool late)
{
    d->added = true;
    for (uint64_t i = d->dynsym.first_global; d->has_dynsym && i < d->dynsym.count; i++) {
        keel_sym sym;
        const char *name;
        keel_symver ver;
        bool skip;
        int rc = symbol_at(l, d, i, &sym, &name, &ver, &skip);
        if (rc)
            return rc;
        if (skip)
            continue;
        bool undef = sym.shndx == SHN_UNDEF;
        if (undef && late)
            continue; /* (ld.bfd reads them too; keel needs them only to pull members, too late now) */
        const char *dn = undef ? name : defined_name(l, name, &ver);
        if (!dn)
            return nomem(l);
        lk_sym *s = lk_sym_intern(&l->syms, &l->arena, dn, lk_hash(dn));
        if (!s)
            return nomem(l);
        /* -y: ld.bfd knows a versioned reference as name@VER, which -y NAME does not match */
        if (l->traces.n && !(undef && ver.kind == KEEL_VER_NEEDED) && lk_sym_find(&l->traces, dn, s->hash))
            lk_diag(l, KEEL_DIAG_NOTE, "%s: %s %s", d->path,
                    undef || s->state >= LK_WEAK ? "reference to" : "definition of", dn);
        if (s->defsym)
            continue;
        kr_kind kind = undef ? kr_sym_kind(&sym) : KR_SHARED;
        if (d->implicit && s->state == LK_UNDEF && s->ref_strong && s->ref)
            return dso_missing(l, d, s, &ver);
        if (undef && !s->ref && !s->dso && s->state <= LK_UNDEF_WEAK)
            s->dso = d; /* the first to reference it */
        kr_def have = {(kr_kind)s->state, s->size, s->align};
        if (kind == KR_SHARED && s->state == LK_COMMON && s->def && lk_dso_beats_common(&sym)) {
            s->ref_strong = true; /* the common: now a strong reference to the library's */
            if (!s->ref)
                s->ref = s->def;
            s->def = NULL;
        } else if (kr_resolve(&have, kind, sym.size, 1) != KR_TAKE) {
            if (have.kind == KR_UNDEF && s->state != LK_UNDEF)
                s->dso_ref = true; /* a strong reference makes a weak one strong */
            s->state = (uint8_t)have.kind;
            continue;
        }
        s->state = LK_SHARED;
        s->dso = d;
        s->dso_index = (uint32_t)i;
        s->dso_version = ver.index;
        s->type = KEEL_ST_TYPE(sym.info);
        s->size = sym.size;
        s->other = sym.other;
    }
    return 0;
}

int lk_dso_open(lk_link *l, const char *path, const uint8_t *data, size_t size, lk_dso **out)
{
    keel_error e;
    lk_dso *d = lk_zalloc(&l->arena, sizeof *d);
    if (!d)
        return nomem(l);
    d->path = path;
    if (keel_elf_open(&d->elf, data, size, &e))
        return lk_fail(l, e.code, "%s: %s", path, e.msg);
    if (d->elf.type != ET_DYN)
        return lk_fail(l, KEEL_E_FORMAT, "%s: not a shared library (ELF type %u)", path, d->elf.type);
    /* the machine: the link's, as for every object */
    const ka_arch *t = ka_arch_for(d->elf.machine);
    if (!t || d->elf.elfclass != t->elfclass || d->elf.byteorder != t->byteorder)
        return lk_fail(l, KEEL_E_UNSUPPORTED, "%s: not an %s shared library (machine %u): keel links %s only", path,
                       ka_arch_default()->name, d->elf.machine, ka_arch_default()->name);
    if (l->arch && t != l->arch)
        return lk_fail(l, KEEL_E_UNSUPPORTED, "%s architecture of input file `%s' is incompatible with %s output",
                       t->bfd_name, path, l->arch->bfd_name);
    /* no section headers: through the dynamic segment (dso_dynamic.c) */
    int rc = d->elf.shnum == 0 ? lk_dso_from_dynamic(l, d) : read_dynamic(l, d);
    if (!rc && d->elf.shnum)
        rc = read_dynsym(l, d);
    if (rc)
        return rc;
    *out = d;
    return 0;
}

int lk_dso_append(lk_link *l, lk_dso *d)
{
    if (!(l->dsos = lk_grow(&l->arena, l->dsos, l->ndsos, &l->capdsos, sizeof *l->dsos, 16)))
        return nomem(l);
    d->index = (uint32_t)l->ndsos;
    l->dsos[l->ndsos++] = d;
    return 0;
}

/* -y on a library that is not needed: ld.bfd said its definitions before
 * it took them back (a definition a regular one, not a common, overrides is a reference
 * to ld.bfd, as in lk_dso_add_symbols) */
static int trace_unused(lk_link *l, lk_dso *d)
{
    for (uint64_t i = d->dynsym.first_global; l->traces.n && d->has_dynsym && i < d->dynsym.count; i++) {
        keel_sym sym;
        const char *name;
        keel_symver ver;
        bool skip;
        int rc = symbol_at(l, d, i, &sym, &name, &ver, &skip);
        if (rc)
            return rc;
        if (skip || (sym.shndx == SHN_UNDEF && ver.kind == KEEL_VER_NEEDED))
            continue;
        const char *dn = sym.shndx == SHN_UNDEF ? name : defined_name(l, name, &ver);
        if (!dn)
            return nomem(l);
        const lk_sym *s = lk_sym_find(&l->syms, dn, lk_hash(dn));
        bool ref = sym.shndx == SHN_UNDEF || (s && s->state >= LK_WEAK);
        if (lk_sym_find(&l->traces, dn, lk_hash(dn)))
            lk_diag(l, KEEL_DIAG_NOTE, "%s: %s %s", d->path, ref ? "reference to" : "definition of", dn);
    }
    return 0;
}

int lk_dso_rescan(lk_link *l, uint32_t group, bool *again)
{
    for (size_t i = 0; i < l->ndsos; i++) {
        lk_dso *d = l->dsos[i];
        bool use;
        if (d->group != group || d->added || d->implicit)
            continue;
        if (l->opt->trace)
            lk_diag(l, KEEL_DIAG_OUTPUT, "%s", d->path);
        int rc = wanted(l, d, &use);
        if (!rc && !use)
            rc = trace_unused(l, d);
        if (rc)
            return rc;
        if (use) {
            d->is_needed = *again = true;
            if ((rc = lk_dso_add_symbols(l, d, false)))
                return rc;
        }
    }
    return 0;
}

int lk_add_dso(lk_link *l, const char *path, const uint8_t *data, size_t size, bool as_needed, uint32_t group)
{
    if (l->in_static) /* ld.bfd's words, for a library named under -Bstatic/-static */
        return lk_fail(l, KEEL_E_LINK, "attempted static link of dynamic object `%s'", path);
    if (l->opt->relocatable) /* ld.bfd -r takes a library's symbols for nothing; keel says so */
        return lk_fail(l, KEEL_E_UNSUPPORTED, "%s: a shared library cannot be an input of a relocatable link (-r)",
                       path);
    lk_dso *d;
    int rc = lk_dso_open(l, path, data, size, &d);
    if (rc)
        return rc;
    if (!d->soname) /* ld.bfd: the file's name if -l found it, else the path as given */
        d->soname = l->in_searched ? base_name(path) : path;
    if (l->opt->trace)
        lk_diag(l, KEEL_DIAG_OUTPUT, "%s", path);
    for (size_t i = 0; i < l->ndsos; i++)
        if (l->dsos[i]->added && strcmp(l->dsos[i]->soname, d->soname) == 0)
            return 0; /* "already included this dynamic object in the link": ld.bfd ignores it */
    d->as_needed = as_needed;
    d->group = group;
    if ((rc = lk_dso_append(l, d)))
        return rc;
    bool use = true;
    if (as_needed && (rc = wanted(l, d, &use)))
        return rc;
    if (!use) /* adds nothing; its group searched again, or a library that needs it, may load it later */
        return trace_unused(l, d);
    d->is_needed = true;
    return lk_dso_add_symbols(l, d, false);
}

size_t lk_dso_count(const lk_link *l)
{
    size_t n = 0;
    for (size_t i = 0; i < l->ndsos; i++)
        n += l->dsos[i]->is_needed;
    return n;
}

const lk_dso *lk_dso_needed(const lk_link *l, size_t i)
{
    for (size_t k = 0; k < l->ndsos; k++)
        if (l->dsos[k]->is_needed && i-- == 0)
            return l->dsos[k];
    return NULL;
}
