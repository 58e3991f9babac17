/* GNU version scripts and dynamic lists (--version-script, --dynamic-list):
 * the reader (version_script.c), ld.bfd's grammar, lexer states and
 * messages; the matching of a symbol to its node (version_match.c), by
 * ld.bfd's precedence. */
#ifndef KEEL_LINK_VERSION_SCRIPT_H
#define KEEL_LINK_VERSION_SCRIPT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "internal.h"

/* the language of an extern "LANG" block: C++ patterns match demangled names */
enum { LK_VLANG_C, LK_VLANG_CXX, LK_VLANG_JAVA };

typedef struct lk_vnode lk_vnode;

/* One name or pattern of a node, in a global: or local: list. */
typedef struct lk_vpat {
    const char *pattern; /* as written, quotes removed; a literal's backslashes removed */
    uint8_t lang;        /* LK_VLANG_* */
    bool literal;        /* an exact name: quoted, or with no unescaped ? * [ */
    bool global;         /* in global: (else local:) */
    bool star;           /* the glob "*" alone, weaker than any other match */
    lk_vnode *node;
    struct lk_vpat *hnext; /* literals: the next with the same name (script order) */
} lk_vpat;

/* A version node: `NAME { global: ...; local: ...; } PARENTS;`, or the
 * anonymous `{ ... };`, or (a dynamic list) one list of names. */
struct lk_vnode {
    const char *name; /* NULL: anonymous */
    uint32_t index;   /* its place among the script's nodes, from 0 */
    lk_vnode **deps;  /* the parents it names, found among the nodes before it */
    size_t ndeps;
    lk_vpat *pats; /* in the order written */
    size_t npats;
};

typedef void lk_vs_say_fn(void *ctx, const char *msg);

typedef struct lk_vscript {
    lk_arena *arena;
    keel_error *err;
    lk_vs_say_fn *say; /* "FILE:LINE: ignoring invalid character" (NULL: silent) */
    void *say_ctx;
    bool dynamic_list; /* read as --dynamic-list files: no tags, no global:/local: */
    bool anon_last;    /* the next node may be anonymous among named ones (a mapfile's SYMBOL_SCOPE
                        * beside its SYMBOL_VERSIONs: the unversioned symbols, VER_NDX_GLOBAL) */
    lk_vnode **nodes;  /* in the order registered (every file read, in order) */
    size_t n, cap;
    size_t npats;    /* over all nodes */
    bool cxx;        /* a pattern is extern "C++": names are demangled to match */
    bool java;       /* a pattern is extern "Java" (matched against the name as it is) */
    lk_vpat **exact; /* literals by name: open addressing, a power of two */
    size_t exact_cap, exact_n;
    lk_vpat **globs; /* the other patterns, in script order */
    size_t nglobs, capglobs;
} lk_vscript;

/* An empty script (dynamic_list: read files as dynamic lists). */
void lk_vs_init(lk_vscript *vs, lk_arena *a, keel_error *err, bool dynamic_list);

/* Read one file's text and register its nodes, as ld.bfd does for each
 * --version-script (or --dynamic-list) in turn: 0, or the error in
 * ld.bfd's words (`FILE:LINE: syntax error in VERSION script`, `duplicate
 * version tag `V'', `unable to find version dependency `V''...). */
int lk_vs_read_text(lk_vscript *vs, const char *file, const char *text, size_t len);

/* Add one pattern to a dynamic list (--dynamic-list-cpp-new,
 * --dynamic-list-cpp-typeinfo, --export-dynamic-symbol): 0 or an error. */
int lk_vs_add_pattern(lk_vscript *vs, const char *pattern, uint8_t lang, bool literal);

/* The canonical form: one node a line-group, patterns in order with their
 * scope, language and kind (tests/unit/version_script.c prints it). */
void lk_vs_print(const lk_vscript *vs, FILE *out);

/* Where a symbol's name matches (version_match.c). */
typedef struct lk_vmatch {
    const lk_vnode *node; /* NULL: no node names it */
    bool local;           /* the node makes it local (hidden from .dynsym) */
} lk_vmatch;

/* The demangled form of a C++ name, in buf (false: not a C++ name, or the
 * demangler is not available: *why says which). */
bool lk_demangle(const char *sym, char *buf, size_t size, const char **why);

/* Match by ld.bfd's precedence (bfd_find_version_for_sym): an exact name
 * beats a glob, a glob beats "*"; among exact names the first node in
 * script order; among globs of one scope the last node; a global glob
 * beats a local glob, a local exact name beats a global glob.  0, or -1
 * when the script has extern "C++" and the demangler cannot be loaded
 * (vs->err says so). */
int lk_vs_match(const lk_vscript *vs, const char *sym, lk_vmatch *m);

/* A dynamic list: does any pattern name the symbol?  (-1: as lk_vs_match) */
int lk_vs_listed(const lk_vscript *vs, const char *sym);

/* The literal patterns of that name, first in script order (NULL: none). */
const lk_vpat *lk_vs_exact(const lk_vscript *vs, const char *name);

/* The node of that name (NULL: none). */
const lk_vnode *lk_vs_node(const lk_vscript *vs, const char *name, size_t len);

#endif
