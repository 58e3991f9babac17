/* The runtime loader's internal model: namespace, objects, sections, the
 * symbol index and the per-namespace arena. */
#ifndef KEEL_LOAD_INTERNAL_H
#define KEEL_LOAD_INTERNAL_H

#include <keel/load.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../arch/arch.h"

/* Memory that objects keep, shared by the objects of a load (bulk.c):
 * each allocation counts against its chunk until rl_pool_put. */
typedef struct rl_pool_chunk rl_pool_chunk;
typedef struct rl_export rl_export;
typedef struct rl_pool {
    pthread_mutex_t lock;
    rl_pool_chunk *cur;
    size_t next; /* the next chunk's size */
} rl_pool;
void rl_pool_init(rl_pool *pool);
void *rl_pool_alloc(rl_pool *pool, size_t bytes, rl_pool_chunk **chunk);
void rl_pool_put(rl_pool *pool, rl_pool_chunk *chunk);
void rl_pool_destroy(rl_pool *pool);

/* An array of edges, sized once when it is built. */
typedef struct dep_list {
    keel_dep *v;
    uint32_t n, cap;
} dep_list;

struct keel_section {
    const char *name;     /* the symbol it holds for .text.foo, else the section name */
    const char *elf_name; /* the ELF section name */
    uint32_t shndx;
    uint8_t type; /* enum keel_section_type */
    bool global;  /* holds a global symbol */
    bool writable, executable;
    uintptr_t addr;
    uint64_t size;
    keel_object *parent;
    uint32_t rela; /* the ELF index of its relocations, or 0 */
    /* built on demand (edges.c) */
    bool deps_built;
    dep_list deps;  /* strong: sections this one uses */
    dep_list users; /* weak: sections that use this one */
    bool users_out; /* that array was handed out (edges.c) */
};

/* One pending constructor list: an .init_array (or .ctors) and its priority. */
typedef struct ctor_list {
    uintptr_t addr;
    uint64_t count;
    uint32_t priority; /* kr_init_priority: KR_PRIORITY_NONE unnumbered */
    bool reverse;      /* .ctors/.dtors run backwards */
} ctor_list;

struct keel_object {
    char *name; /* for messages: path or archive(member) */
    keel_ns *ns;
    keel_object *next; /* load order */
    void *file_map;    /* the mapped file, kept for names */
    size_t file_size;
    keel_elf elf;
    const ka_arch *arch;     /* its machine's target (lib/arch) */
    rl_pool_chunk *chunk;    /* where the arrays below live */
    keel_section *sections;  /* loaded sections, in section-index order */
    keel_section **by_index; /* ELF section index -> loaded section or NULL */
    uint32_t nsections;
    const keel_section **list; /* for keel_object_sections */
    /* its three regions in the arena (text, read-only, read-write), each
     * page-aligned so that it can be unloaded alone; a batch's regions of
     * one kind are contiguous, so that one mprotect covers them */
    uintptr_t region[3];
    size_t region_size[3];
    ctor_list *ctors, *dtors;
    uint32_t nctors, ndtors;
    void **eh_frames; /* registered with __register_frame */
    uint32_t neh_frames;
    bool constructed;
    bool committed;    /* part of its namespace (its batch succeeded) */
    bool lend_pending; /* KEEL_NS_EXPORT, lazy: its names wait for a dlopen */
    bool constructing; /* its constructors are running: not unloadable */
    bool in_closure;   /* marked while an unload's closure is built (edges.c) */
    uint64_t seq;      /* load order, across namespaces */
    uint64_t batch;    /* the seq of its batch's first object: a batch
                             * is one program (keel_program_symbol) */
    /* per symbol of its table: the loaded section it resolved to, if any;
     * with the relocations, every edge can be recovered (edges.c) */
    keel_section **sym_target;
    uint64_t nsyms;
    /* thread-local storage: the module id (0: none) and its template, the
     * TLS sections laid out first in the read-only region */
    uint64_t tls_module;
    uintptr_t tls_image;
    uint64_t tls_size, tls_align;
    /* what serves its symbols in its own tables (reloc.c): an entry per
     * symbol that has a GOT slot, a stub or TLS slots; and the one
     * tls_index {module, 0} of its local-dynamic code */
    keel_slot *slots; /* slots_cap entries, nslots used */
    uint32_t nslots, slots_cap;
    uintptr_t tls_ld;
    /* its text's writable alias, made on the first patch (text.c): the
     * same memory as region[0], mapped read+write elsewhere */
    uintptr_t text_alias;
    /* __dso_handle for the object: C++ registers its static destructors
     * with __cxa_atexit under it, and __cxa_finalize runs them at unload */
    uintptr_t dso_handle;          /* its address: a word of the object's read-only
                             * region, which its code reaches PC-relative */
    struct rl_exit_rec *exit_recs; /* what its code registered to run at exit (host.c) */
    rl_export *export;             /* its batch's lent symbols (KEEL_NS_EXPORT), or NULL */
    /* live swap (swap.c): replaced by a swap, out of its namespace's list
     * and tables but its code kept (keel_section_at still finds it) */
    bool retired;
    keel_object *retired_next;
    struct rl_fwd *fwd; /* entries of retired functions that jump into it */
    uint32_t nfwd, capfwd;
    struct rl_jit *jit; /* its entry in GDB's JIT list (jit_names.c), or NULL */
};

/* A retired function's entry, a jump to the live one of its name. */
typedef struct rl_fwd {
    uintptr_t entry;
    keel_object *owner; /* the retired object whose text holds the entry */
    const char *name;
    bool global;
} rl_fwd;

/* The slots a symbol wants: the needs' own bits, so that the survey of a
 * load's relocations takes them with one mask. */
enum {
    LD_WANT_GOT = KA_NEED_GOT,
    LD_WANT_STUB = KA_NEED_PLT,
    LD_WANT_TLS = KA_NEED_TLS_GD,
    LD_WANT_TLSDESC = KA_NEED_TLSDESC,
    LD_WANT_ALL = LD_WANT_GOT | LD_WANT_STUB | LD_WANT_TLS | LD_WANT_TLSDESC,
    LD_WANT_SURE = LD_WANT_GOT | LD_WANT_TLS | LD_WANT_TLSDESC, /* given out whatever the addresses */
};

/* What a symbol of an object resolves to (a load's, per symbol). */
typedef struct rl_resolution {
    keel_section *section; /* the section it lies in (for edges), or NULL */
    uintptr_t addr;
    uint64_t size;
    bool defined;   /* false: undefined (an error when used, unless weak) */
    bool discarded; /* defined in a dropped COMDAT section */
    uint8_t wants;  /* LD_WANT_*: its slots, counted once per symbol */
    uint32_t slot;  /* its entry of the object's slots, plus one; 0: none yet */
} rl_resolution;

/* Where the slots a relocation needs are given out from: a load's room,
 * measured by its survey.  A re-point has none (the slots must exist). */
typedef struct rl_slot_room {
    uintptr_t got_next, got_end;
    uintptr_t stub_next, stub_end, stub_got_next;
} rl_slot_room;

/* One relocation's surroundings (reloc.c). */
typedef struct rl_reloc_env {
    keel_object *obj;
    const keel_symtab *symtab;
    keel_section *sec;  /* the section relocated */
    intptr_t delta;     /* its bytes are written at the place + delta (a
                            * writable alias of the text), run at the place */
    uintptr_t got;      /* the object's GOT (for GOT-relative types) */
    rl_slot_room *room; /* NULL: give out no slot */
    keel_error *err;
} rl_reloc_env;

/* Apply one relocation, for the symbol as res says: the place checked,
 * slots given out once per symbol, the value written with its overflow
 * check.  res NULL: the symbol index is out of range.  0, or the error
 * (naming the object, section and offset). */
int rl_reloc_one(rl_reloc_env *env, const keel_rel *r, rl_resolution *res);
/* Every relocation of rs through it (a load's loop: the same function,
 * inlined); res per symbol, nsyms of them. */
int rl_reloc_section(rl_reloc_env *env, const keel_relocs *rs, rl_resolution *res, uint64_t nsyms);

/* Whether a relocation section is in this host's own format (ELF64
 * little-endian RELA on a little-endian host), which rl_rel_get reads
 * in place; else keel_relocs_get, which reads any. */
static inline bool rl_rels_native(const keel_relocs *rs)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && UINT64_MAX == UINTPTR_MAX
    return rs->kind == 4 /* SHT_RELA */ && rs->entsize == 24 && rs->elf->elfclass == 2 && rs->elf->byteorder == 1;
#else
    (void)rs;
    return false;
#endif
}

/* Relocation k: a load reads every one twice (survey, apply), 143,000 for
 * python, and keel_relocs_get's general reader (a call, the class and
 * byte order asked each time) was 7% of that load's instructions. */
static inline void rl_rel_get(const keel_relocs *rs, bool native, uint64_t k, keel_rel *out)
{
    if (!native) {
        keel_relocs_get(rs, k, out);
        return;
    }
    uint64_t w[3];
    memcpy(w, rs->data + k * 24, sizeof w);
    out->offset = w[0];
    out->info = w[1];
    out->addend = (int64_t)w[2];
    out->sym = (uint32_t)(w[1] >> 32);
    out->type = (uint32_t)w[1];
}
/* A relocation's target for messages: its symbol's name, or its section's
 * for a section symbol. */
const char *rl_reloc_target_name(const keel_object *o, const keel_symtab *symtab, uint64_t symi);

/* The writable alias of an object's text (text.c), made on first use. */
int rl_text_alias(keel_object *o, uintptr_t *alias, keel_error *err);
void rl_text_alias_free(keel_object *o);
void rl_text_fork_guard(void); /* text_fork.c */

/* The symbol index: open addressing over name hashes. */
typedef struct sym_entry {
    const char *name;
    uint32_t hash;
    uint8_t bind; /* STB_GLOBAL or STB_WEAK */
    uint8_t type;
    bool common;           /* a tentative definition (SHN_COMMON) */
    uint8_t visibility;    /* STV_*: hidden and internal names stay in their batch */
    keel_section *section; /* NULL for an absolute symbol */
    uintptr_t addr;
    uint64_t size;
    keel_object *object;
} sym_entry;

/* A batch's scratch memory: handed out in order, zeroed, all given back at
 * once when the batch ends (bulk.c). */
typedef struct rl_scratch {
    struct scratch_chunk *top;
} rl_scratch;
void *rl_scratch_alloc(rl_scratch *s, size_t bytes);
void rl_scratch_release(rl_scratch *s);
/* A large zeroed block (huge pages where it is large), and its release. */
void *rl_bulk_alloc(size_t bytes);
void rl_bulk_free(void *p, size_t bytes);

typedef struct sym_table {
    sym_entry *v;
    size_t cap, n;       /* cap a power of two */
    rl_scratch *scratch; /* a batch's table lives there; else rl_bulk_alloc */
} sym_table;

/* A tree of namespaces (a root, its children, theirs) shares one lock.
 * Loads and unloads reach across the tree (a load resolves names in the
 * parents, an unload takes dependents from the children, a question about
 * dependents walks all of it), so one lock for the tree makes each of them
 * see it whole, with no order between locks to keep.  Lookups share it;
 * loads, unloads and the tree's shape take it alone. */
typedef struct rl_tree {
    pthread_rwlock_t lock;
    size_t refs;  /* namespaces using it (under lock) */
    void **grave; /* dependents arrays replaced, freed with the tree */
    size_t ngrave, capgrave;
} rl_tree;

void rl_read_lock(const keel_ns *ns);
void rl_write_lock(keel_ns *ns);
void rl_unlock(const keel_ns *ns);

struct keel_ns {
    keel_ns *parent;
    keel_ns *children, *sibling; /* for dependents across namespaces */
    keel_ns *registry_next;      /* every namespace (host.c) */
    bool users_built;            /* the dependents lists are current (edges.c) */
    unsigned flags;
    rl_tree *tree; /* its tree's lock */
    keel_object *first, *last;
    sym_table syms;
    sym_table hidden; /* hidden and internal definitions: only for the
                             * names of a COMDAT copy dropped for one loaded
                             * before (C++'s DW.ref.__gxx_personality_v0) */
    sym_table groups; /* COMDAT signatures loaded (section unused) */
    /* every loaded section, sorted by address, for keel_section_at */
    keel_section **by_addr;
    size_t nby_addr, capby_addr;
    /* the arena every object of the namespace is placed in, so that they
     * reach one another with 32-bit PC-relative references */
    uintptr_t arena, arena_size, arena_used;
    bool arena_low; /* below 2 GiB (for absolute 32-bit fields) */
    /* archives whose members are loaded: their names point into them */
    struct {
        void *map;
        size_t size;
    } * archives;
    rl_pool pool; /* the objects' tables (bulk.c) */
    size_t narchives;
    keel_object *retired; /* objects a swap replaced (swap.c) */
    size_t lend_pending;  /* its objects whose names wait for a dlopen (atomic) */
};

uint32_t rl_hash(const char *s);
sym_entry *rl_sym_find(const sym_table *t, const char *name, uint32_t hash);
/* Make room for `more` entries (so inserting them cannot fail). */
int rl_sym_reserve(sym_table *t, size_t more);
sym_entry *rl_sym_insert(sym_table *t, const sym_entry *e);
void rl_sym_remove_object(sym_table *t, const keel_object *o);
void rl_sym_free(sym_table *t);

/* The arena: reserve once, hand out page-aligned blocks.  A block aligned
 * to LD_HUGE_PAGE is advised into transparent huge pages. */
#define LD_HUGE_PAGE ((size_t)2 << 20)
int rl_arena_init(keel_ns *ns, bool low, keel_error *err);
int rl_arena_alloc(keel_ns *ns, size_t size, size_t align, uintptr_t *out, keel_error *err);

/* The __dso_handle of the object whose section holds addr, or 0. */
uintptr_t rl_handle_at(const keel_ns *ns, uintptr_t addr);
/* The loaded object holding code address addr, or NULL. */
keel_object *rl_object_at(const keel_ns *ns, uintptr_t addr);
/* The records of what o registered to run at exit, freed (once glibc can
 * no longer run them: after __cxa_finalize of its handle). */
void rl_exit_recs_free(keel_object *o);
void rl_host_constructing(keel_object *const *v, size_t n); /* a swap's new objects' constructors run */

/* The host process: names from dlsym, and libc_nonshared's functions. */
void *rl_host_symbol(const keel_ns *ns, const char *name);
bool rl_host_symbol_size(uintptr_t addr, uint64_t *size);
void rl_host_register(keel_ns *ns);
void rl_host_unregister(keel_ns *ns);

/* Thread-local storage (tls.c). */
#pragma GCC visibility push(hidden)
uint64_t rl_tls_new_module(void);
int rl_tls_register(uint64_t id, const void *image, uint64_t size, uint64_t align);
void rl_tls_unregister(uint64_t id);
void *rl_tls_get_addr(const void *ti);
#pragma GCC visibility pop

/* Edges (edges.c), with the tree's lock held (written for the first and
 * the last two): the dependents lists are dropped on every change; what
 * depends on o, o first; namespaces' family tree. */
void rl_edges_changed(keel_ns *ns);
keel_object **rl_dependents_closure(keel_object *o, size_t *count);
void rl_ns_link(keel_ns *ns);
void rl_ns_unlink(keel_ns *ns);

/* Lending a batch's globals to later dlopens (export.c): the shared
 * object of defs' lendable names, opened RTLD_GLOBAL (*out NULL when
 * there is none); each object of the batch then owns a share of it, and
 * the last one released closes it. */
int rl_export_batch(const sym_table *defs, bool pending_only, rl_export **out, keel_error *err);
void rl_export_own(rl_export *e, keel_object *o);
void rl_export_release(keel_object *o);
/* Lazy lending: a committed batch's objects wait (rl_export_defer) until
 * loaded code calls dlopen or dlmopen, bound to rl_lend_dlopen and
 * rl_lend_dlmopen (host.c), which lend every namespace's waiting objects
 * first (rl_export_pending, under the tree's lock).  rl_lend_waiting
 * counts the waiting objects of the process, for the wrappers' fast path. */
extern size_t rl_lend_waiting;
void rl_export_defer(keel_object *o);
void rl_export_pending(keel_ns *ns);
/* The tree whose lock this thread holds for writing, or NULL (namespace.c):
 * the wrappers lend nothing then, as they would wait for themselves. */
const rl_tree *rl_tree_writing(void);

/* The address index: room for a batch's sections (before the commit),
 * then the batch's objects; an object out. */
int rl_index_reserve(keel_ns *ns, size_t more);
void rl_index_append(keel_ns *ns, keel_object *from);
void rl_index_remove(keel_ns *ns, const keel_object *o);

/* A swap's load (load.c, for swap.c): a batch loaded beside the objects
 * it replaces (hidden from its resolution), with the tree's lock held by
 * the caller; then its constructors, and its commit into the namespace or
 * its discarding. */
typedef struct rl_aside rl_aside;
int rl_aside_load(keel_ns *ns, const keel_input *inputs, size_t count, keel_object *const *hide, size_t nhide,
                  rl_aside **out, keel_error *err);
size_t rl_aside_objects(const rl_aside *a, keel_object **v);
const sym_table *rl_aside_defs(const rl_aside *a);
void rl_aside_construct(rl_aside *a);
void rl_aside_commit(rl_aside *a);
void rl_aside_discard(rl_aside *a);
/* A section's dependencies again from its symbols' targets (edges.c): a
 * swap changed them.  The array handed out before is kept. */
void rl_deps_reset(keel_section *s);

/* Unloading, in steps, so that every destructor of a set of objects runs
 * before any object goes (objects of a batch may call one another): its
 * __cxa_atexit registrations and .fini_array (finalize), or those alone;
 * then free it (detach: its pages go back to PROT_NONE, else they are left
 * to the arena's unmapping). */
void rl_object_finalize(keel_object *o);
void rl_object_cxa_finalize(keel_object *o);
/* The .init_arrays or .fini_arrays of these objects (in load order), as a
 * linked program's one array. */
void rl_run_init(keel_object *const *objs, size_t n);
void rl_run_fini(keel_object *const *objs, size_t n);
void rl_object_free(keel_object *o, bool detach);

#endif
