/* A mapfile's SYMBOL_SCOPE in the outputs keel writes today (static
 * executables): what a symbol's scope and attributes mean in .symtab.
 *   - default/global: the symbol stays global;
 *   - local/hidden: it becomes a local symbol of .symtab;
 *   - eliminate: it is left out of .symtab;
 *   - "*" in local or eliminate scope: every global the mapfiles do not
 *     name (keel's own size symbols excepted) is treated so;
 *   - VALUE = v: the symbol is defined, absolute, v (as --defsym);
 *   - ASSERT { TYPE; SIZE; BINDING; SH_ATTR; ALIAS; }: checked once the
 *     symbols are resolved; one that does not hold fails the link.
 * What only a dynamic output gives meaning to (protected, exported,
 * singleton scopes, FLAGS, AUXILIARY, FILTER, SYMBOL_VERSION,
 * DEPEND_VERSIONS) is refused by name, at the line that asks for it. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../elfdefs.h"
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

static uint8_t scope_of(uint16_t key)
{
    switch (key) {
    case MF_K_LOCAL:
    case MF_K_HIDDEN: return LK_SCOPE_LOCAL;
    case MF_K_ELIMINATE: return LK_SCOPE_ELIMINATE;
    case MF_K_DEFAULT:
    case MF_K_GLOBAL: return LK_SCOPE_GLOBAL;
    default: /* protected, symbolic, exported, singleton */ return LK_SCOPE_NONE;
    }
}

/* At apply time: the refusals, and VALUE's definitions (before the inputs
 * are read, as --defsym's). */
int lk_apply_symbol_scope(lk_link *l, const mf_directive *d)
{
    /* A shared library (or an executable with -E) exports its globals
     * through .dynsym, which the policy of export_policy.c makes from
     * version scripts and dynamic lists; the scopes here reach .symtab
     * only, so "local: *" left every global exported: refused until the
     * policy reads them. */
    if (l->opt->shared || l->opt->export_dynamic)
        return fail(l, d, d->line,
                    "%s: not applied to a dynamic output's exported symbols (-shared, -E) yet; give the scopes "
                    "in a --version-script",
                    d->key == MF_K_SYMBOL_SCOPE ? "SYMBOL_SCOPE" : "SYMBOL_VERSION");
    if (d->key != MF_K_SYMBOL_SCOPE)
        return fail(l, d, d->line,
                    "SYMBOL_VERSION: symbol versions need a dynamic output (keel writes static executables "
                    "and relocatable objects); SYMBOL_SCOPE gives scopes in a static executable");
    if (l->opt->relocatable)
        return fail(l, d, d->line, "SYMBOL_SCOPE: not applied to a relocatable output (-r) yet");
    for (size_t i = 0; i < d->nattrs; i++) {
        const mf_attr *s = &d->attrs[i];
        if (!scope_of(s->scope))
            return fail(l, d, s->line, "symbol '%s': scope %s needs a dynamic output (keel writes static executables)",
                        s->name, mf_key_name(s->scope));
        for (size_t k = 0; k < s->nsub; k++) {
            const mf_attr *a = &s->sub[k];
            if (a->key == MF_K_ASSERT)
                continue;
            if (a->key != MF_K_VALUE)
                return fail(l, d, a->line,
                            "symbol '%s': %s needs a dynamic output, or is not applied to a static executable "
                            "yet (keel applies VALUE and ASSERT)",
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
    for (size_t i = 0; i < l->nmf; i++) {
        const mf_directive *d = &((const mf_directive *)l->mf)[i];
        if (d->key != MF_K_SYMBOL_SCOPE)
            continue;
        for (size_t k = 0; k < d->nattrs; k++) {
            const mf_attr *s = &d->attrs[k];
            if (strcmp(s->name, "*") == 0) {
                star = scope_of(s->scope);
                continue;
            }
            lk_sym *sym = lk_sym_intern(&l->syms, &l->arena, s->name, lk_hash(s->name));
            if (!sym)
                return lk_fail(l, KEEL_E_NOMEM, "out of memory");
            sym->scope = scope_of(s->scope); /* (a later mapfile's word wins) */
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
        if (sorted[i]->scope == LK_SCOPE_NONE && !lk_seg_size_symbol(l, sorted[i]->name, NULL))
            sorted[i]->scope = star;
    return 0;
}

/* .symtab's globals [first, n) reordered so that those reduced to local
 * come first (the locals precede the globals, sh_info the first global),
 * in their order; the new count of locals.  out_index follows. */
size_t lk_scope_partition(lk_link *l, uint8_t *syms, size_t first, size_t n)
{
    if (!l->mf_symbols || first >= n)
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
