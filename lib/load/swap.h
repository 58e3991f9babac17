/* Live swap's parts (swap.c plans and commits; swap_stop.c stops the
 * world and moves each thread's TLS). */
#ifndef KEEL_LOAD_SWAP_H
#define KEEL_LOAD_SWAP_H

#include <sys/types.h>

#include "internal.h"

typedef struct rl_range {
    uintptr_t lo, hi; /* [lo, hi) */
} rl_range;

/* Old addresses to new ones: a sorted table of old symbols, and of old
 * sections for what lies in no symbol (swap.c builds it before the stop;
 * the stopped threads use it to translate their TLS). */
typedef struct rl_xlate_ent {
    uintptr_t old, size, new_addr;
} rl_xlate_ent;
typedef struct rl_xlate {
    rl_xlate_ent *sym, *sec;
    size_t nsym, nsec;
    rl_range *old; /* the old objects' regions, TLS templates included */
    size_t nold;
} rl_xlate;
/* v, or where the same place is in the new objects (async-signal-safe). */
uintptr_t rl_xlate_word(const rl_xlate *x, uintptr_t v, bool *changed);
/* The old object's exit records that the new objects' state needs, made
 * theirs (host.c). */
void rl_exit_recs_adopt(keel_object *old, keel_object *const *nw, size_t nnew, const rl_xlate *x);

/* One variable's TLS move, and the job for one old module. */
typedef struct rl_tls_var {
    uint64_t old_off, new_off, size;
} rl_tls_var;
typedef struct rl_tls_job {
    uint64_t old_module, new_module;
    const void *image; /* the new module's template */
    uint64_t size, align;
    rl_tls_var *vars;
    size_t nvars;
    uint64_t *words; /* offsets in the new block of pointer words to translate */
    size_t nwords;
} rl_tls_job;

/* A mapping of /proc/self/maps; kept: not a file's nor the heap's (a
 * thread's stack, the main stack, anonymous memory). */
typedef struct rl_map {
    uintptr_t lo, hi;
    bool kept;
} rl_map;

typedef struct rl_thread {
    pid_t tid;
    int arrived;  /* atomic: the generation it stopped in */
    int left;     /* atomic: the generation it finished in */
    int excused;  /* the generation it was not waited for in (gone, or blocking the signal) */
    int busy;     /* it was inside keel's TLS allocation */
    bool blocked; /* it blocks the signal: not stopped (swap_stop.c) */
    uintptr_t pc, sp;
    uintptr_t regs[16];
    int nregs;
    void **old_blocks_array; /* replaced by the TLS move: freed by the swapper */
} rl_thread;

typedef struct rl_world {
    bool cooperative;
    pid_t self;
    rl_thread *threads;
    size_t nthreads, cap;
    rl_map *maps; /* /proc/self/maps, to bound each stack's scan */
    size_t nmaps, maps_cap;
    bool maps_fresh; /* read for this stop, not taken from the cache */
    /* the TLS move, run by each stopped thread on release */
    rl_tls_job *jobs;
    size_t njobs;
    const rl_xlate *xlate;
    void **blocks; /* preallocated: nblocks of them, taken atomically */
    size_t nblocks, next_block;
    void **arrays; /* preallocated bigger block arrays */
    size_t narrays, next_array;
    uint64_t array_len;
    bool sync_core;
    struct rl_world *parked_next; /* rl_world_free's list (swap_stop.c) */
} rl_world;

/* A world, zeroed (NULL when out of memory); given back by rl_world_free. */
rl_world *rl_world_new(void);

/* Before any stop: the thread list and room for everything (may fail). */
int rl_world_prepare(rl_world *w, bool cooperative, keel_error *err);
/* The TLS move's memory, before the stop: blocks and arrays enough for
 * every thread (may fail). */
int rl_world_prepare_tls(rl_world *w, keel_error *err);
/* Stop every other thread; 0 when all did (then the world is stopped). */
int rl_world_stop(rl_world *w, char *why, size_t size);
/* 0 if no stopped thread's PC or stack words lie in the ranges; else
 * why.  A stack word equal to one of the sorted entries (a function's
 * first byte) is a pointer to the function, not a return address, and
 * does not count: a call never returns to a function's first byte (save
 * after a call that never returns). */
int rl_world_check(const rl_world *w, const rl_range *r, size_t n, const uintptr_t *entries, size_t nentries, char *why,
                   size_t size);
/* Serialize every core after code changes (membarrier SYNC_CORE, or the
 * fallback). */
void rl_world_sync_core(rl_world *w);
/* Let the threads go; with tls, each runs the TLS jobs first, and this
 * waits for them. */
void rl_world_release(rl_world *w, bool tls);
/* The swapping thread's own TLS move. */
void rl_world_tls_self(rl_world *w);
/* The TLS move's memory given back (no handler may be inside). */
void rl_world_free_tls(rl_world *w);
/* w given back, now or, while a released thread is still leaving its
 * handler, at a later call (without waiting for that thread). */
void rl_world_free(rl_world *w);

#endif
