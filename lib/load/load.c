/* Loading a batch of objects and archives into a namespace.
 *
 * The pipeline: parse every input (archive members join on demand, by the
 * linker's rules), resolve every symbol, lay out each object's sections in
 * three page-aligned regions (text, read-only, read-write) of the
 * namespace's arena, apply the relocations through the per-architecture
 * layer (keeping, per symbol, the section it resolved to: the edges between
 * objects are recovered from that, edges.c), protect the regions, and only
 * then commit: symbols, groups and objects enter the namespace, and
 * constructors run.  Anything that fails before the commit is undone, so
 * the namespace stays as it was. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../elfdefs.h"
#include "../regular_file.h"
#include "../resolve/resolve.h"
#include "internal.h"
#include "jit_names.h"
#include "phase_time.h"

typedef rl_resolution resolution;

typedef struct pending {
    keel_object *obj;
    /* the parsed input both parts share (lib/resolve/input.c), in the
     * batch's scratch, as `in`; its members are also pending's own
     * (symtab, has_symtab, sections...), the same storage */
    union {
        kr_input_file in;
        struct {
            KR_INPUT_FILE_MEMBERS
        };
    };
    bool *dropped;   /* per ELF section: a member of a duplicate COMDAT group */
    bool own_map;    /* obj->file_map is a thin archive's member, mapped here */
    resolution *res; /* per symbol */
    uint64_t ngot, nstubs, ncommon_bytes, neh;
    bool wants_tls_ld; /* one tls_index for its local-dynamic code */
    uint32_t nslots;   /* symbols that need a GOT or TLS slot */
    uint64_t *at;      /* per loaded section: its offset in its region */
    int rc;            /* a parallel step's result, and its error */
    keel_error err;
    uint64_t stubs_at, got_at, common_at;
    uint64_t filled[3]; /* per region: the bytes written at load */
    uintptr_t got, got_end, stubs, common;
} pending;

/* An archive of the batch: the shared walk's state (lib/resolve/pull.c),
 * and how many of its members were loaded (it stays mapped if any). */
typedef struct archive {
    kr_archive kr;
    size_t nloaded;
} archive;

typedef struct batch {
    keel_ns *ns;
    keel_error *err;
    pending *v;
    size_t n, cap;
    archive *ar;
    size_t nar;
    sym_table defs;    /* the batch's global definitions (winners) */
    sym_table groups;  /* COMDAT signatures taken by the batch */
    sym_table refs;    /* names a strong undefined reference of the batch wants */
    size_t arnames;    /* the archives' index entries, all told */
    bool has_archives; /* among the inputs: references are recorded for them */
    bool need_low;
    struct { /* the first relocation that needs low addresses */
        const pending *p;
        const char *section;
        uint64_t offset, sym;
        uint32_t type;
    } low;
    rl_scratch scratch; /* what lives only while the batch loads */
    /* a swap's old objects (swap.c): the batch is loaded beside them as if
     * they were gone, so its names are its own and bind to nothing of theirs */
    keel_object *const *hide;
    size_t nhide;
} batch;

static bool hidden_object(const batch *b, const keel_object *o)
{
    for (size_t i = 0; i < b->nhide; i++)
        if (b->hide[i] == o)
            return true;
    return false;
}

/* A name of the namespaces, unless a swap's old object holds it. */
static sym_entry *ns_find(const batch *b, const sym_table *t, const char *name, uint32_t h)
{
    sym_entry *e = rl_sym_find(t, name, h);
    return e && b->nhide && hidden_object(b, e->object) ? NULL : e;
}

/* What a section may ask for: regions are page-aligned, and a namespace
 * has 1 GiB (which also keeps every sum below from overflowing). */
#define MAX_ALIGN ((uint64_t)4096)
#define MAX_SIZE ((uint64_t)1 << 30)

static size_t page_size(void) { return (size_t)sysconf(_SC_PAGESIZE); }
static uint64_t align_up(uint64_t v, uint64_t a) { return a > 1 ? (v + a - 1) & ~(a - 1) : v; }

static int oom(batch *b) { return keel_error_set(b->err, KEEL_E_NOMEM, 0, "out of memory"); }

/* "name:(.text+0x12): " */
static int fail_at(batch *b, const keel_object *o, const char *sec, uint64_t off, int code, const char *fmt,
                   const char *a1, const char *a2)
{
    char msg[2 * sizeof b->err->msg];
    keel_error e;
    keel_error_set(&e, code, off, fmt, a1, a2);
    snprintf(msg, sizeof msg, "%s:(%s+0x%llx): %s", o->name, sec, (unsigned long long)off, e.msg);
    return keel_error_set(b->err, code, off, "%s", msg);
}

static int fail_obj(batch *b, const char *name, int code, const char *fmt, const char *a1)
{
    char msg[2 * sizeof b->err->msg];
    snprintf(msg, sizeof msg, "%s: ", name);
    size_t l = strlen(msg);
    snprintf(msg + l, sizeof msg - l, fmt, a1);
    return keel_error_set(b->err, code, 0, "%s", msg);
}

/* ----------------------------------------------------------- classification */

static const char *const prefixes[] = {".text.unlikely.", ".text.hot.",       ".text.startup.",
                                       ".text.exit.",     ".text.",           ".data.rel.ro.local.",
                                       ".data.rel.ro.",   ".data.rel.local.", ".data.rel.",
                                       ".rodata.",        ".data.",           ".bss.",
                                       ".tdata.",         ".tbss.",           ".ldata.",
                                       ".lbss.",          ".lrodata."};

/* .text.foo holds foo (-ffunction-sections); other names stay, and so do
 * gcc's own .text.startup, .text.unlikely, .text.hot and .text.exit. */
static const char *section_symbol_name(const char *name)
{
    static const char *const whole[] = {".text.startup", ".text.unlikely",  ".text.hot",    ".text.exit",
                                        ".data.rel",     ".data.rel.local", ".data.rel.ro", ".data.rel.ro.local"};
    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
        if (strcmp(name, whole[i]) == 0)
            return name;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
        size_t l = strlen(prefixes[i]);
        if (strncmp(name, prefixes[i], l) != 0 || !name[l])
            continue;
        /* .rodata.str1.1 and .rodata.cst8 hold merged constants, no symbol */
        const char *rest = name + l;
        if (strcmp(prefixes[i], ".rodata.") == 0 && (strncmp(rest, "str", 3) == 0 || strncmp(rest, "cst", 3) == 0) &&
            rest[3] >= '0' && rest[3] <= '9')
            return name;
        return rest;
    }
    return name;
}

/* The shared section classes (lib/resolve/sections.c), as the loader
 * names them; the target's unwind section type counts as .eh_frame. */
static uint8_t classify(const ka_arch *arch, const keel_shdr *sh, const char *name)
{
    uint32_t unwind = ka_unwind_section_type(arch);
    if (unwind && sh->type == unwind && !(sh->flags & (SHF_TLS | SHF_EXECINSTR)))
        return KEEL_SEC_EH_FRAME;
    switch (kr_section_class(name, sh->type, sh->flags)) {
    case KR_SEC_TBSS: return KEEL_SEC_TLS_BSS;
    case KR_SEC_TDATA: return KEEL_SEC_TLS_DATA;
    case KR_SEC_TEXT: return KEEL_SEC_TEXT;
    case KR_SEC_EH_FRAME: return KEEL_SEC_EH_FRAME;
    case KR_SEC_GCC_EXCEPT: return KEEL_SEC_GCC_EXCEPT_TABLE;
    case KR_SEC_INIT_ARRAY:
    case KR_SEC_PREINIT_ARRAY: return KEEL_SEC_INIT_ARRAY;
    case KR_SEC_FINI_ARRAY: return KEEL_SEC_FINI_ARRAY;
    case KR_SEC_BSS: return KEEL_SEC_BSS;
    default: return sh->flags & SHF_WRITE ? KEEL_SEC_DATA : KEEL_SEC_RODATA;
    }
}

/* Which of the three regions a section goes to: 0 text, 1 read-only, 2 read-write. */
static int region_of(const keel_section *s, const keel_shdr *sh)
{
    if (sh->flags & SHF_EXECINSTR)
        return 0;
    /* a TLS section is the template each thread's block is copied from */
    if (s->type == KEEL_SEC_TLS_DATA || s->type == KEEL_SEC_TLS_BSS)
        return 1;
    /* init/fini arrays are written by relocation only: read-only after load */
    if (s->type == KEEL_SEC_INIT_ARRAY || s->type == KEEL_SEC_FINI_ARRAY)
        return 1;
    return sh->flags & SHF_WRITE ? 2 : 1;
}

/* ---------------------------------------------------------------- parsing */

/* The batch's objects, in an array sized once for every object it may
 * hold (reserve_pending): an object's parsed input (and its sections'
 * and symbol table's pointers back to it) never moves. */
static int reserve_pending(batch *b, size_t count)
{
    if (!(b->v = calloc(count ? count : 1, sizeof *b->v)))
        return KEEL_E_NOMEM;
    b->cap = count;
    return 0;
}

static pending *new_pending(batch *b)
{
    if (b->n == b->cap)
        return NULL; /* cannot happen: the inputs' objects and the archives' members were counted */
    pending *p = &b->v[b->n++];
    memset(p, 0, sizeof *p);
    return p;
}

static bool group_taken(batch *b, const char *sig)
{
    uint32_t h = rl_hash(sig);
    for (const keel_ns *n = b->ns; n; n = n->parent)
        if (ns_find(b, &n->groups, sig, h))
            return true;
    return rl_sym_find(&b->groups, sig, h) != NULL;
}

/* A definition enters the batch's table; the linker's rules decide (the
 * shared precedence, lib/resolve/symbols.c): strong beats weak and common,
 * a definition beats a common, two commons keep the larger, two strong
 * definitions are an error, STB_GNU_UNIQUE ones too (a batch is one link
 * unit, and ld.bfd refuses them).  A name the namespace already defines
 * keeps its first definition; there, as the dynamic loader does across
 * modules, unique definitions are one. */
static int define(batch *b, keel_object *o, const char *name, const keel_sym *sym, keel_section *sec)
{
    uint32_t h = rl_hash(name);
    kr_kind kind = kr_sym_kind(sym); /* a definition: common, weak or strong */
    bool common = kind == KR_COMMON;
    uint8_t bind = kind == KR_DEFINED ? STB_GLOBAL : STB_WEAK;
    sym_entry *e = rl_sym_find(&b->defs, name, h);
    uint8_t vis = KEEL_ST_VISIBILITY(sym->other);
    if (!e && vis != STV_HIDDEN && vis != STV_INTERNAL) { /* those do not meet the namespace's */
        const sym_entry *old = NULL;
        for (const keel_ns *n = b->ns; n && !old; n = n->parent)
            old = ns_find(b, &n->syms, name, h);
        if (old) {
            if (old->bind == STB_GLOBAL && bind == STB_GLOBAL && KEEL_ST_BIND(sym->info) != STB_GNU_UNIQUE) {
                char msg[sizeof b->err->msg];
                snprintf(msg, sizeof msg, "multiple definition of '%s'; first defined in %s (already loaded)", name,
                         old->object->name);
                return fail_obj(b, o->name, KEEL_E_FORMAT, "%s", msg);
            }
            return 0;
        }
    }
    sym_entry ne = {.name = name,
                    .hash = h,
                    .bind = bind,
                    .type = KEEL_ST_TYPE(sym->info),
                    .common = common,
                    .visibility = KEEL_ST_VISIBILITY(sym->other),
                    .section = sec,
                    .addr = common ? 0 : sym->value,
                    .size = sym->size,
                    .object = o};
    if (e) {
        kr_def have = {e->common ? KR_COMMON : e->bind == STB_GLOBAL ? KR_DEFINED : KR_WEAK, e->size, 1};
        kr_verdict v = kr_resolve(&have, kind, sym->size, 1);
        if (v == KR_CONFLICT) { /* both places, as the link-editor and ld.bfd name them */
            char here[200], there[200], msg[700];
            kr_place(here, sizeof here, o->name, sec ? sec->elf_name : "*ABS*", sym->value);
            kr_place(there, sizeof there, e->object->name, e->section ? e->section->elf_name : "*ABS*", e->addr);
            snprintf(msg, sizeof msg, "%s: multiple definition of '%.200s'; %s: first defined here", here, name, there);
            return keel_error_set(b->err, KEEL_E_FORMAT, 0, "%s", msg);
        }
        if (v == KR_TAKE)
            *e = ne;
        return 0;
    }
    if (rl_sym_reserve(&b->defs, 1))
        return oom(b);
    rl_sym_insert(&b->defs, &ne);
    return 0;
}

/* The shared COMDAT rules (lib/resolve/comdat.c) over the batch's and the
 * namespaces' taken keys: group signatures and .gnu.linkonce.* names share
 * the one table (a symbol name and a section name of that form do not
 * meet in practice). */
typedef struct claimer {
    batch *b;
    keel_object *o;
    bool failed; /* the claim itself failed (and said so): not kr_comdat's error */
} claimer;

static int claim_one(void *ctx, const char *key, bool linkonce, uint32_t shndx)
{
    claimer *c = ctx;
    (void)linkonce;
    (void)shndx;
    if (group_taken(c->b, key))
        return 1;
    sym_entry ge = {.name = key, .hash = rl_hash(key), .object = c->o};
    if (rl_sym_reserve(&c->b->groups, 1))
        return oom(c->b), -1;
    rl_sym_insert(&c->b->groups, &ge);
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

/* Hidden and internal definitions stay out of the namespace's lookups. */
static bool is_hidden(const sym_entry *d) { return d->visibility == STV_HIDDEN || d->visibility == STV_INTERNAL; }

static int refer(batch *b, const char *name);

static void *scratch_alloc(void *ctx, size_t size) { return rl_scratch_alloc(&((batch *)ctx)->scratch, size); }

/* A loaded section larger than a namespace is that, whether or not the
 * file holds its bytes: said before the shared check of its extent. */
static int too_large(void *ctx, const kr_input_section *s, keel_error *err)
{
    (void)ctx;
    if (!(s->flags & SHF_ALLOC) || s->size <= MAX_SIZE)
        return 0;
    char why[sizeof err->msg];
    snprintf(why, sizeof why, "%s: section %.80s (index %u): size %llu is larger than a namespace (1 GiB)",
             s->file->name, s->name ? s->name : "?", s->index, (unsigned long long)s->size);
    return keel_error_set(err, KEEL_E_RANGE, 0, "%s", why);
}

/* The object `name` (path, or archive path and member name) joins the
 * batch: the shared reading of its header and sections
 * (lib/resolve/input.c), then what the loader keeps of it. */
static int parse_object(batch *b, const char *name, const char *path, const char *member, const void *data, size_t size,
                        void *map, size_t map_size)
{
    keel_error e;
    pending *p = new_pending(b);
    if (!p)
        return oom(b);
    keel_object *o = calloc(1, sizeof *o);
    if (!o || !(o->name = strdup(name))) {
        free(o);
        b->n--;
        return oom(b);
    }
    p->obj = o;
    o->ns = b->ns;
    o->file_map = map;
    o->file_size = map_size;
    p->in.name = o->name;
    p->in.path = path == name ? o->name : path; /* a thin member's path is the caller's buffer */
    p->in.member = member;
    p->in.ordinal = (uint32_t)(b->n - 1);
    if (kr_input_open(&p->in, data, size, &e))
        return keel_error_set(b->err, e.code, 0, "%s", e.msg);
    /* code runs here: the object's machine must be this one's */
    const ka_arch *host = ka_arch_host();
    if (p->elf.machine != host->machine || p->elf.elfclass != 2 || p->elf.byteorder != 1) {
        char why[120];
        snprintf(why, sizeof why, "not an %s object: the loader runs %s code only", host->name, host->name);
        return fail_obj(b, name, KEEL_E_UNSUPPORTED, "%s", why);
    }
    /* every section's extent, names, the symbol table: checked here as
     * the link-editor checks them, in its words */
    if (kr_input_sections(&p->in, scratch_alloc, b, too_large, b, &e))
        return e.code == KEEL_E_NOMEM ? oom(b) : keel_error_set(b->err, e.code, 0, "%s", e.msg);
    o->elf = p->in.elf; /* the object outlives the batch's scratch */
    const keel_elf *elf = &o->elf;
    o->arch = host;
    uint32_t n = elf->shnum;
    /* what the object keeps, in one piece of the namespace's pool: its
     * sections (and the commons' one), the index to them, the list handed
     * out, and each symbol's section (for the edges) */
    uint64_t nsyms = p->symtab.count ? p->symtab.count : 1;
    size_t keep = (n + 1) * (sizeof *o->sections + sizeof *o->by_index + sizeof *o->list) +
                  nsyms * sizeof *o->sym_target;
    uint8_t *kept = rl_pool_alloc(&b->ns->pool, keep, &o->chunk);
    p->dropped = rl_scratch_alloc(&b->scratch, (n + 1) * sizeof *p->dropped);
    if (!kept || !p->dropped)
        return oom(b);
    o->sections = (keel_section *)kept;
    o->sym_target = (keel_section **)(kept + (n + 1) * sizeof *o->sections);
    o->by_index = o->sym_target + nsyms;
    o->list = (const keel_section **)(o->by_index + n + 1);
    claimer c = {b, o, false};
    int crc = kr_comdat(elf, p->has_symtab ? &p->symtab : NULL, p->dropped, claim, &c, &e);
    /* the claim's own failure has said itself; kr_comdat's errors are
     * negative too (KEEL_E_*), and say themselves through e */
    if (c.failed)
        return b->err->code;
    if (crc)
        return fail_obj(b, name, e.code, "%s", e.msg);
    /* the sections that are loaded */
    for (uint32_t i = 1; i < n; i++) {
        keel_shdr sh;
        const char *sname = p->sections[i].name;
        if (!(p->sections[i].flags & SHF_ALLOC) || p->dropped[i])
            continue;
        keel_elf_shdr(elf, i, &sh, NULL);
        if (!sname && keel_elf_section_name(elf, &sh, &sname, &e)) /* why it has none */
            return fail_obj(b, name, e.code, "%s", e.msg);
        if ((sh.addralign & (sh.addralign - 1)) || sh.addralign > MAX_ALIGN) {
            char why[200];
            snprintf(why, sizeof why, "section %.80s (index %u): alignment %llu is not a power of two up to a page",
                     sname, i, (unsigned long long)sh.addralign);
            return fail_obj(b, name, KEEL_E_FORMAT, "%s", why);
        }
        /* its size fits a namespace (too_large) and its bytes are there
         * (kr_input_sections), before any memory is given */
        keel_section *s = &o->sections[o->nsections++];
        s->elf_name = sname;
        s->name = section_symbol_name(sname);
        s->shndx = i;
        s->type = classify(o->arch, &sh, sname);
        s->size = sh.size;
        s->parent = o;
        s->writable = (sh.flags & SHF_WRITE) && region_of(s, &sh) == 2;
        s->executable = sh.flags & SHF_EXECINSTR;
        o->by_index[i] = s;
        if (s->type == KEEL_SEC_EH_FRAME)
            p->neh++;
    }
    if (!p->has_symtab)
        return 0;
    p->res = rl_scratch_alloc(&b->scratch, (p->symtab.count ? p->symtab.count : 1) * sizeof *p->res);
    if (!p->res)
        return oom(b);
    /* global definitions, and commons (which go to the object's bss) */
    for (uint64_t i = p->symtab.first_global; i < p->symtab.count; i++) {
        keel_sym sym;
        const char *sn;
        if (keel_symtab_get(&p->symtab, i, &sym, &e) || keel_symtab_name(&p->symtab, &sym, &sn, &e))
            return fail_obj(b, name, e.code, "%s", e.msg);
        if (b->has_archives && *sn && kr_sym_kind(&sym) == KR_UNDEF && refer(b, sn))
            return oom(b);
        if (KEEL_ST_BIND(sym.info) == STB_LOCAL || sym.shndx == SHN_UNDEF)
            continue;
        keel_section *sec = NULL;
        if (sym.raw_shndx == SHN_COMMON) {
            uint64_t a = sym.value ? sym.value : 1;
            if ((a & (a - 1)) || a > MAX_ALIGN || sym.size > MAX_SIZE) {
                char why[200];
                snprintf(why, sizeof why,
                         sym.size > MAX_SIZE ? "common symbol '%.80s': size %llu is larger than a "
                                               "namespace (1 GiB)"
                                             : "common symbol '%.80s': alignment %llu is not a "
                                               "power of two up to a page",
                         sn, (unsigned long long)(sym.size > MAX_SIZE ? sym.size : a));
                return fail_obj(b, name, sym.size > MAX_SIZE ? KEEL_E_RANGE : KEEL_E_FORMAT, "%s", why);
            }
            p->ncommon_bytes = align_up(p->ncommon_bytes, a) + sym.size;
            if (p->ncommon_bytes > MAX_SIZE)
                return fail_obj(b, name, KEEL_E_RANGE, "%s", "the common symbols do not fit the namespace");
        } else if (sym.shndx < n) {
            if (p->dropped[sym.shndx])
                continue; /* the kept copy of the group defines it */
            sec = o->by_index[sym.shndx];
            if (!sec) {
                char why[160];
                snprintf(why, sizeof why, "symbol '%.80s' is defined in section %u, which is not loaded", sn,
                         sym.shndx);
                return fail_obj(b, name, KEEL_E_FORMAT, "%s", why);
            }
            sec->global = true;
        } else if (sym.raw_shndx != SHN_ABS) {
            char why[160];
            snprintf(why, sizeof why, "symbol '%.80s' has section index %u, which is out of range", sn, sym.shndx);
            return fail_obj(b, name, KEEL_E_INDEX, "%s", why);
        }
        if (define(b, o, sn, &sym, sec))
            return b->err->code;
    }
    return 0;
}

static int add_archive(batch *b, const char *path, void *map, size_t size)
{
    keel_error e;
    archive *v = realloc(b->ar, (b->nar + 1) * sizeof *v);
    if (!v)
        return oom(b);
    b->ar = v;
    archive *a = &b->ar[b->nar++];
    a->nloaded = 0;
    if (kr_archive_open(&a->kr, path, map, size, rl_hash, scratch_alloc, b, &e))
        return e.code == KEEL_E_NOMEM ? oom(b) : fail_obj(b, path, e.code, "%s", e.msg);
    b->arnames += a->kr.count;
    return 0;
}

/* A name a strong undefined reference wants, recorded once: what the
 * archive walk asks about (only when the batch has archives). */
static int refer(batch *b, const char *name)
{
    uint32_t h = rl_hash(name);
    if (rl_sym_find(&b->refs, name, h))
        return 0;
    if (rl_sym_reserve(&b->refs, 1))
        return KEEL_E_NOMEM;
    rl_sym_insert(&b->refs, &(sym_entry){.name = name, .hash = h});
    return 0;
}

static bool defined_anywhere(batch *b, const char *name, uint32_t h)
{
    if (rl_sym_find(&b->defs, name, h))
        return true;
    for (const keel_ns *n = b->ns; n; n = n->parent)
        if (ns_find(b, &n->syms, name, h))
            return true;
    return false;
}

static int map_input(batch *b, const keel_input *in, void **map, size_t *size);

static archive *archive_of(kr_archive *a) { return (archive *)((char *)a - offsetof(archive, kr)); }

/* The member at an index position joins the batch (lib/resolve/archive.c
 * reads it): named "archive(member)"; a thin archive's member is a file of
 * its own, beside the archive, mapped and named by its path as GNU ld
 * names it, and its object owns the mapping. */
static int load_member(void *ctx, kr_archive *a, uint64_t pos, const char *why)
{
    (void)why;
    batch *b = ctx;
    keel_error e;
    kr_member m;
    archive_of(a)->nloaded++;
    if (kr_ar_member(&a->ar, pos, &m, &e))
        return fail_obj(b, a->path, e.code, "%s", e.msg);
    char mname[512];
    if (m.data) {
        snprintf(mname, sizeof mname, "%s(%.*s)", a->path, (int)m.name_len, m.name);
        char *member = rl_scratch_alloc(&b->scratch, (size_t)m.name_len + 1);
        if (!member)
            return oom(b);
        memcpy(member, m.name, m.name_len);
        return parse_object(b, mname, a->path, member, m.data, m.size, NULL, 0);
    }
    if (kr_thin_path_len(a->path, &m) >= sizeof mname)
        return fail_obj(b, a->path, KEEL_E_RANGE, "thin member '%.200s...': the path is too long", m.name);
    kr_thin_path(a->path, &m, mname);
    if (kr_thin_exists(a->path, mname, b->err))
        return b->err->code;
    keel_input in = {.path = mname};
    void *map;
    size_t size;
    if (map_input(b, &in, &map, &size))
        return b->err->code;
    if (size != m.size) {
        char why2[sizeof mname + 120];
        snprintf(why2, sizeof why2, "member %s: the archive says %llu bytes, the file has %zu", mname,
                 (unsigned long long)m.size, size);
        if (map)
            munmap(map, size);
        return fail_obj(b, a->path, KEEL_E_FORMAT, "%s", why2);
    }
    size_t before = b->n;
    int rc = parse_object(b, mname, mname, NULL, map, size, map, size);
    if (b->n > before) /* its object owns the mapping, loaded or discarded */
        b->v[before].own_map = true;
    else if (map) /* out of memory before there was an object */
        munmap(map, size);
    return rc;
}

/* Whether the member gives `name` real data, which a common takes it for
 * (GNU ld's rule, lib/resolve/archive.c); a thin member is mapped to see. */
static bool member_defines_data(void *ctx, kr_archive *a, uint64_t pos, const char *name)
{
    batch *b = ctx;
    kr_member m;
    if (kr_ar_member(&a->ar, pos, &m, NULL))
        return false;
    if (m.data)
        return kr_defines_data(m.data, m.size, name);
    char path[512];
    if (kr_thin_path_len(a->path, &m) >= sizeof path)
        return false;
    kr_thin_path(a->path, &m, path);
    keel_input in = {.path = path};
    keel_error quiet, *err = b->err;
    void *map = NULL;
    size_t size;
    b->err = &quiet; /* a member that cannot be read is not taken for a common */
    bool yes = !map_input(b, &in, &map, &size) && kr_defines_data(map, size, name);
    b->err = err;
    if (map)
        munmap(map, size);
    return yes;
}

/* What a name listed by an archive's index wants: a strong reference of
 * the batch that nothing defines (here or in the namespace's tree) pulls;
 * a name the batch has only as a common pulls a member with data. */
static kr_pull wants(void *ctx, const char *name, uint32_t h)
{
    batch *b = ctx;
    const sym_entry *d = rl_sym_find(&b->defs, name, h);
    if (d)
        return d->common ? KR_PULL_IF_DATA : KR_PULL_NO;
    if (!rl_sym_find(&b->refs, name, h) || defined_anywhere(b, name, h))
        return KR_PULL_NO;
    return KR_PULL_YES;
}

/* Load archive members by the linker's walk (lib/resolve/pull.c), with
 * every archive of the batch in one group: each archive is searched until
 * it gives nothing more, and the archives again until none gives anything
 * (ld.bfd's --start-group ... --end-group). */
static int pull_members(batch *b)
{
    bool again = b->nar > 0;
    while (again) {
        again = false;
        for (size_t i = 0; i < b->nar; i++)
            if (kr_archive_pull(&b->ar[i].kr, wants, member_defines_data, load_member, b, &again))
                return b->err->code;
    }
    return 0;
}

/* ------------------------------------------------------------- resolution */

static int resolve(batch *b, pending *p)
{
    keel_error e;
    keel_object *o = p->obj;
    /* kept: with the relocations, the edges (edges.c) */
    o->nsyms = p->symtab.count;
    for (uint64_t i = 1; i < p->symtab.count; i++) {
        keel_sym sym;
        const char *sn;
        resolution *r = &p->res[i];
        keel_symtab_get(&p->symtab, i, &sym, NULL);
        if (keel_symtab_name(&p->symtab, &sym, &sn, &e))
            return fail_obj(b, o->name, e.code, "%s", e.msg);
        uint8_t bind = KEEL_ST_BIND(sym.info);
        if (KEEL_ST_TYPE(sym.info) == STT_GNU_IFUNC && sym.shndx != SHN_UNDEF)
            return fail_obj(b, o->name, KEEL_E_UNSUPPORTED,
                            "'%s' is an IFUNC (STT_GNU_IFUNC): the loader does not run resolvers", sn);
        if (bind == STB_LOCAL) {
            if (sym.raw_shndx == SHN_ABS) {
                r->addr = sym.value, r->defined = true;
            } else if (sym.shndx < o->elf.shnum && sym.shndx != SHN_UNDEF) {
                keel_section *s = o->by_index[sym.shndx];
                r->section = s;
                r->addr = s ? s->addr + sym.value : 0;
                r->size = sym.size;
                r->defined = s != NULL;
                r->discarded = p->dropped[sym.shndx];
            }
            continue;
        }
        /* what a linker defines for every module */
        if (strcmp(sn, "__dso_handle") == 0 || strcmp(sn, "_GLOBAL_OFFSET_TABLE_") == 0) {
            r->addr = sn[2] == 'd' ? o->dso_handle : p->got;
            r->defined = true;
            continue;
        }
        /* loaded modules' TLS blocks are keel's, not ld.so's */
        if (strcmp(sn, "__tls_get_addr") == 0) {
            r->addr = (uintptr_t)rl_tls_get_addr;
            r->defined = true;
            continue;
        }
        /* A non-default visibility binds an object's references to its own
         * definition; a hidden or internal reference must be satisfied
         * within the batch (the link unit), never by the namespace or the
         * host. */
        uint8_t vis = KEEL_ST_VISIBILITY(sym.other);
        if (vis != STV_DEFAULT && sym.shndx != SHN_UNDEF && sym.raw_shndx != SHN_COMMON && sym.shndx < o->elf.shnum &&
            o->by_index[sym.shndx] && !p->dropped[sym.shndx]) {
            keel_section *s = o->by_index[sym.shndx];
            r->section = s;
            r->addr = s->addr + sym.value;
            r->size = sym.size;
            r->defined = true;
            if (KEEL_ST_TYPE(sym.info) == STT_GNU_IFUNC)
                return fail_obj(b, o->name, KEEL_E_UNSUPPORTED,
                                "'%s' is an IFUNC (STT_GNU_IFUNC): the loader does not run resolvers", sn);
            continue;
        }
        uint32_t h = rl_hash(sn);
        sym_entry *d = rl_sym_find(&b->defs, sn, h);
        /* This object's copy of a COMDAT group was dropped for one loaded
         * before: its names, hidden ones too, are that copy's. */
        bool kept_elsewhere = sym.shndx != SHN_UNDEF && sym.shndx < o->elf.shnum && p->dropped[sym.shndx];
        bool batch_only = (vis == STV_HIDDEN || vis == STV_INTERNAL) && !kept_elsewhere;
        for (const keel_ns *n = b->ns; !d && n && !batch_only; n = n->parent)
            d = ns_find(b, &n->syms, sn, h);
        for (const keel_ns *n = b->ns; !d && n && kept_elsewhere; n = n->parent)
            d = ns_find(b, &n->hidden, sn, h);
        if (d && d->type == STT_GNU_IFUNC)
            return fail_obj(b, o->name, KEEL_E_UNSUPPORTED,
                            "'%s' is an IFUNC (STT_GNU_IFUNC): the loader does not run resolvers", sn);
        if (!d && batch_only) {
            if (bind == STB_WEAK)
                r->defined = true;
            continue; /* an error where it is used: hidden symbols never come from the host */
        }
        if (d) {
            r->section = d->section;
            r->addr = d->addr;
            r->size = d->size;
            r->defined = true;
            continue;
        }
        void *host = *sn ? rl_host_symbol(b->ns, sn) : NULL;
        if (host) {
            r->addr = (uintptr_t)host;
            r->defined = true;
            continue;
        }
        if (bind == STB_WEAK)
            r->defined = true; /* an undefined weak symbol is 0 */
    }
    for (uint64_t i = 1; i < p->symtab.count; i++)
        if (!p->res[i].discarded)
            o->sym_target[i] = p->res[i].section;
    return 0;
}

/* ----------------------------------------------------------------- layout */

/* An absolute address in a field narrower than an address (R_*_32 and the
 * like) needs the symbol at a low address. */
static bool needs_low(const ka_howto *h)
{
    return h && h->formula == KA_F_ABS && h->size && h->size < sizeof(uintptr_t);
}

/* A relocation section the loader cannot attach to the section it
 * relocates is refused, naming it: ignoring it would run unrelocated
 * code.  GNU ld's words where it has them ("invalid link %u for reloc
 * section %s (index %u)").  A section it relocates that is not loaded
 * (debugging information, a dropped COMDAT copy) is no error. */
static int check_reloc_section(batch *b, pending *p, uint32_t i, const keel_shdr *sh)
{
    const keel_elf *elf = &p->obj->elf;
    const char *sname = "?";
    char why[200];
    keel_elf_section_name(elf, sh, &sname, NULL);
    if (sh->type == SHT_REL) {
        snprintf(why, sizeof why, "reloc section %.80s (index %u): REL relocations on %s (expected RELA)", sname, i,
                 p->obj->arch->name);
        return fail_obj(b, p->obj->name, KEEL_E_UNSUPPORTED, "%s", why);
    }
    keel_shdr tsh;
    if (sh->info == 0 || sh->info == i || sh->info >= elf->shnum || keel_elf_shdr(elf, sh->info, &tsh, NULL) ||
        tsh.type == SHT_REL || tsh.type == SHT_RELA || tsh.type == SHT_SYMTAB || tsh.type == SHT_GROUP) {
        snprintf(why, sizeof why, "invalid info %u for reloc section %.80s (index %u): it names no section to relocate",
                 sh->info, sname, i);
        return fail_obj(b, p->obj->name, KEEL_E_FORMAT, "%s", why);
    }
    if (!p->has_symtab && sh->size) {
        snprintf(why, sizeof why, "reloc section %.80s (index %u): relocations, but no symbol table", sname, i);
        return fail_obj(b, p->obj->name, KEEL_E_LINK, "%s", why);
    }
    if (p->has_symtab && sh->link != p->symtab.section) {
        snprintf(why, sizeof why, "invalid link %u for reloc section %.80s (index %u): not the symbol table (index %u)",
                 sh->link, sname, i, p->symtab.section);
        return fail_obj(b, p->obj->name, KEEL_E_FORMAT, "%s", why);
    }
    return 0;
}

/* Count the GOT slots and stubs an object needs, and whether it needs low
 * addresses. */
static int survey_relocs(batch *b, pending *p)
{
    keel_error e;
    const keel_elf *elf = &p->obj->elf;
    for (uint32_t i = 1; i < elf->shnum; i++) {
        keel_shdr sh;
        keel_relocs rs;
        keel_elf_shdr(elf, i, &sh, NULL);
        if (sh.type != SHT_RELA && sh.type != SHT_REL)
            continue;
        if (check_reloc_section(b, p, i, &sh))
            return b->err->code;
        if (!p->obj->by_index[sh.info])
            continue;
        if (keel_elf_relocs(elf, i, &rs, &e))
            return fail_obj(b, p->obj->name, e.code, "%s", e.msg);
        p->obj->by_index[sh.info]->rela = i;
        bool native = rl_rels_native(&rs);
        for (uint64_t k = 0; k < rs.count; k++) {
            keel_rel r;
            rl_rel_get(&rs, native, k, &r);
            const ka_howto *h = p->obj->arch->howto(r.type);
            if (!h || r.sym >= p->symtab.count)
                continue; /* reported when applied */
            /* one of each slot per symbol: what this relocation adds */
            resolution *res = &p->res[r.sym];
            uint8_t want = (uint8_t)(h->needs & LD_WANT_ALL);
            if ((want & LD_WANT_TLSDESC) && h->formula == KA_F_MARKER)
                want &= (uint8_t)~LD_WANT_TLSDESC; /* TLSDESC_CALL: the descriptor is its GOTPC32's */
            uint8_t added = want & (uint8_t)~res->wants;
            if (added) {
                /* a tls_index is module and offset; a descriptor is
                 * resolver and argument, and its tls_index */
                p->ngot += (added & LD_WANT_GOT ? 1 : 0) + (added & LD_WANT_TLS ? 2 : 0) +
                           (added & LD_WANT_TLSDESC ? 4 : 0);
                p->nstubs += added & LD_WANT_STUB ? 1 : 0;
                /* an entry of the slot table for each symbol given a
                 * GOT or TLS slot; stubs, rare, may grow it */
                p->nslots += (res->wants & LD_WANT_SURE) == 0 && (added & LD_WANT_SURE);
                res->wants |= want;
            }
            if ((h->needs & KA_NEED_TLS_LD) && !p->wants_tls_ld) {
                p->wants_tls_ld = true;
                p->ngot += 2; /* the object's tls_index: module, 0 */
            }
            if (needs_low(h) && !b->need_low) {
                b->need_low = true;
                b->low.p = p;
                b->low.section = p->obj->by_index[sh.info]->elf_name;
                b->low.offset = r.offset;
                b->low.sym = r.sym;
                b->low.type = r.type;
            }
        }
    }
    return 0;
}

/* Where each section goes in its region, and the regions' sizes. */
static int measure(batch *b, pending *p)
{
    keel_object *o = p->obj;
    const keel_elf *elf = &o->elf;
    uint64_t size[3] = {0, 0, 0};
    uint64_t *at = p->at = rl_scratch_alloc(&b->scratch, (o->nsections + 1) * sizeof *at);
    if (!at)
        return oom(b);
    /* The TLS sections first, together: they are the module's template,
     * .tdata before .tbss as in a linked PT_TLS.  Then the sections with
     * contents, then those without (.bss): only the first are written at
     * load, so only they are populated. */
    for (int pass = 0; pass < 4; pass++)
        for (uint32_t k = 0; k < o->nsections; k++) {
            keel_section *s = &o->sections[k];
            keel_shdr sh;
            keel_elf_shdr(elf, s->shndx, &sh, NULL);
            int want = s->type == KEEL_SEC_TLS_DATA  ? 0
                       : s->type == KEEL_SEC_TLS_BSS ? 1
                       : sh.type == SHT_NOBITS       ? 3
                                                     : 2;
            if (want != pass)
                continue;
            int reg = region_of(s, &sh);
            uint64_t a = sh.addralign ? sh.addralign : 1;
            size[reg] = align_up(size[reg], a);
            at[k] = size[reg];
            size[reg] += sh.size + (s->type == KEEL_SEC_EH_FRAME ? 4 : 0); /* the zero terminator */
            if (pass != 3 && s->type != KEEL_SEC_TLS_BSS)
                p->filled[reg] = size[reg];
            if (pass < 2) {
                o->tls_size = size[reg];
                o->tls_align = a > o->tls_align ? a : o->tls_align;
            }
        }
    size[0] = align_up(size[0], 16);
    p->stubs_at = size[0];
    size[0] += p->nstubs * o->arch->stub_size;
    p->filled[0] = size[0];
    size[1] = align_up(size[1], 8);
    p->got_at = size[1];
    size[1] += (p->ngot + p->nstubs) * 8 + 8; /* and __dso_handle */
    p->filled[1] = size[1];
    size[2] = align_up(size[2], 64);
    p->common_at = size[2];
    size[2] += p->ncommon_bytes;
    size_t pg = page_size();
    for (int r = 0; r < 3; r++)
        o->region_size[r] = align_up(size[r], pg);
    /* the table of what serves which symbol, kept with the object */
    if (p->nslots && !(o->slots = malloc(p->nslots * sizeof *o->slots)))
        return oom(b);
    o->slots_cap = p->nslots;
    return 0;
}

/* A region at least this large goes into huge pages: populating and
 * writing it then costs a few faults instead of one a page, for at most
 * 2 MiB of memory more (the last huge page's unused part). */
#define HUGE_REGION_MIN ((size_t)1 << 20)
/* ... and its last part past its whole huge pages gets one more if it is
 * at least this large; a smaller one stays in small pages.  A huge page's
 * first touch clears all 2 MiB (about 250 us on the 2-core VM keel is
 * measured on, as much as populating 300 small pages), so a huge page
 * pays only where most of it is used: python's read-only region (2.3 MiB
 * written) and read-write one (2.1 MiB) each cleared a whole huge page
 * for their last 0.3 and 0.2 MiB. */
#define HUGE_TAIL_MIN ((size_t)512 << 10)

/* The batch's three regions (text, read-only, read-write), each the
 * objects' parts of that kind one after another; size[r] is what each
 * holds, rounded up to the huge page for a large one whose tail is
 * large too (memory.c advises only the whole huge pages). */
static int allocate(batch *b, uintptr_t start[3], size_t size[3])
{
    uintptr_t huge_end[3];
    for (int r = 0; r < 3; r++) {
        size[r] = 0;
        for (size_t i = 0; i < b->n; i++)
            size[r] += b->v[i].obj->region_size[r];
        size_t align = page_size();
        if (size[r] >= HUGE_REGION_MIN) {
            align = LD_HUGE_PAGE;
            if (size[r] % LD_HUGE_PAGE >= HUGE_TAIL_MIN)
                size[r] = align_up(size[r], LD_HUGE_PAGE);
        }
        if (rl_arena_alloc(b->ns, size[r], align, &start[r], b->err))
            return b->err->code;
        huge_end[r] = start[r] + (align == LD_HUGE_PAGE ? size[r] & ~(LD_HUGE_PAGE - 1) : 0);
        if (rl_phase_on > 0) {
            static const char *const kind[3][2] = {{"region text", "region text written"},
                                                   {"region read-only", "region read-only written"},
                                                   {"region read-write", "region read-write written"}};
            size_t filled = 0;
            for (size_t i = 0; i < b->n; i++)
                filled += b->v[i].filled[r];
            rl_phase_note(kind[r][0], size[r]);
            rl_phase_note(kind[r][1], filled);
        }
    }
    uintptr_t at[3] = {start[0], start[1], start[2]};
    for (size_t i = 0; i < b->n; i++)
        for (int r = 0; r < 3; r++) {
            b->v[i].obj->region[r] = at[r];
            at[r] += b->v[i].obj->region_size[r];
        }
    /* The rounding up to the huge page belongs to the last object, so that
     * unloading it gives that memory back too. */
    for (int r = 0; r < 3 && b->n; r++)
        b->v[b->n - 1].obj->region_size[r] += start[r] + size[r] - at[r];
        /* Fault in at once what is written next (one call costs less than a
     * fault per page); not .bss, which may be large and never touched.
     * One call per run of objects whose written parts touch, or lie in
     * one huge page (which is cleared whole anyway): python's 180 objects
     * took 495 calls, one per object and region. */
#ifdef MADV_POPULATE_WRITE
    size_t pg = page_size();
    for (int r = 0; r < 3; r++) {
        uintptr_t from = 0, to = 0;
        for (size_t i = 0; i <= b->n; i++) {
            uintptr_t s = i < b->n ? b->v[i].obj->region[r] : 0;
            uintptr_t e = i < b->n ? s + align_up(b->v[i].filled[r], pg) : 0;
            if (i < b->n && e == s)
                continue;
            bool join = i < b->n && to > from &&
                        (s <= to || (s < huge_end[r] && (s & ~(LD_HUGE_PAGE - 1)) == ((to - 1) & ~(LD_HUGE_PAGE - 1))));
            if (join) {
                to = e;
                continue;
            }
            if (to > from)
                madvise((void *)from, to - from, MADV_POPULATE_WRITE);
            from = s;
            to = e;
        }
    }
#else
    (void)huge_end;
#endif
    return 0;
}

/* Sections to their addresses, with their contents. */
static int place(batch *b, pending *p)
{
    keel_object *o = p->obj;
    const keel_elf *elf = &o->elf;
    const uint64_t *at = p->at;
    const uintptr_t *region = o->region;
    if (o->tls_align) {
        o->tls_image = region[1];
        o->tls_module = rl_tls_new_module();
    }
    for (uint32_t k = 0; k < o->nsections; k++) {
        keel_section *s = &o->sections[k];
        keel_shdr sh;
        const uint8_t *data;
        keel_error e;
        keel_elf_shdr(elf, s->shndx, &sh, NULL);
        s->addr = region[region_of(s, &sh)] + at[k];
        if (sh.type != SHT_NOBITS && sh.size) {
            uint64_t dsize;
            if (keel_elf_section_data(elf, &sh, &data, &dsize, &e))
                return fail_obj(b, o->name, e.code, "%s", e.msg);
            if (dsize < sh.size)
                return fail_obj(b, o->name, KEEL_E_TRUNCATED, "section %s is cut short", s->elf_name);
            memcpy((void *)s->addr, data, sh.size);
        }
    }
    p->stubs = region[0] + p->stubs_at;
    p->got = region[1] + p->got_at;
    p->got_end = p->got + (p->ngot + p->nstubs) * 8;
    o->dso_handle = p->got_end;
    p->common = region[2] + p->common_at;
    if (p->ncommon_bytes) { /* the commons' synthetic section, last */
        keel_section *s = &o->sections[o->nsections++];
        s->name = s->elf_name = ".bss.common";
        s->shndx = elf->shnum;
        s->type = KEEL_SEC_BSS;
        s->addr = p->common;
        s->size = p->ncommon_bytes;
        s->parent = o;
        s->writable = true;
        s->global = true;
        o->by_index[elf->shnum] = s;
        /* the commons this object won get their places */
        uint64_t off = 0;
        for (uint64_t i = p->symtab.first_global; i < p->symtab.count; i++) {
            keel_sym sym;
            const char *sn;
            if (keel_symtab_get(&p->symtab, i, &sym, NULL) || sym.raw_shndx != SHN_COMMON ||
                keel_symtab_name(&p->symtab, &sym, &sn, NULL))
                continue;
            sym_entry *d = rl_sym_find(&b->defs, sn, rl_hash(sn));
            if (!d || d->object != o || !d->common || d->section)
                continue;
            off = align_up(off, sym.value ? sym.value : 1);
            d->section = s;
            d->addr = off;
            off += d->size;
        }
    }
    for (uint32_t k = 0; k < o->nsections; k++)
        o->list[k] = &o->sections[k];
    return 0;
}

/* After layout, the batch's definitions become addresses. */
static void place_definitions(batch *b)
{
    for (size_t i = 0; i < b->defs.cap; i++) {
        sym_entry *d = &b->defs.v[i];
        if (d->name && d->section)
            d->addr += d->section->addr;
    }
}

/* ------------------------------------------------------------- relocation */

static const char *target_name(const pending *p, uint64_t symi)
{
    return rl_reloc_target_name(p->obj, &p->symtab, symi);
}

/* Every relocation of the object, each through the one function that
 * applies a relocation (reloc.c), with the slots the survey measured. */
static int relocate(batch *b, pending *p)
{
    keel_object *o = p->obj;
    const keel_elf *elf = &o->elf;
    rl_slot_room room = {
        .got_next = p->got,
        .got_end = p->got + p->ngot * 8,
        .stub_next = p->stubs,
        .stub_end = p->stubs + p->nstubs * o->arch->stub_size,
        .stub_got_next = p->got + p->ngot * 8,
    };
    rl_reloc_env env = {.obj = o, .symtab = &p->symtab, .got = p->got, .room = &room, .err = b->err};
    for (uint32_t i = 1; i < elf->shnum; i++) {
        keel_shdr sh;
        keel_relocs rs;
        keel_elf_shdr(elf, i, &sh, NULL);
        if (sh.type != SHT_RELA || sh.info >= elf->shnum || !o->by_index[sh.info])
            continue;
        env.sec = o->by_index[sh.info];
        keel_elf_relocs(elf, i, &rs, NULL);
        if (rs.symtab != p->symtab.section)
            return fail_obj(b, o->name, KEEL_E_LINK, "%s", "relocations that use a second symbol table");
        if (rl_reloc_section(&env, &rs, p->res, p->symtab.count))
            return b->err->code;
    }
    return 0;
}

/* ------------------------------------------------------------ finishing */

/* Text becomes read+execute, read-only data read-only: the whole batch's
 * regions of each kind at once. */
static int protect(batch *b, const uintptr_t start[3], const size_t size[3])
{
    if ((size[0] && mprotect((void *)start[0], size[0], PROT_READ | PROT_EXEC)) ||
        (size[1] && mprotect((void *)start[1], size[1], PROT_READ)))
        return keel_error_set(b->err, KEEL_E_NOMEM, 0, "cannot protect the loaded code: %s", strerror(errno));
    return 0;
}

static int collect_ctors(batch *b, pending *p)
{
    keel_object *o = p->obj;
    for (uint32_t k = 0; k < o->nsections; k++) {
        keel_section *s = &o->sections[k];
        if (s->type != KEEL_SEC_INIT_ARRAY && s->type != KEEL_SEC_FINI_ARRAY)
            continue;
        bool init = s->type == KEEL_SEC_INIT_ARRAY, old = kr_legacy_array(s->elf_name) != 0;
        ctor_list **v = init ? &o->ctors : &o->dtors;
        uint32_t *n = init ? &o->nctors : &o->ndtors;
        ctor_list *nv = realloc(*v, (*n + 1) * sizeof **v);
        if (!nv)
            return oom(b);
        *v = nv;
        /* the linked program's order: .preinit_array first (glibc runs it
         * before .init_array), then numbered arrays by priority (.ctors.N
         * as .init_array.(65535-N)), then every unnumbered one */
        keel_shdr sh;
        uint32_t prio = kr_init_priority(s->elf_name);
        if (init && !keel_elf_shdr(&o->elf, s->shndx, &sh, NULL) &&
            kr_section_class(s->elf_name, sh.type, sh.flags) == KR_SEC_PREINIT_ARRAY)
            prio = 0;
        else if (init && prio != KR_PRIORITY_NONE)
            prio++; /* at most INT_MAX + 1: after the preinit arrays */
        nv[(*n)++] = (ctor_list){s->addr, s->size / 8, prio, old};
    }
    return 0;
}

/* Constructors of the whole batch, in the order a linked program runs its
 * one .init_array (unload.c has the ordering, shared with destructors). */
static void run_constructors(batch *b)
{
    keel_object **objs = malloc((b->n ? b->n : 1) * sizeof *objs);
    if (!objs) { /* out of memory: object by object, which is close */
        for (size_t i = 0; i < b->n; i++)
            rl_run_init(&b->v[i].obj, 1);
    } else {
        for (size_t i = 0; i < b->n; i++)
            objs[i] = b->v[i].obj;
        rl_run_init(objs, b->n);
        free(objs);
    }
    for (size_t i = 0; i < b->n; i++)
        b->v[i].obj->constructed = true;
}

static void (*frame_register)(void *);
static pthread_once_t frame_once = PTHREAD_ONCE_INIT;

static void find_frame_register(void)
{
    /* the unwinder the loaded code will throw through is the host's */
    if (!dlsym(RTLD_DEFAULT, "__register_frame"))
        dlopen("libgcc_s.so.1", RTLD_NOW | RTLD_GLOBAL);
    frame_register = (void (*)(void *))dlsym(RTLD_DEFAULT, "__register_frame");
}

static void register_frames(pending *p)
{
    keel_object *o = p->obj;
    if (!p->neh)
        return;
    pthread_once(&frame_once, find_frame_register);
    void (*reg)(void *) = frame_register;
    if (!reg)
        return;
    o->eh_frames = calloc(p->neh, sizeof *o->eh_frames);
    if (!o->eh_frames)
        return;
    for (uint32_t k = 0; k < o->nsections; k++)
        if (o->sections[k].type == KEEL_SEC_EH_FRAME && o->sections[k].size) {
            reg((void *)o->sections[k].addr);
            o->eh_frames[o->neh_frames++] = (void *)o->sections[k].addr;
        }
}

/* ------------------------------------------------------- parallel steps */

/* Placing, resolving and relocating touch only their own object's memory
 * (and read what every object shares), so the objects of a big batch are
 * shared out between two threads: copying into fresh pages is most of a
 * load.  Each worker reports into its object; the first failing object, in
 * load order, gives the batch's error, so the result does not depend on the
 * schedule. */
typedef struct work {
    batch *b;
    int (*step)(batch *, pending *);
    size_t next; /* atomic */
    int failed;  /* atomic: stop taking objects */
} work;

static void *worker(void *arg)
{
    work *w = arg;
    /* the same batch, but errors go to the object; a step run here must not
     * allocate from the batch's scratch or the namespace's pool (neither is
     * for two threads at once, and this is a copy of the scratch) */
    batch wb = *w->b;
    for (;;) {
        size_t i = __atomic_fetch_add(&w->next, 1, __ATOMIC_RELAXED);
        if (i >= w->b->n || __atomic_load_n(&w->failed, __ATOMIC_RELAXED))
            return NULL;
        pending *p = &w->b->v[i];
        wb.err = &p->err;
        if ((p->rc = w->step(&wb, p)))
            __atomic_store_n(&w->failed, 1, __ATOMIC_RELAXED);
    }
}

/* Worth a second thread (about 50 us to start and join here): enough
 * bytes to copy or relocate that it can take off the first. */
#define PARALLEL_BYTES ((size_t)1 << 20)

/* The bytes a second thread can take: half the batch's, but not the
 * largest object's, which one thread does alone (an amalgamation's one
 * big object beside a small driver: a second thread only costs). */
static size_t parallel_bytes(const batch *b)
{
    size_t all = 0, largest = 0;
    for (size_t i = 0; i < b->n; i++) {
        const keel_object *o = b->v[i].obj;
        size_t one = o->region_size[0] + o->region_size[1] + o->region_size[2];
        all += one;
        largest = one > largest ? one : largest;
    }
    return all - largest < all / 2 ? all - largest : all / 2;
}

static bool two_processors(void)
{
    static int n; /* sysconf reads /sys each call */
    if (!__atomic_load_n(&n, __ATOMIC_RELAXED))
        __atomic_store_n(&n, sysconf(_SC_NPROCESSORS_ONLN) > 1 ? 2 : 1, __ATOMIC_RELAXED);
    return __atomic_load_n(&n, __ATOMIC_RELAXED) == 2;
}

static int each_object_parallel(batch *b, int (*step)(batch *, pending *), size_t bytes)
{
    work w = {.b = b, .step = step};
    for (size_t i = 0; i < b->n; i++)
        b->v[i].rc = 0;
    pthread_t helper;
    bool two = bytes >= PARALLEL_BYTES / 2 && b->n > 1 && two_processors() &&
               pthread_create(&helper, NULL, worker, &w) == 0;
    worker(&w);
    if (two)
        pthread_join(helper, NULL);
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].rc) {
            *b->err = b->v[i].err;
            return b->v[i].rc;
        }
    return 0;
}

static int resolve_and_relocate(batch *b, pending *p)
{
    if (!p->has_symtab)
        return 0;
    int rc = resolve(b, p);
    return rc ? rc : relocate(b, p);
}

/* --------------------------------------------------------------- the batch */

/* The batch needs addresses below 2 GiB and cannot have them: the message
 * names the first relocation that needs them, where it is. */
static int fail_low(batch *b, const char *why)
{
    char msg[sizeof b->err->msg], what[300];
    snprintf(msg, sizeof msg, "%s", why);
    const char *type = keel_reloc_type_name(b->low.p->obj->arch->machine, b->low.type);
    snprintf(what, sizeof what, "relocation %s against '%.80s' needs an address below 2 GiB, but %.160s",
             type ? type : "?", target_name(b->low.p, b->low.sym), msg);
    return fail_at(b, b->low.p->obj, b->low.section, b->low.offset, KEEL_E_RANGE, "%s", what, 0);
}

static void discard(batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        pending *p = &b->v[i];
        if (p->obj) {
            if (!p->own_map)
                p->obj->file_map = NULL;   /* unmapped below with the inputs */
            rl_object_free(p->obj, false); /* the other ends are the batch's, or were never told */
        }
    }
    free(b->v);
    free(b->ar);
    rl_scratch_release(&b->scratch);
}

static int map_input(batch *b, const keel_input *in, void **map, size_t *size)
{
    if (in->data) {
        *map = (void *)in->data;
        *size = in->size;
        return 0;
    }
    struct stat st;
    int fd = kf_open_regular(in->path, &st); /* a FIFO must not hang the load */
    if (fd == -2)
        return fail_obj(b, in->path, KEEL_E_IO, "not a regular file (%s)", kf_file_kind(st.st_mode));
    if (fd < 0)
        return fail_obj(b, in->path, KEEL_E_IO, "cannot open: %s", strerror(errno));
    *size = (size_t)st.st_size;
    /* Populated: most of an object's bytes are read (sections, symbols,
     * relocations), and mapping them in one call beats a fault per page. */
    *map = *size ? mmap(NULL, *size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : NULL;
    close(fd);
    if (*map == MAP_FAILED) {
        *map = NULL;
        return fail_obj(b, in->path, KEEL_E_IO, "cannot map: %s", strerror(errno));
    }
    return 0;
}

/* A load in its three parts, so that a swap (swap.c) can put its own
 * commit between them: everything that may fail (the tree's lock held
 * throughout), the commit into the namespace, then the constructors. */
struct rl_aside {
    batch b;
    const keel_input *inputs;
    size_t count;
    void **maps;
    size_t *sizes;
    uintptr_t arena_mark;
    bool new_arena;
    uintptr_t start[3];
    size_t region_size[3];
    rl_export *lent;
};

static void free_aside(rl_aside *a)
{
    free(a->maps);
    free(a->sizes);
    free(a);
}

static int map_inputs(rl_aside *a)
{
    int rc = 0;
    for (size_t i = 0; i < a->count && !rc; i++) {
        rc = map_input(&a->b, &a->inputs[i], &a->maps[i], &a->sizes[i]);
        a->b.has_archives |= !rc && keel_is_archive(a->maps[i], a->sizes[i]);
    }
    return rc;
}

/* Everything that may fail, with the tree's lock held; on failure nothing
 * of the batch stays (the lock is still held). */
static int load_prepare(rl_aside *a, int rc)
{
    batch *bp = &a->b;
#define b (*bp)
    keel_ns *ns = b.ns;
    keel_error *err = b.err;
    const keel_input *inputs = a->inputs;
    size_t count = a->count;
    void **maps = a->maps;
    size_t *sizes = a->sizes;
    a->arena_mark = ns->arena_used;
    /* the archives' indexes first: they say how many objects the batch
     * may hold, and its array of objects is sized once (new_pending) */
    size_t most = 0;
    for (size_t i = 0; i < count && !rc; i++) {
        const char *name = inputs[i].path ? inputs[i].path : "(buffer)";
        if (keel_is_archive(maps[i], sizes[i]))
            rc = add_archive(&b, name, maps[i], sizes[i]);
        else
            most++;
    }
    for (size_t i = 0; i < b.nar; i++)
        most += b.ar[i].kr.nmembers;
    if (!rc && reserve_pending(&b, most))
        rc = oom(&b);
    for (size_t i = 0; i < count && !rc; i++) {
        const char *name = inputs[i].path ? inputs[i].path : "(buffer)";
        if (!keel_is_archive(maps[i], sizes[i]))
            rc = parse_object(&b, name, name, NULL, maps[i], sizes[i], inputs[i].data ? NULL : maps[i], sizes[i]);
    }
    /* the table of definitions, sized once for what the archives may bring */
    if (!rc && rl_sym_reserve(&b.defs, b.arnames))
        rc = oom(&b);
    rl_phase_mark("parse inputs");
    if (!rc)
        rc = pull_members(&b);
    rl_phase_mark("pull members");
    for (size_t i = 0; i < b.n && !rc; i++)
        rc = survey_relocs(&b, &b.v[i]);
    rl_phase_mark("survey relocations");
    bool new_arena = !rc && !ns->arena;
    a->new_arena = new_arena;
    if (new_arena && (rc = rl_arena_init(ns, b.need_low, err)) && b.need_low)
        rc = fail_low(&b, err->msg);
    if (!rc && b.need_low && !ns->arena_low)
        rc = fail_low(&b, "this namespace already lives above: compile it with -fPIC, or load it into a new "
                          "namespace");
    uintptr_t *start = a->start;
    size_t *region_size = a->region_size;
    for (size_t i = 0; i < b.n && !rc; i++)
        rc = measure(&b, &b.v[i]);
    rl_phase_mark("measure");
    size_t batch_bytes = rc ? 0 : parallel_bytes(&b); /* (before allocate rounds the last object's) */
    rl_phase_note("second thread's bytes", batch_bytes);
    if (!rc)
        rc = allocate(&b, start, region_size);
    rl_phase_mark("allocate, populate");
    if (!rc)
        rc = each_object_parallel(&b, place, batch_bytes);
    if (!rc)
        place_definitions(&b);
    rl_phase_mark("place (copy)");
    if (!rc)
        rc = each_object_parallel(&b, resolve_and_relocate, batch_bytes);
    rl_phase_mark("resolve, relocate");
    for (size_t i = 0; i < b.n && !rc; i++)
        rc = collect_ctors(&b, &b.v[i]);
    /* reserve everything the commit needs, so that it cannot fail */
    size_t nsecs = 0, narch = 0;
    for (size_t i = 0; i < b.n; i++)
        nsecs += b.v[i].obj->nsections;
    for (size_t i = 0; i < b.nar; i++)
        narch += b.ar[i].nloaded != 0;
    size_t nhidden = 0;
    for (size_t i = 0; i < b.defs.cap; i++)
        nhidden += b.defs.v[i].name && is_hidden(&b.defs.v[i]);
    if (!rc && (rl_sym_reserve(&ns->syms, b.defs.n - nhidden) || rl_sym_reserve(&ns->hidden, nhidden) ||
                rl_sym_reserve(&ns->groups, b.groups.n) || rl_index_reserve(ns, nsecs)))
        rc = oom(&b);
    if (!rc && narch) {
        void *grown = realloc(ns->archives, (ns->narchives + narch) * sizeof *ns->archives);
        if (grown)
            ns->archives = grown;
        else
            rc = oom(&b);
    }
    for (size_t i = 0; i < b.n && !rc; i++) {
        keel_object *o = b.v[i].obj;
        if (o->tls_module && rl_tls_register(o->tls_module, (void *)o->tls_image, o->tls_size, o->tls_align))
            rc = oom(&b);
    }
    rl_phase_mark("ctors list, reserve");
    if (!rc)
        rc = protect(&b, start, region_size);
    rl_phase_mark("protect");
    /* the last step that may fail: the batch's addresses are final */
    if (!rc && (ns->flags & KEEL_NS_EXPORT) && !(ns->flags & (KEEL_NS_EXPORT_LAZY | KEEL_NS_INERT)))
        rc = rl_export_batch(&b.defs, false, &a->lent, err);
    if (rc) {
        /* give the arena back: nothing of the batch stays, not even the
         * choice of where the namespace lives */
        if (new_arena && ns->arena) {
            munmap((void *)ns->arena, ns->arena_size);
            ns->arena = ns->arena_size = ns->arena_used = 0;
            ns->arena_low = false;
        } else if (ns->arena && ns->arena_used > a->arena_mark) {
            mmap((void *)(ns->arena + a->arena_mark), ns->arena_used - a->arena_mark, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
            ns->arena_used = a->arena_mark;
        }
        for (size_t i = 0; i < b.n; i++)
            memset(b.v[i].obj->region_size, 0, sizeof b.v[i].obj->region_size);
        discard(&b);
        for (size_t i = 0; i < count; i++)
            if (maps[i] && !inputs[i].data)
                munmap(maps[i], sizes[i]);
    }
    return rc;
#undef b
}

/* The commit: the batch enters the namespace (the tree's lock held). */
static void load_commit(rl_aside *a, bool frames)
{
    batch *bp = &a->b;
#define b (*bp)
    keel_ns *ns = b.ns;
    for (size_t i = 0; i < b.defs.cap; i++)
        if (b.defs.v[i].name)
            rl_sym_insert(is_hidden(&b.defs.v[i]) ? &ns->hidden : &ns->syms, &b.defs.v[i]);
    for (size_t i = 0; i < b.groups.cap; i++)
        if (b.groups.v[i].name)
            rl_sym_insert(&ns->groups, &b.groups.v[i]);
    static uint64_t load_seq;
    for (size_t i = 0; i < b.n; i++) {
        keel_object *o = b.v[i].obj;
        o->committed = true;
        o->constructing = !(ns->flags & KEEL_NS_INERT);
        o->seq = __atomic_add_fetch(&load_seq, 1, __ATOMIC_RELAXED);
        o->batch = b.v[0].obj->seq;
        rl_export_own(a->lent, o);
        /* lazily: its names wait for loaded code's first dlopen (host.c) */
        if ((ns->flags & KEEL_NS_EXPORT) && (ns->flags & KEEL_NS_EXPORT_LAZY) && !(ns->flags & KEEL_NS_INERT))
            rl_export_defer(o);
        if (ns->last)
            ns->last->next = o;
        else
            ns->first = o;
        ns->last = o;
        if (frames && !(ns->flags & KEEL_NS_INERT))
            register_frames(&b.v[i]);
        if (!(ns->flags & KEEL_NS_INERT))
            rl_jit_names_loaded(o); /* perf's map, gdb's JIT list (jit_names.c) */
    }
    /* archives stay mapped while the namespace lives: loaded members'
     * names point into them */
    for (size_t i = 0; i < b.nar; i++) {
        bool from_file = false;
        for (size_t k = 0; k < a->count; k++)
            from_file |= a->maps[k] == b.ar[i].kr.map && !a->inputs[k].data;
        if (!from_file)
            continue;
        if (b.ar[i].nloaded) { /* room reserved above */
            ns->archives[ns->narchives].map = (void *)b.ar[i].kr.map;
            ns->archives[ns->narchives++].size = b.ar[i].kr.size;
        } else {
            munmap((void *)b.ar[i].kr.map, b.ar[i].kr.size);
        }
    }
    rl_index_append(ns, b.n ? b.v[0].obj : NULL);
    rl_edges_changed(ns);
    rl_phase_mark("commit");
#undef b
}

/* The constructors (the lock let go), and the batch's scratch freed. */
static void load_finish(rl_aside *a, bool construct)
{
    batch *b = &a->b;
    if (construct && !(b->ns->flags & KEEL_NS_INERT)) {
        run_constructors(b);
        for (size_t i = 0; i < b->n; i++)
            __atomic_store_n(&b->v[i].obj->constructing, false, __ATOMIC_RELEASE);
        rl_phase_mark("constructors");
    }
    free(b->v);
    free(b->ar);
    rl_scratch_release(&b->scratch);
    free_aside(a);
    rl_phase_mark("release scratch");
}

static rl_aside *new_aside(keel_ns *ns, const keel_input *inputs, size_t count, keel_error *err)
{
    rl_aside *a = calloc(1, sizeof *a);
    void **maps = calloc(count ? count : 1, sizeof *maps);
    size_t *sizes = calloc(count ? count : 1, sizeof *sizes);
    if (!a || !maps || !sizes) {
        free(a);
        free(maps);
        free(sizes);
        keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
        return NULL;
    }
    *a = (rl_aside){.b = {.ns = ns, .err = err}, .inputs = inputs, .count = count, .maps = maps, .sizes = sizes};
    a->b.defs.scratch = a->b.groups.scratch = a->b.refs.scratch = &a->b.scratch;
    return a;
}

int keel_load(keel_ns *ns, const keel_input *inputs, size_t count, keel_object **first, keel_error *err)
{
    rl_aside *a = new_aside(ns, inputs, count, err);
    if (!a)
        return KEEL_E_NOMEM;
    rl_phase_mark("start");
    /* the files are read before the namespace is locked: lookups go on */
    int rc = map_inputs(a);
    rl_phase_mark("map inputs");
    /* the tree's lock: the parents' names are resolved against, and must
     * not change meanwhile */
    rl_write_lock(ns);
    rc = load_prepare(a, rc);
    if (rc) {
        rl_unlock(ns);
        free_aside(a);
        return rc;
    }
    load_commit(a, true);
    if (first)
        *first = a->b.n ? a->b.v[0].obj : NULL;
    rl_unlock(ns);
    load_finish(a, true);
    return 0;
}

/* A swap's load (swap.c): the batch beside the old objects, with the
 * tree's lock held by the caller.  Its frames are registered and its TLS
 * modules too, but it is in no namespace list or table until
 * rl_aside_commit. */
int rl_aside_load(keel_ns *ns, const keel_input *inputs, size_t count, keel_object *const *hide, size_t nhide,
                  rl_aside **out, keel_error *err)
{
    rl_aside *a = new_aside(ns, inputs, count, err);
    if (!a)
        return KEEL_E_NOMEM;
    a->b.hide = hide;
    a->b.nhide = nhide;
    int rc = map_inputs(a);
    rc = load_prepare(a, rc);
    if (rc) {
        free_aside(a);
        return rc;
    }
    for (size_t i = 0; i < a->b.n && !(ns->flags & KEEL_NS_INERT); i++)
        register_frames(&a->b.v[i]);
    *out = a;
    return 0;
}

size_t rl_aside_objects(const rl_aside *a, keel_object **v)
{
    for (size_t i = 0; v && i < a->b.n; i++)
        v[i] = a->b.v[i].obj;
    return a->b.n;
}

const sym_table *rl_aside_defs(const rl_aside *a) { return &a->b.defs; }

/* The constructors of the batch, before its commit (swap.c says why). */
void rl_aside_construct(rl_aside *a)
{
    if (a->b.ns->flags & KEEL_NS_INERT)
        return;
    /* what they register at exit is theirs (host.c), though they are not
     * yet in the namespace */
    keel_object **v = malloc((a->b.n ? a->b.n : 1) * sizeof *v);
    for (size_t i = 0; v && i < a->b.n; i++)
        v[i] = a->b.v[i].obj;
    if (v)
        rl_host_constructing(v, a->b.n);
    run_constructors(&a->b);
    rl_host_constructing(NULL, 0);
    free(v);
}

void rl_aside_commit(rl_aside *a)
{
    load_commit(a, false);
    for (size_t i = 0; i < a->b.n; i++)
        __atomic_store_n(&a->b.v[i].obj->constructing, false, __ATOMIC_RELEASE);
    load_finish(a, false);
}

/* Undo rl_aside_load (the lock still held): destructors of what was
 * constructed, then every object freed and the arena given back as far
 * as nothing was placed after it. */
void rl_aside_discard(rl_aside *a)
{
    batch *b = &a->b;
    for (size_t i = b->n; i-- > 0;)
        rl_object_finalize(b->v[i].obj);
    if (a->lent)
        for (size_t i = 0; i < b->n; i++)
            rl_export_own(a->lent, b->v[i].obj);
    /* the regions go back to PROT_NONE after the objects (their frames
     * are deregistered from their memory), and are not reused: its
     * constructors ran, and may have left pointers to them */
    uintptr_t(*regions)[2] = calloc(3 * (b->n ? b->n : 1), sizeof *regions);
    size_t nr = 0;
    for (size_t i = 0; regions && i < b->n; i++)
        for (int r = 0; r < 3; r++)
            if (b->v[i].obj->region_size[r]) {
                regions[nr][0] = b->v[i].obj->region[r];
                regions[nr++][1] = b->v[i].obj->region_size[r];
            }
    discard(b);
    for (size_t i = 0; i < nr; i++)
        mmap((void *)regions[i][0], regions[i][1], PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
             -1, 0);
    free(regions);
    for (size_t i = 0; i < a->count; i++)
        if (a->maps[i] && !a->inputs[i].data)
            munmap(a->maps[i], a->sizes[i]);
    free_aside(a);
}

int keel_load_file(keel_ns *ns, const char *path, keel_object **obj, keel_error *err)
{
    keel_input in = {.path = path};
    return keel_load(ns, &in, 1, obj, err);
}
