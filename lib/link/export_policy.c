/* The symbol policy of dynamic outputs, by ld.bfd's rules (its lexsup.c's
 * option logic, elflink.c's bfd_elf_link_mark_dynamic_symbol,
 * _bfd_elf_link_assign_sym_version and SYMBOLIC_BIND), checked against
 * ld.bfd by tests/link_version_script.t:
 *
 *   - a symbol hidden or internal (the most constraining visibility of
 *     all its symbols, as the gABI merges them), or local by a version
 *     script, is never exported;
 *   - a shared library exports every other defined global; an executable
 *     only with -E, or what the dynamic list names (data too with
 *     --dynamic-list-data), or what a shared library references;
 *   - in a shared library an exported symbol is preemptible unless it is
 *     protected, or -Bsymbolic binds every definition locally, or a
 *     dynamic list (or -Bsymbolic-functions, which lists the data) binds
 *     every definition it does not list locally; a dynamic list wins over
 *     -Bsymbolic; --export-dynamic-symbol joins the list in an
 *     executable, or in a shared library that has a list or -Bsymbolic;
 *     a mapfile's singleton scope or FLAGS = NODIRECT keeps a symbol
 *     preemptible whatever binds the others locally;
 *   - NAME@VER and NAME@@VER (assembler .symver names) are NAME in
 *     .dynsym, of node VER, which must exist in a shared library; an
 *     executable makes the node.
 *
 * The policy is computed once per symbol (lk_policy_apply) into the
 * symbol's pol_* fields: the questions after it are constant time. */
#include "export_policy.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../elfdefs.h"
#include "version_sections.h"

static void say_warning(void *ctx, const char *msg) { lk_diag(ctx, KEEL_DIAG_WARNING, "%s", msg); }

static int read_files(lk_link *l, lk_vscript *vs, const char *const *paths, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const uint8_t *data;
        size_t size;
        if (access(paths[i], R_OK) != 0) /* ld.bfd's words */
            return lk_fail(l, KEEL_E_IO, "cannot open linker script file %s: %s", paths[i], strerror(errno));
        int rc = lk_map_file(l, paths[i], &data, &size);
        if (rc)
            return rc;
        if ((rc = lk_vs_read_text(vs, paths[i], (const char *)data, size)))
            return rc;
    }
    return 0;
}

int lk_policy_read(lk_link *l)
{
    const keel_link_options *o = l->opt;
    lk_policy *p = lk_zalloc(&l->arena, sizeof *p);
    if (!p)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    l->policy = p;
    lk_vs_init(&p->vers, &l->arena, l->err, false);
    lk_vs_init(&p->dlist, &l->arena, l->err, true);
    lk_vs_init(&p->nodirect, &l->arena, l->err, true);
    p->vers.say = p->dlist.say = say_warning;
    p->vers.say_ctx = p->dlist.say_ctx = l;
    int rc = read_files(l, &p->vers, o->version_scripts, o->nversion_scripts);
    if (!rc)
        rc = read_files(l, &p->dlist, o->dynamic_lists, o->ndynamic_lists);
    if (rc)
        return rc;
    /* ld.bfd's built-in lists, as C++ globs on demangled names */
    static const char *const cpp_new[] = {"operator new*", "operator delete*"};
    static const char *const cpp_typeinfo[] = {"typeinfo name for*", "typeinfo for*"};
    for (size_t i = 0; i < 2; i++)
        if ((o->dynamic_list_cpp_new && lk_vs_add_pattern(&p->dlist, cpp_new[i], LK_VLANG_CXX, false)) ||
            (o->dynamic_list_cpp_typeinfo && lk_vs_add_pattern(&p->dlist, cpp_typeinfo[i], LK_VLANG_CXX, false)))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    p->list_given = o->ndynamic_lists || o->dynamic_list_data || o->dynamic_list_cpp_new ||
                    o->dynamic_list_cpp_typeinfo;
    return 0;
}

enum lk_out_kind lk_output_kind(const lk_link *l)
{
    /* the dynamic outputs' options (dyn_scan.c makes l->dyn for them) */
    return l->opt->shared ? LK_OUT_SHARED : l->opt->pie || l->dyn ? LK_OUT_EXEC : LK_OUT_STATIC;
}

/* The gABI's order, most constraining first: internal, hidden, protected, default. */
static uint8_t vis_rank(uint8_t v) { return v == STV_DEFAULT ? 4 : v; }

/* The most constraining visibility of every symbol of each name, in
 * every object the link read (definitions and references alike). */
static void merge_visibility(lk_link *l)
{
    for (size_t i = 0; i < l->syms.cap; i++)
        if (l->syms.v[i])
            l->syms.v[i]->pol_vis = l->syms.v[i]->scope == LK_SCOPE_PROTECTED ? STV_PROTECTED : STV_DEFAULT;
    for (size_t f = 0; f < l->nfiles; f++) {
        lk_file *file = l->files[f];
        if (!file->has_symtab)
            continue;
        for (uint64_t k = file->symtab.first_global; k < file->symtab.count; k++) {
            keel_sym sym;
            const char *name;
            if (keel_symtab_get(&file->symtab, k, &sym, NULL) || KEEL_ST_BIND(sym.info) == STB_LOCAL ||
                keel_symtab_name(&file->symtab, &sym, &name, NULL))
                continue;
            uint8_t v = KEEL_ST_VISIBILITY(sym.other);
            if (v == STV_DEFAULT)
                continue;
            lk_sym *s = lk_file_sym(l, file, k, name);
            if (s && vis_rank(v) < vis_rank(s->pol_vis))
                s->pol_vis = v;
        }
    }
}

/* NAME@VER or NAME@@VER: where the version starts (NULL: not versioned). */
static const char *version_of(const char *name, bool *hidden)
{
    const char *at = name[0] ? strchr(name + 1, '@') : NULL;
    if (!at)
        return NULL;
    *hidden = at[1] != '@';
    return at + (*hidden ? 1 : 2);
}

size_t lk_sym_dynname_len(const lk_sym *s)
{
    const char *at = s->name[0] ? strchr(s->name + 1, '@') : NULL;
    return at ? (size_t)(at - s->name) : strlen(s->name);
}

/* A NAME@VER's node: the script's, or (an executable with no node VER)
 * *make set to VER, made if the symbol is exported; 0, or the error. */
static int versioned(lk_link *l, lk_sym *s, const char *ver, bool hidden, const char **make)
{
    lk_policy *p = l->policy;
    const lk_vnode *n = *ver ? lk_vs_node(&p->vers, ver, strlen(ver)) : NULL;
    size_t base = lk_sym_dynname_len(s);
    if (n) {
        s->pol_ver = (uint16_t)(n->index + 1);
        /* the node's own lists may make NAME local (unless it is global there) */
        char buf[512];
        if (base < sizeof buf) {
            memcpy(buf, s->name, base);
            buf[base] = 0;
            bool global = false, local = false;
            for (size_t k = 0; k < n->npats; k++) {
                const lk_vpat *q = &n->pats[k];
                if (q->lang != LK_VLANG_C)
                    continue; /* (a C++ pattern would need the demangled name: none is checked here) */
                bool hit = q->literal ? !strcmp(q->pattern, buf) : (q->star || !fnmatch(q->pattern, buf, 0));
                *(q->global ? &global : &local) |= hit;
            }
            if (!global && local && !l->opt->export_dynamic)
                s->pol_flags |= LK_POL_LOCAL;
        }
    } else if (p->kind == LK_OUT_SHARED)
        return lk_fail(l, KEEL_E_FORMAT, "%s: version node not found for symbol %s",
                       l->opt->output ? l->opt->output : "a.out", s->name);
    else {           /* an executable: ld.bfd makes the node (once per name) */
        lk_vmatch m; /* unless the script makes the whole NAME@VER local (`local: *') */
        if (p->vers.n && lk_vs_match(&p->vers, s->name, &m))
            return -1;
        if (p->vers.n && m.node && m.local) {
            s->pol_flags |= LK_POL_LOCAL;
            return 0;
        }
        *make = ver; /* (made only if the symbol is exported: make_node) */
    }
    if (hidden)
        s->pol_flags |= LK_POL_HIDDEN;
    return 0;
}

/* An executable's node for NAME@VER, made (once per name) when the symbol
 * is exported: ld.bfd assigns versions to dynamic symbols only. */
static int make_node(lk_link *l, lk_sym *s, const char *ver)
{
    lk_policy *p = l->policy;
    size_t k = 0;
    while (k < p->nmade && strcmp(p->made[k], ver) != 0)
        k++;
    if (k == p->nmade) {
        const char **v = lk_grow(&l->arena, p->made, p->nmade, &p->capmade, sizeof *v, 4);
        if (!v)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        p->made = v;
        v[p->nmade++] = ver;
    }
    s->pol_ver = (uint16_t)(p->vers.n + k + 1);
    return 0;
}

/* ld.bfd's option logic, for the output kind (lexsup.c, after parsing). */
static int settle_options(lk_link *l)
{
    lk_policy *p = l->policy;
    const keel_link_options *o = l->opt;
    bool list = p->list_given;
    bool symbolic = o->symbolic == KEEL_SYMBOLIC, functions = o->symbolic == KEEL_SYMBOLIC_FUNCTIONS;
    /* --export-dynamic-symbol: a dynamic list in an executable, or in a
     * shared library that has one or -Bsymbolic; else nothing */
    if (o->nexport_dynamic_symbols && (p->kind == LK_OUT_EXEC || o->symbolic != KEEL_SYMBOLIC_UNSET || list)) {
        for (size_t i = 0; i < o->nexport_dynamic_symbols; i++)
            if (lk_vs_add_pattern(&p->dlist, o->export_dynamic_symbols[i], LK_VLANG_C, false))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        list = true;
    }
    if (list) { /* a dynamic list wins over -Bsymbolic and -Bsymbolic-functions */
        p->dynamic = true;
        p->dynamic_data = o->dynamic_list_data;
        symbolic = functions = false;
    }
    if (p->kind == LK_OUT_SHARED) {
        p->symbolic = symbolic;
        if (functions)
            p->dynamic = p->dynamic_data = true;
    }
    return 0;
}

/* Definition order (file, then symbol index, then name), as ld.bfd meets
 * the symbols: the nodes an executable makes, and the first error, follow it. */
static int by_definition(const void *a, const void *b)
{
    const lk_sym *x = *(lk_sym *const *)a, *y = *(lk_sym *const *)b;
    uint32_t fx = x->def ? x->def->index : UINT32_MAX, fy = y->def ? y->def->index : UINT32_MAX;
    if (fx != fy)
        return fx < fy ? -1 : 1;
    if (x->def_index != y->def_index)
        return x->def_index < y->def_index ? -1 : 1;
    return strcmp(x->name, y->name);
}

int lk_policy_apply(lk_link *l, enum lk_out_kind kind)
{
    lk_policy *p = l->policy;
    if (!p)
        return 0;
    p->kind = kind;
    int rc = settle_options(l);
    if (rc)
        return rc;
    merge_visibility(l);
    size_t n = 0;
    lk_sym **order = lk_alloc(&l->arena, (l->syms.n + 1) * sizeof *order);
    if (!order)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t i = 0; i < l->syms.cap; i++)
        if (l->syms.v[i] && l->syms.v[i]->state >= LK_COMMON && n < l->syms.n)
            order[n++] = l->syms.v[i];
    qsort(order, n, sizeof *order, by_definition);
    for (size_t i = 0; i < n; i++) {
        lk_sym *s = order[i];
        s->pol_ver = 0;
        if (s->pol_flags & LK_POL_ALIAS) /* NAME of NAME@@VER: .dynsym has NAME@@VER's entry */
            continue;
        s->pol_flags = LK_POL_DONE;
        bool hidden = false;
        const char *ver = version_of(s->name, &hidden), *make = NULL;
        if (ver) {
            if ((rc = versioned(l, s, ver, hidden, &make)))
                return rc;
        } else if (p->vers.n) {
            lk_vmatch m;
            if (lk_vs_match(&p->vers, s->name, &m))
                return -1;
            if (m.node && m.local)
                s->pol_flags |= LK_POL_LOCAL;
            else if (m.node)
                s->pol_ver = (uint16_t)(m.node->index + 1);
        }
        bool data = s->type == STT_OBJECT || s->type == STT_COMMON || s->state == LK_COMMON;
        if (p->dynamic_data && data)
            s->pol_flags |= LK_POL_LISTED;
        else if (p->dlist.npats) {
            int r = lk_vs_listed(&p->dlist, s->name);
            if (r < 0)
                return -1;
            if (r)
                s->pol_flags |= LK_POL_LISTED;
        }
        bool exported = false;
        if (kind != LK_OUT_STATIC && (s->pol_vis == STV_DEFAULT || s->pol_vis == STV_PROTECTED) &&
            !(s->pol_flags & LK_POL_LOCAL))
            exported = kind == LK_OUT_SHARED || l->opt->export_dynamic || (s->pol_flags & LK_POL_LISTED);
        /* (an executable also exports what a shared library references:
         * joins dsoin's shared-library references at merge) */
        if (exported)
            s->pol_flags |= LK_POL_EXPORTED;
        if (exported && make && (rc = make_node(l, s, make)))
            return rc;
        bool local_bind = p->symbolic || (p->dynamic && !(s->pol_flags & LK_POL_LISTED));
        if (local_bind && p->nodirect.npats) { /* a mapfile's singleton or NODIRECT: preemptible still */
            int r = lk_vs_listed(&p->nodirect, s->name);
            if (r < 0)
                return -1;
            local_bind = !r;
        }
        if (exported && kind == LK_OUT_SHARED && s->pol_vis != STV_PROTECTED && !local_bind)
            s->pol_flags |= LK_POL_PREEMPT;
    }
    return 0;
}

bool lk_policy_symbolic_tag(const lk_link *l)
{
    return l->opt->shared && l->opt->symbolic == KEEL_SYMBOLIC && !(l->policy && l->policy->nodirect.npats);
}

bool lk_sym_exported(const lk_link *l, const lk_sym *s)
{
    (void)l;
    return s->pol_flags & LK_POL_EXPORTED;
}

bool lk_sym_preemptible(const lk_link *l, const lk_sym *s)
{
    (void)l;
    return s->pol_flags & LK_POL_PREEMPT;
}

lk_symver lk_sym_version(const lk_link *l, const lk_sym *s)
{
    lk_symver v = {.index = 0};
    if (!(s->pol_flags & LK_POL_EXPORTED))
        return v;
    v.index = 1;
    v.hidden = s->pol_flags & LK_POL_HIDDEN;
    const lk_policy *p = l->policy;
    const char *dv = lk_default_version(l); /* --default-symver: index 2, the nodes after it */
    uint16_t shift = dv != NULL;
    if (dv && (!s->pol_ver || (s->pol_ver - 1u < p->vers.n && !p->vers.nodes[s->pol_ver - 1u]->name))) {
        v.name = dv;
        v.len = strlen(dv);
        v.index = 2;
        return v;
    }
    if (!s->pol_ver)
        return v;
    size_t k = s->pol_ver - 1u;
    if (k < p->vers.n) {
        const lk_vnode *n = p->vers.nodes[k];
        if (n->name) { /* the anonymous node is VER_NDX_GLOBAL */
            v.name = n->name;
            v.len = strlen(n->name);
            v.index = (uint16_t)(k + 2 + shift);
        }
    } else if (k - p->vers.n < p->nmade) {
        v.name = p->made[k - p->vers.n];
        v.len = strlen(v.name);
        v.index = (uint16_t)(k + 2 + shift);
    }
    return v;
}
