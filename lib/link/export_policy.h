/* The symbol policy of a dynamic output (export_policy.c): for a defined
 * global symbol of the link, whether it goes to .dynsym, whether
 * references to it from the output go through the GOT and PLT
 * (preemptible), and its version node, by the gABI and ld.bfd's rules for
 * visibility, version scripts, dynamic lists, -E and -Bsymbolic. */
#ifndef KEEL_LINK_EXPORT_POLICY_H
#define KEEL_LINK_EXPORT_POLICY_H

#include "version_script.h"

/* What the link writes: the policy differs for each. */
enum lk_out_kind {
    LK_OUT_STATIC, /* a static executable, or -r: no dynamic symbols */
    LK_OUT_EXEC,   /* a dynamically linked executable, PIE or not */
    LK_OUT_SHARED, /* -shared */
};

/* lk_sym.pol_flags */
enum {
    LK_POL_DONE = 1,      /* lk_policy_apply saw it */
    LK_POL_LOCAL = 2,     /* a version script makes it local */
    LK_POL_LISTED = 4,    /* ld.bfd's h->dynamic: in the dynamic list, or data with --dynamic-list-data */
    LK_POL_HIDDEN = 8,    /* NAME@VER: a version, not the default one */
    LK_POL_EXPORTED = 16, /* goes to .dynsym */
    LK_POL_PREEMPT = 32,  /* references go through the GOT/PLT */
};

typedef struct lk_policy {
    enum lk_out_kind kind;
    lk_vscript vers;     /* every --version-script, in order */
    lk_vscript dlist;    /* --dynamic-list files and the --dynamic-list-* patterns */
    lk_vscript nodirect; /* a mapfile's singleton scope and FLAGS = NODIRECT: never bound locally */
    bool list_given;     /* ld.bfd's opt_dynamic_list != dynamic_list_unset */
    bool symbolic;       /* ld.bfd's info->symbolic: every definition binds locally */
    bool dynamic;        /* ld.bfd's info->dynamic: definitions not listed bind locally */
    bool dynamic_data;   /* data symbols are listed */
    const char **made;   /* NAME@VER of an executable with no node VER: the nodes ld.bfd makes */
    size_t nmade, capmade;
} lk_policy;

/* A symbol's version, as .gnu.version and .gnu.version_d write it. */
typedef struct lk_symver {
    const char *name; /* the node's name (NULL: none: VER_NDX_GLOBAL) */
    size_t len;       /* of name */
    uint16_t index;   /* VER_NDX_LOCAL 0 (not exported), VER_NDX_GLOBAL 1, else 2 + the node's place */
    bool hidden;      /* NAME@VER: not the default (VERSYM_HIDDEN) */
} lk_symver;

/* Setup: read and check the version scripts and dynamic lists (as ld.bfd
 * does in every link, static or -r too). */
int lk_policy_read(lk_link *l);

/* The output kind of this link: static until the dynamic outputs come;
 * joins dynsyn's -pie/-shared options at merge. */
enum lk_out_kind lk_output_kind(const lk_link *l);

/* After symbol resolution: each defined symbol's policy for an output of
 * that kind, once; 0 or the error (ld.bfd's `OUT: version node not found
 * for symbol foo@@V', for a shared library). */
int lk_policy_apply(lk_link *l, enum lk_out_kind kind);

/* Whether the output says DT_SYMBOLIC (-shared -Bsymbolic): not when a
 * mapfile keeps symbols preemptible (singleton, NODIRECT), which ld.so
 * would then look up in the library first, as ld.bfd drops it for a
 * dynamic list. */
bool lk_policy_symbolic_tag(const lk_link *l);

bool lk_sym_exported(const lk_link *l, const lk_sym *s);
bool lk_sym_preemptible(const lk_link *l, const lk_sym *s);
lk_symver lk_sym_version(const lk_link *l, const lk_sym *s);

/* The length of the name .dynsym gives it: foo of foo@@VER. */
size_t lk_sym_dynname_len(const lk_sym *s);

#endif
