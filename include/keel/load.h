/*
 * keel/load.h - the runtime loader (the Theseus mod_mgmt model).
 *
 * Relocatable objects (.o) and archives are loaded into the running process
 * section by section.  A namespace holds loaded objects; an object holds
 * its loaded sections; every relocation that reaches from one object's
 * section into another's is kept as a pair of dependency edges, so that a
 * later swap can rewrite it.  Names the namespace cannot resolve fall back
 * to its parent namespace, and finally to the host process (dlsym).
 *
 * A load that fails leaves the namespace as it was.  No page is writable
 * and executable at once.
 *
 * Threads.  A namespace, its parent, their children and so on form a tree
 * with one lock.  Every call below may run in one thread while others
 * load into and unload from the same tree: lookups share the lock, loads
 * and unloads take it alone, and whatever a call reads of a section
 * (its address, for keel_section_at's offset) is read before the lock is
 * let go.  Constructors and destructors run with the lock let go, so
 * loaded code may call the loader.  What stays the caller's part is the
 * lifetime of what the calls hand out:
 *
 *   - an address (keel_symbol and the like) and a keel_section or
 *     keel_object pointer (keel_section_at, keel_ns_next_object,
 *     keel_section_object, keel_object_sections, a keel_dep's section) is
 *     valid until that object is unloaded.  A call that takes one (the
 *     section facts, keel_section_deps, keel_section_dependents,
 *     keel_object_*, keel_program_symbol, keel_ns_next_object's prev,
 *     keel_unload's obj) needs it still loaded for the whole call: a
 *     thread that unloads an object is the one that knows when nobody
 *     uses it any more (the loader cannot, as the pointers are the
 *     caller's).  A lookup of an address
 *     or name that another thread is unloading returns its answer or
 *     NULL; the answer is usable as long as that thread lets it.
 *     Addresses are not reused, so a stale one finds nothing;
 *   - the arrays of keel_section_deps and keel_section_dependents stay
 *     valid at least until their section is unloaded (a dependents array
 *     that a later load or unload replaces is kept until the tree's last
 *     namespace is destroyed);
 *   - names (keel_section_name, keel_object_name) live with their object;
 *   - a keel_input's data (when given instead of a path) must stay as it
 *     is until its object is unloaded: sections and names point into it;
 *   - the address of a loaded object's thread-local variable, in the
 *     thread that took it, is valid until that object is unloaded or that
 *     thread exits, whichever comes first (each thread's block is made on
 *     its first use and freed at unload or thread exit);
 *   - the diagnostics callback (keel/diag.h) may be called from any
 *     thread that touches loaded code's thread-local storage: the only
 *     message, before the loader aborts for want of memory there;
 *   - keel_ns_destroy and keel_ns_finalize: nothing else may use that
 *     namespace meanwhile (other namespaces of the tree may be used), and
 *     a namespace whose children's objects use it is destroyed after them.
 */
#ifndef KEEL_LOAD_H
#define KEEL_LOAD_H

#include <keel/elf.h>

#ifdef __cplusplus
extern "C" {
#endif
/* The public API: libkeel.so is built -fvisibility=hidden and exports
 * what is declared here, nothing else (tests/api_exports.t). */
#pragma GCC visibility push(default)

typedef struct keel_ns keel_ns;
typedef struct keel_object keel_object;
typedef struct keel_section keel_section;

enum keel_section_type {
    KEEL_SEC_TEXT,
    KEEL_SEC_RODATA,
    KEEL_SEC_DATA,
    KEEL_SEC_BSS,
    KEEL_SEC_TLS_DATA,
    KEEL_SEC_TLS_BSS,
    KEEL_SEC_EH_FRAME,
    KEEL_SEC_GCC_EXCEPT_TABLE,
    KEEL_SEC_INIT_ARRAY,
    KEEL_SEC_FINI_ARRAY,
};

/* One end of a dependency edge: the relocation that made it. */
typedef struct keel_dep {
    const keel_section *section; /* the other end */
    uint32_t type;               /* the relocation type (R_X86_64_*) */
    uint64_t offset;             /* where it is applied, within the dependent section */
    int64_t addend;
} keel_dep;

enum keel_ns_flags {
    KEEL_NS_HOST = 1,        /* fall back to the host process's symbols (dlsym) */
    KEEL_NS_INERT = 2,       /* load and relocate, but never execute loaded code:
                        * no constructors or destructors, no .eh_frame
                        * registration (inspection, fuzzing) */
    KEEL_NS_EXPORT = 4,      /* lend each batch's global symbols to the shared
                         * libraries the process dlopens later, as a
                         * program linked with -E (--export-dynamic)
                         * lends its own; see "Exporting" below */
    KEEL_NS_EXPORT_LAZY = 8, /* with KEEL_NS_EXPORT: lend at loaded code's
                              * next dlopen, not at each load (keel run);
                              * see "Exporting" below */
};

/* Exporting (KEEL_NS_EXPORT).  At the end of each successful keel_load,
 * before the batch's constructors run, the batch's global and weak
 * definitions of default or protected visibility are written as the
 * absolute symbols of a small shared object (in memory, memfd_create)
 * that is dlopen'd RTLD_GLOBAL: libraries the process opens later bind to
 * them, as to a -E program's.  Left out: thread-local symbols (this
 * object has no TLS block to give their offsets in: a library using one
 * gets ld.so's "undefined symbol"), and hidden or internal ones; no name
 * is lent twice by a tree of namespaces, as a load keeps a name's first
 * definition in the tree (separate trees may each lend one: ld.so finds
 * the one opened first).  The C library's and earlier libraries' definitions come
 * before these in that scope (a -E program's come first).  If the export
 * fails, the load fails and leaves nothing.  Lifetime: the object is
 * dlclose'd when the last object of its batch is unloaded (keel_unload,
 * keel_ns_destroy; keel_ns_finalize keeps it); an object unloaded before
 * the rest of its batch has its own names retired (below) at once.  ld.so keeps it while a
 * library bound to one of its symbols is loaded, and for good once the
 * program itself has (a dlsym of the global scope); keel then retires its
 * names (they become undefined, so that ld.so finds them no more and a
 * later load lends them anew) and keeps its descriptor open.  A library
 * that bound to them must not use them after the unload: their memory is
 * gone.
 *
 * Lazily (KEEL_NS_EXPORT | KEEL_NS_EXPORT_LAZY, as keel run does): a load
 * lends nothing; loaded code's dlopen, dlmopen, dlsym and dlvsym (bound
 * to keel's wrappers) first lend every batch loaded since the last such call, in
 * every namespace, then call the host's function.  The host program's own
 * dlopen lends nothing: a host that dlopens libraries needing the loaded
 * names uses KEEL_NS_EXPORT alone.  KEEL_EXPORT_EAGER=1 in the
 * environment drops KEEL_NS_EXPORT_LAZY at keel_ns_create. */

/* A namespace; parent (may be NULL) is searched after it. */
keel_ns *keel_ns_create(keel_ns *parent, unsigned flags, keel_error *err);
/* Unload every object (destructors run) and free the namespace. */
void keel_ns_destroy(keel_ns *ns);
/* Run every object's destructors, as a program's exit would, and keep
 * everything mapped: for a host that is exiting, whose libraries' own
 * destructors and stdio may still reach loaded code and data afterwards. */
void keel_ns_finalize(keel_ns *ns);

/* One input of a batch: a path, or a buffer with a name for messages.
 * Objects are always loaded; archive members only when they define a
 * symbol the batch needs (the linker's rule, as if in one group). */
typedef struct keel_input {
    const char *path;
    const void *data; /* if non-NULL, the file's bytes (kept until unload) */
    size_t size;
} keel_input;

/* Load a batch with mutual references, atomically: on failure nothing of it
 * stays, and err names the file, the section and the offset, e.g.
 * "main.o:(.text+0x12): undefined reference to 'foo'".  Constructors run
 * after the whole batch is in place.  *first (optional) is the first
 * object loaded. */
int keel_load(keel_ns *ns, const keel_input *inputs, size_t count, keel_object **first, keel_error *err);
int keel_load_file(keel_ns *ns, const char *path, keel_object **obj, keel_error *err);

/* The address of a global symbol, searching the namespace and its parents
 * (not the host); NULL if none. */
void *keel_symbol(const keel_ns *ns, const char *name);
/* The address of a global symbol as the program loaded in obj's batch
 * sees it: the batch's own definition first, hidden and internal ones
 * included (a batch is one program, as a linker's output is: visibility
 * stops at its edge, so a main compiled -fvisibility=hidden is found),
 * then keel_symbol's answer.  NULL if none. */
void *keel_program_symbol(const keel_object *obj, const char *name);
/* The one global symbol whose name starts with prefix.  No match, or more
 * than one (listed in err), is an error. */
int keel_symbol_prefix(const keel_ns *ns, const char *prefix, void **addr, keel_error *err);

/* The section holding addr, and the offset in it; NULL if none. O(log n). */
const keel_section *keel_section_at(const keel_ns *ns, uintptr_t addr, uint64_t *offset);

/* Section facts. */
const char *keel_section_name(const keel_section *s);
/* The name without a Rust "::h<16 hex digits>" hash (into buf). */
const char *keel_section_name_without_hash(const keel_section *s, char *buf, size_t size);
int keel_section_type(const keel_section *s);
bool keel_section_global(const keel_section *s);
uintptr_t keel_section_addr(const keel_section *s);
uint64_t keel_section_size(const keel_section *s);
const keel_object *keel_section_object(const keel_section *s);
/* A text section as a function: checked to be executable and in bounds. */
int keel_section_function(const keel_section *s, uint64_t offset, void **fn, keel_error *err);
/* Copy the contents of a data section into another: different objects,
 * same size, writable destination (Theseus's conditions). */
int keel_section_copy_data(const keel_section *from, const keel_section *to, keel_error *err);

/* Edges: what a section depends on, and what depends on it.  The arrays
 * stay valid as "Threads" above says; dependents are as of the call (a
 * later load or unload gives a new array). */
size_t keel_section_deps(const keel_section *s, const keel_dep **deps);
size_t keel_section_dependents(const keel_section *s, const keel_dep **deps);

/* Objects. */
const char *keel_object_name(const keel_object *o);
size_t keel_object_sections(const keel_object *o, const keel_section *const **sections);
/* Iterate a namespace's objects in load order: start with NULL. */
const keel_object *keel_ns_next_object(const keel_ns *ns, const keel_object *prev);

/* What serves a symbol in an object's own tables, made by its load: the
 * GOT slot holding the symbol's address, the call stub that reaches it
 * when it is beyond a direct reference's reach (and the GOT slot the stub
 * jumps through), its tls_index {module, offset} for __tls_get_addr, its
 * TLS descriptor; 0 for what it has none of.  One entry per symbol that
 * has any (the object's local-dynamic tls_index is no symbol's); a live
 * swap re-points these.  The array lives as long as the object. */
typedef struct keel_slot {
    const char *symbol; /* a section symbol's entry has its section's name */
    uintptr_t got;
    uintptr_t stub, stub_got;
    uintptr_t tls_index;
    uintptr_t tlsdesc;
} keel_slot;
size_t keel_object_slots(const keel_object *o, const keel_slot **slots);

/* Rewrite n bytes of obj's code (its text sections and stubs) at addr.
 * The code stays read+execute throughout and no page is ever writable and
 * executable: the first rewrite of an object moves its code into memory
 * that is also mapped read+write elsewhere, and writes go there.  The
 * caller makes sure no thread runs the bytes while they change.  After a
 * fork, parent and child share the rewritten code of such an object. */
int keel_text_write(const keel_object *obj, void *addr, const void *bytes, size_t n, keel_error *err);
/* Apply the relocation of s at offset again, as the load did, with target
 * for its symbol's address: a call re-pointed to another function, an
 * address in writable data replaced.  Written as keel_text_write writes
 * code.  Refused for a relocation whose value is not its symbol's address
 * (TLS, sizes, GOT-relative), one that reads a GOT slot (the slot is the
 * symbol's, for every reference), and one whose new target is out of its
 * reach.  The dependency edges stay as the load made them. */
int keel_section_repoint(const keel_section *s, uint64_t offset, const void *target, keel_error *err);

/* Unload an object: refused while other objects depend on it, unless
 * cascade (then they go first). Destructors run. */
int keel_unload(keel_ns *ns, keel_object *obj, bool cascade, keel_error *err);

/* Live swap: replace loaded objects with new ones in a running, possibly
 * multi-threaded program, as one transaction (docs/loader.md, "Swapping").
 *
 * The new objects (paths or buffers) are loaded beside the old ones,
 * resolved against the namespace as if the old ones were gone; every name
 * of the old objects that another object uses must have a counterpart
 * (else the swap is refused, naming it).  Their constructors run then,
 * before the commit.  The commit happens with every other thread of the
 * process stopped outside the old objects (signals, or safe points with
 * KEEL_SWAP_COOPERATIVE): other objects' references (calls, GOT slots,
 * stubs, TLS slots, data words) are re-pointed to the new objects, the old
 * functions' entries jump to the new ones, each variable the new objects
 * define again with the same size keeps its value (data, bss, and TLS in
 * every thread; pointers in it to the old objects are translated), and the
 * namespace's names are the new objects'.  A variable whose size changed
 * needs a transfer function in the new objects:
 *
 *     int keel_transfer_NAME(void *new, const void *old, size_t oldsize);
 *
 * (NAME with '.' as '_'), run inside the commit with the world stopped:
 * it must not take locks nor allocate; non-zero refuses the swap.  A
 * refused or failed swap leaves everything as it was.  The old objects
 * are retired: out of the namespace, their code kept (their entries jump
 * to the new code), their data given back (PROT_NONE) unless they have
 * constructors.  Not for code that the calling thread is running. */
typedef struct keel_swap_stats {
    uint64_t stopped_ns;  /* the world stopped, for the stop that committed */
    uint64_t total_ns;    /* the whole keel_swap */
    uint32_t attempts;    /* stops tried (a thread in the old code: retried) */
    uint32_t rewritten;   /* references re-pointed: relocations and slots */
    uint32_t entries;     /* old function entries now jumping to new ones */
    uint32_t short_fns;   /* functions too short for a jump: left as they are */
    uint32_t transferred; /* variables carried over (TLS ones once) */
    uint32_t translated;  /* pointer words translated, in the last stop */
    uint32_t threads;     /* other threads stopped */
    bool sync_core;       /* membarrier SYNC_CORE serialized the cores */
} keel_swap_stats;

enum keel_swap_flags {
    KEEL_SWAP_COOPERATIVE = 1, /* no signals: every other thread of the
                                * process calls keel_swap_safepoint */
};

typedef struct keel_swap_opts {
    unsigned flags;         /* enum keel_swap_flags */
    unsigned max_attempts;  /* 0: 1000 */
    keel_swap_stats *stats; /* optional */
} keel_swap_opts;

int keel_swap(keel_ns *ns, keel_object *const *old, size_t nold, const keel_input *inputs, size_t count,
              const keel_swap_opts *opts, keel_object **first, keel_error *err);
/* A cooperative thread's safe point: waits there while a swap commits. */
void keel_swap_safepoint(void);
/* The namespace's object of that name (keel_object_name), or NULL. */
keel_object *keel_ns_object(keel_ns *ns, const char *name);
/* A section of an object a swap replaced (keel_section_at finds them). */
bool keel_section_retired(const keel_section *s);
/* perf's JIT map (path NULL: /tmp/perf-PID.map, where `perf report`
 * looks): from now on every object loaded adds a line per function,
 * "START SIZE name" in hex (docs/loader.md, "Naming loaded code").  gdb
 * needs no call: the loader registers its objects through GDB's JIT
 * interface while a debugger traces the process (KEEL_GDB_JIT=1 always,
 * =0 never). */
int keel_perf_map_open(const char *path, keel_error *err);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
