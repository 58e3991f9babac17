/* A mapfile's SYMBOL_SCOPE and SYMBOL_VERSION: what a symbol's scope and
 * attributes mean in .symtab and, in a dynamic output, .dynsym.
 *   - default/global: the symbol stays global;
 *   - local/hidden: it becomes a local symbol of .symtab, and is not
 *     exported;
 *   - eliminate: it is left out of .symtab, and is not exported;
 *   - "*" in local or eliminate scope: every global nothing else names
 *     (keel's own size symbols excepted) is treated so;
 *   - in a dynamic output (-shared, -pie): protected/symbolic exports it
 *     with visibility STV_PROTECTED (references from the output bind to
 *     it); exported and singleton export it from an executable too (as
 *     --export-dynamic-symbol; singleton is Solaris' single instance in
 *     the process, which is what an exported, preemptible symbol is on
 *     Linux); SYMBOL_VERSION V { ... } P...; gives the version node V
 *     with parents P.  The scopes and versions are fed to the export
 *     policy (export_policy.c) as the version script that says the same
 *     (lk_mapfile_policy): one model answers for both;
 *   - VALUE = v: the symbol is defined, absolute, v (as --defsym);
 *   - ASSERT { TYPE; SIZE; BINDING; SH_ATTR; ALIAS; }: checked once the
 *     symbols are resolved; one that does not hold fails the link.
 *   - singleton and FLAGS = NODIRECT: preemptible even where -Bsymbolic
 *     binds the rest inside (export_policy.c's nodirect list; no
 *     DT_SYMBOLIC then, as ld.bfd's -Bsymbolic with a dynamic list).
 * Refused by name, at the line that asks for it: in a static executable
 * what only a dynamic output gives meaning to (the protected, exported,
 * singleton scopes, SYMBOL_VERSION, NODIRECT); the other symbol FLAGS
 * (Solaris' direct binding), AUXILIARY and FILTER, SIZE and TYPE outside
 * ASSERT; an empty version name; SYMBOL_SCOPE with -r. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../elfdefs.h"
#include "export_policy.h"
#include "mapfile.h"

static int fail(lk_link *l, const mf_directive *d, uint32_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lk_fail(l, KEEL_E_FORMAT, "%s: line %u: %s", d->file, line, msg);
}

/* The scope's effect on the symbol, in an output of that kind: none if
 * it has none there (a static executable has no exports). */
static uint8_t scope_of(uint16_t key, bool dynamic)
{
    switch (key) {
    case MF_K_LOCAL:
    case MF_K_HIDDEN: return LK_SCOPE_LOCAL;
    case MF_K_ELIMINATE: return LK_SCOPE_ELIMINATE;
    case MF_K_DEFAULT:
    case MF_K_GLOBAL: return LK_SCOPE_GLOBAL;
    case MF_K_PROTECTED:
    case MF_K_SYMBOLIC: return dynamic ? LK_SCOPE_PROTECTED : LK_SCOPE_NONE;
    default: /* exported, singleton */ return dynamic ? LK_SCOPE_GLOBAL : LK_SCOPE_NONE;
    }
}

/* an output with .dynsym: the export policy's kinds (export_policy.c) */
static bool dynamic_output(const lk_link *l) { return lk_output_kind(l) != LK_OUT_STATIC; }

/* FLAGS = NODIRECT, and no other flag (the others are Solaris' direct
 * binding, refused) */
static bool nodirect_only(const mf_attr *a)
{
    for (size_t i = 0; i < a->nv; i++)
        if (a->v[i].key != MF_K_NODIRECT)
            return false;
    return a->nv > 0;
}

/* At apply time: the refusals, VALUE's definitions (before the inputs are
 * read, as --defsym's), the protected symbols' scope (which the export
 * policy reads, before .symtab's pass). */
int lk_apply_symbol_scope(lk_link *l, const mf_directive *d)
{
    bool dyn = dynamic_output(l);
    const char *what = d->key == MF_K_SYMBOL_SCOPE ? "SYMBOL_SCOPE" : "SYMBOL_VERSION";
    if (l->opt->relocatable)
        return fail(l, d, d->line,
                    "%s: not applied to a relocatable output (-r): keel reduces scopes when it links the "
                    "program or library",
                    what);
    /* an empty name (SYMBOL_VERSION '' or a parent ''): a Verdef needs
     * one, and the unversioned symbols are SYMBOL_SCOPE's */
    for (size_t k = 0; d->key == MF_K_SYMBOL_VERSION && k <= d->nv; k++)
        if (!*(k ? d->v[k - 1].str : d->name))
            return fail(l, d, d->line,
                        "SYMBOL_VERSION %s%s%s: an empty version name: a version needs a name (ld.so finds it "
                        "by it); the unversioned symbols are SYMBOL_SCOPE's",
                        k ? d->name : "''", k ? ": inherits " : "", k ? "''" : "");
    if (d->key != MF_K_SYMBOL_SCOPE && !dyn)
        return fail(l, d, d->line,
                    "SYMBOL_VERSION: symbol versions need a dynamic output (-shared, -pie); SYMBOL_SCOPE gives "
                    "scopes in a static executable");
    for (size_t i = 0; i < d->nattrs; i++) {
        const mf_attr *s = &d->attrs[i];
        if (!scope_of(s->scope, dyn))
            return fail(l, d, s->line, "symbol '%s': scope %s needs a dynamic output (-shared, -pie)", s->name,
                        mf_key_name(s->scope));
        if (dyn && scope_of(s->scope, dyn) == LK_SCOPE_PROTECTED && strcmp(s->name, "*") != 0) {
            lk_sym *sym = lk_sym_intern(&l->syms, &l->arena, s->name, lk_hash(s->name));
            if (!sym)
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            sym->scope = LK_SCOPE_PROTECTED;
        }
        for (size_t k = 0; k < s->nsub; k++) {
            const mf_attr *a = &s->sub[k];
            if (a->key == MF_K_ASSERT)
                continue;
            if (a->key == MF_K_FLAGS && nodirect_only(a)) { /* (lk_mapfile_policy) */
                if (!dyn)
                    return fail(l, d, a->line,
                                "symbol '%s': FLAGS = NODIRECT needs a dynamic output (-shared, -pie): a static "
                                "executable binds nothing at run time",
                                s->name);
                continue;
            }
            if (a->key != MF_K_VALUE)
                return fail(l, d, a->line,
                            "symbol '%s': %s is not applied (keel applies VALUE and ASSERT; symbol FLAGS are "
                            "Solaris' direct binding, AUXILIARY and FILTER its filters, SIZE and TYPE its "
                            "symbol definitions, which Linux's ld.so has not)",
                            s->name, mf_key_name(a->key));
            char *expr = lk_alloc(&l->arena, 24);
            lk_sym *sym = lk_sym_intern(&l->syms, &l->arena, s->name, lk_hash(s->name));
            if (!expr || !sym)
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            snprintf(expr, 24, "%#llx", (unsigned long long)a->v[0].num);
            sym->defsym = expr, sym->state = LK_DEFINED;
        }
    }
    l->mf_symbols = true;
    return 0;
}

/* The version script text of one directive's symbols, or of every
 * SYMBOL_SCOPE (anonymous); NULL (the error set) if a name cannot be
 * written in one. */
typedef struct text {
    char *v;
    size_t n, cap;
    bool nomem;
} text;

static void put(text *t, const char *s)
{
    size_t k = strlen(s);
    if (t->n + k + 1 > t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256;
        while (cap < t->n + k + 1)
            cap *= 2;
        char *v = realloc(t->v, cap);
        if (!v) {
            t->nomem = true;
            return;
        }
        t->v = v, t->cap = cap;
    }
    memcpy(t->v + t->n, s, k + 1);
    t->n += k;
}

/* a version node's name, as a version script's tag may be written */
static bool tag_ok(const char *s)
{
    if (!(*s == '.' || *s == '$' || *s == '_' || ((unsigned)((*s | 32) - 'a') < 26u)))
        return false;
    for (s++; *s; s++)
        if (!(*s == '.' || *s == '_' || (unsigned)((*s | 32) - 'a') < 26u || (unsigned)(*s - '0') < 10u))
            return false;
    return true;
}

/* The symbols of d in scope global (or not): "name"; or *; */
static int names(lk_link *l, text *t, const mf_directive *d, bool global)
{
    for (size_t i = 0; i < d->nattrs; i++) {
        const mf_attr *s = &d->attrs[i];
        uint8_t sc = scope_of(s->scope, true);
        if ((sc == LK_SCOPE_LOCAL || sc == LK_SCOPE_ELIMINATE) == global)
            continue;
        if (strcmp(s->name, "*") == 0) {
            put(t, " *;");
            continue;
        }
        if (strpbrk(s->name, "\"\n\\"))
            return fail(l, d, s->line, "symbol '%s': a name with a quote, backslash or newline cannot be exported",
                        s->name);
        put(t, " \"");
        put(t, s->name);
        put(t, "\";");
    }
    return 0;
}

/* The node's body from directives d[0..n) of that key: global: ...;
 * local: ...; (the grammar wants the globals first) */
static int body(lk_link *l, text *t, const mf_directive *d, size_t n, unsigned key)
{
    bool has[2] = {false, false}; /* [0] global, [1] local */
    for (size_t k = 0; k < n; k++)
        for (size_t i = 0; d[k].key == key && i < d[k].nattrs; i++) {
            uint8_t sc = scope_of(d[k].attrs[i].scope, true);
            has[sc == LK_SCOPE_LOCAL || sc == LK_SCOPE_ELIMINATE] = true;
        }
    for (int pass = 0; pass < 2; pass++) {
        if (!has[pass])
            continue;
        put(t, pass == 0 ? " global:" : " local:");
        for (size_t k = 0; k < n; k++) {
            int rc = d[k].key == key ? names(l, t, &d[k], pass == 0) : 0;
            if (rc)
                return rc;
        }
    }
    return 0;
}

/* The policy's reader's error, at the directive's line */
static int at_line(lk_link *l, const mf_directive *d)
{
    char msg[sizeof l->err->msg];
    snprintf(msg, sizeof msg, "%s", l->err->msg);
    return fail(l, d, d->line, "%s", msg);
}

/* Registers text t as the directive's node(s); frees it. */
static int feed(lk_link *l, text *t, const mf_directive *d)
{
    int rc = t->nomem                                                 ? lk_fail(l, KEEL_E_NOMEM, "out of memory")
             : lk_vs_read_text(&l->policy->vers, d->file, t->v, t->n) ? at_line(l, d)
                                                                      : 0;
    free(t->v);
    *t = (text){0};
    return rc;
}

int lk_mapfile_policy(lk_link *l)
{
    if (!l->mf_symbols || !dynamic_output(l) || !l->policy)
        return 0;
    lk_policy *p = l->policy;
    const mf_directive *all = l->mf;
    const mf_directive *first_scope = NULL;
    text t = {0};
    int rc = 0;
    /* each SYMBOL_VERSION a node, in order: V { global: ...; local: ...; } P...; */
    for (size_t i = 0; i < l->nmf && !rc; i++) {
        const mf_directive *d = &all[i];
        if (d->key == MF_K_SYMBOL_SCOPE && !first_scope)
            first_scope = d;
        if (d->key != MF_K_SYMBOL_VERSION)
            continue;
        if (!tag_ok(d->name))
            return fail(l, d, d->line, "SYMBOL_VERSION %s: a version name is [.$_a-zA-Z][._a-zA-Z0-9]*", d->name);
        put(&t, d->name);
        put(&t, " {");
        if ((rc = body(l, &t, d, 1, MF_K_SYMBOL_VERSION)))
            break;
        put(&t, " }");
        for (size_t k = 0; k < d->nv; k++) {
            if (!tag_ok(d->v[k].str))
                return free(t.v), fail(l, d, d->line, "SYMBOL_VERSION %s: a version name is [.$_a-zA-Z][._a-zA-Z0-9]*",
                                       d->v[k].str);
            put(&t, " ");
            put(&t, d->v[k].str);
        }
        put(&t, ";\n");
        rc = feed(l, &t, d);
    }
    if (rc) {
        free(t.v);
        return rc;
    }
    /* every SYMBOL_SCOPE: one anonymous node, after the named ones (its
     * globals unversioned: VER_NDX_GLOBAL) */
    if (first_scope) {
        put(&t, "{");
        if ((rc = body(l, &t, all, l->nmf, MF_K_SYMBOL_SCOPE)))
            return free(t.v), rc;
        put(&t, " };\n");
        p->vers.anon_last = p->vers.n && p->vers.nodes[0]->name;
        rc = feed(l, &t, first_scope);
        p->vers.anon_last = false;
        if (rc)
            return rc;
    }
    /* exported and singleton: exported from an executable too, as
     * --export-dynamic-symbol (a pattern of the dynamic list that binds
     * nothing: list_given stays as the options made it) */
    for (size_t i = 0; i < l->nmf; i++)
        for (size_t k = 0; (all[i].key == MF_K_SYMBOL_SCOPE || all[i].key == MF_K_SYMBOL_VERSION) && k < all[i].nattrs;
             k++) {
            const mf_attr *s = &all[i].attrs[k];
            if ((s->scope == MF_K_EXPORTED || s->scope == MF_K_SINGLETON) && strcmp(s->name, "*") != 0 &&
                lk_vs_add_pattern(&p->dlist, s->name, LK_VLANG_C, true))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            /* singleton and FLAGS = NODIRECT: never bound locally, by
             * -Bsymbolic, -Bsymbolic-functions or a dynamic list either */
            bool nodirect = s->scope == MF_K_SINGLETON;
            for (size_t a = 0; a < s->nsub; a++)
                nodirect |= s->sub[a].key == MF_K_FLAGS && nodirect_only(&s->sub[a]);
            if (nodirect && strcmp(s->name, "*") != 0 && lk_vs_add_pattern(&p->nodirect, s->name, LK_VLANG_C, true))
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        }
    return 0;
}

static const char *type_name(unsigned t)
{
    return t == 1 ? "DATA" : t == 2 ? "FUNCTION" : t == 5 ? "COMMON" : t == 6 ? "TLS" : "NOTYPE or another";
}

/* One ASSERT's checks on sym; 0 or the link's error. */
static int check(lk_link *l, const mf_directive *d, const mf_attr *s, const mf_attr *as)
{
    const lk_sym *sym = lk_sym_find(&l->syms, s->name, lk_hash(s->name));
    bool defined = sym && (sym->state == LK_DEFINED || sym->state == LK_WEAK || sym->state == LK_COMMON);
    if (!defined)
        return fail(l, d, as->line, "symbol '%s': ASSERT failed: the symbol is not defined", s->name);
    keel_sym ds = {0};
    keel_shdr sh = {0};
    bool in_file = sym->def && !sym->defsym && sym->state != LK_COMMON &&
                   !keel_symtab_get(&sym->def->symtab, sym->def_index, &ds, NULL);
    if (in_file && ds.shndx && ds.raw_shndx != SHN_ABS)
        keel_elf_shdr(&sym->def->elf, ds.shndx, &sh, NULL);
    unsigned type = sym->state == LK_COMMON ? (sym->type == 6 ? 6u : 5u) : sym->type;
    uint64_t size = sym->state == LK_COMMON ? sym->size : ds.size;
    for (size_t k = 0; k < as->nsub; k++) {
        const mf_attr *a = &as->sub[k];
        const mf_value *v = &a->v[0];
        switch (a->key) {
        case MF_K_TYPE: {
            unsigned want = v->key == MF_K_DATA ? 1 : v->key == MF_K_FUNCTION ? 2 : v->key == MF_K_COMMON ? 5 : 6;
            if (type != want)
                return fail(l, d, a->line, "symbol '%s': ASSERT TYPE = %s failed: it is %s", s->name,
                            mf_key_name(v->key), type_name(type));
            break;
        }
        case MF_K_SIZE:
            if (size != v->num)
                return fail(l, d, a->line, "symbol '%s': ASSERT SIZE = %#llx failed: its size is %#llx", s->name,
                            (unsigned long long)v->num, (unsigned long long)size);
            break;
        case MF_K_BINDING: {
            bool weak = sym->state == LK_WEAK;
            if (weak != (v->key == MF_K_WEAK))
                return fail(l, d, a->line, "symbol '%s': ASSERT BINDING = %s failed: it is %s", s->name,
                            mf_key_name(v->key), weak ? "WEAK" : "GLOBAL");
            break;
        }
        case MF_K_SH_ATTR: {
            bool nobits = sym->state == LK_COMMON || sh.type == SHT_NOBITS;
            if (nobits != (v->key == MF_K_NOBITS) || (!in_file && sym->state != LK_COMMON))
                return fail(l, d, a->line, "symbol '%s': ASSERT SH_ATTR = %s failed: it is %s", s->name,
                            mf_key_name(v->key),
                            !in_file && sym->state != LK_COMMON ? "in no section"
                            : nobits                            ? "NOBITS"
                                                                : "BITS");
            break;
        }
        case MF_K_ALIAS: {
            const lk_sym *o = lk_sym_find(&l->syms, v->str, lk_hash(v->str));
            keel_sym od = {0};
            bool same = o && o->def == sym->def && in_file && !o->defsym &&
                        (o->state == LK_DEFINED || o->state == LK_WEAK) &&
                        !keel_symtab_get(&o->def->symtab, o->def_index, &od, NULL) && od.shndx == ds.shndx &&
                        od.value == ds.value;
            if (!same)
                return fail(l, d, a->line, "symbol '%s': ASSERT ALIAS = %s failed: not the same definition", s->name,
                            v->str);
            break;
        }
        }
    }
    return 0;
}

int lk_mapfile_symbols(lk_link *l)
{
    if (!l->mf_symbols)
        return 0;
    uint8_t star = LK_SCOPE_NONE;
    bool dyn = dynamic_output(l);
    for (size_t i = 0; i < l->nmf; i++) {
        const mf_directive *d = &((const mf_directive *)l->mf)[i];
        if (d->key != MF_K_SYMBOL_SCOPE && d->key != MF_K_SYMBOL_VERSION)
            continue;
        for (size_t k = 0; k < d->nattrs; k++) {
            const mf_attr *s = &d->attrs[k];
            if (strcmp(s->name, "*") == 0) {
                star = scope_of(s->scope, dyn);
                continue;
            }
            lk_sym *sym = lk_sym_intern(&l->syms, &l->arena, s->name, lk_hash(s->name));
            if (!sym)
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            sym->scope = scope_of(s->scope, dyn); /* (a later mapfile's word wins) */
            for (size_t a = 0; a < s->nsub; a++)
                if (s->sub[a].key == MF_K_ASSERT) {
                    int rc = check(l, d, s, &s->sub[a]);
                    if (rc)
                        return rc;
                }
        }
    }
    if (star == LK_SCOPE_NONE || star == LK_SCOPE_GLOBAL)
        return 0;
    lk_sym **sorted;
    size_t n;
    int rc = lk_sorted_symbols(l, &sorted, &n);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        /* (in a dynamic output, those the export policy made local: what
         * no version node, script's or mapfile's, names global) */
        if (sorted[i]->scope == LK_SCOPE_NONE && !lk_seg_size_symbol(l, sorted[i]->name, NULL) &&
            (!dyn || (sorted[i]->pol_flags & LK_POL_LOCAL)))
            sorted[i]->scope = star;
    return 0;
}

/* .symtab's globals [first, n) reordered so that those reduced to local
 * come first (the locals precede the globals, sh_info the first global),
 * in their order; the new count of locals.  out_index follows. */
size_t lk_scope_partition(lk_link *l, uint8_t *syms, size_t first, size_t n)
{
    if (first >= n)
        return first;
    uint8_t *tmp = lk_alloc(&l->arena, (n - first) * 24);
    uint32_t *to = lk_alloc(&l->arena, (n - first) * sizeof *to);
    if (!tmp || !to)
        return first; /* (then unordered: readelf would say so; memory is gone anyway) */
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = first; i < n; i++)
            if (((syms[i * 24 + 4] >> 4) == STB_LOCAL) == (pass == 0)) {
                memcpy(tmp + k * 24, syms + i * 24, 24);
                to[i - first] = (uint32_t)(first + k++);
            }
    size_t locals = first;
    for (size_t i = first; i < n; i++)
        locals += (syms[i * 24 + 4] >> 4) == STB_LOCAL;
    memcpy(syms + first * 24, tmp, (n - first) * 24);
    lk_sym **sorted;
    size_t ns;
    if (!lk_sorted_symbols(l, &sorted, &ns))
        for (size_t i = 0; i < ns; i++)
            if (sorted[i]->out_index >= first && sorted[i]->out_index < n)
                sorted[i]->out_index = to[sorted[i]->out_index - first];
    return locals;
}
