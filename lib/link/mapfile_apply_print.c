/* --print-mapfile: the link's effective segment model, built-in segments
 * and criteria included, written as a mapfile (version 2) that, read
 * back with --mapfile, makes the same model and so the same output.
 *
 * How it reproduces the model:
 *   - each segment's attributes in one directive, in list order (a new
 *     segment read back goes where it went: its place follows from the
 *     order of creation, as here);
 *   - the criteria one directive each, in the vector's order: read back,
 *     they go to the head of the vector in that order, ahead of the
 *     built-in ones, which they repeat, so the first match is the same;
 *   - a disabled segment's directives say DISABLE (naming it enables it);
 *   - IS_ORDER after the criteria it names; SEGMENT_ORDER as given;
 *   - STACK, CAPABILITY (its net effect), the SYMBOL_SCOPEs and
 *     DEPEND_VERSIONS as written,
 *     HDR_NOALLOC, PHDR_ADD_NULL. */
#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../elfdefs.h"
#include "mapfile.h"

/* A name, quoted: single quotes are literal; a name holding one (or a
 * control character) goes in double quotes with C escapes. */
static void quoted(FILE *f, const char *s)
{
    if (!strchr(s, '\'') && !strpbrk(s, "\n\r\t\v\f")) {
        fprintf(f, "'%s'", s);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20 || *p >= 0x7f)
            fprintf(f, "\\%03o", *p);
        else
            fputc(*p, f);
    fputc('"', f);
}

/* MATCH's text: runs to the next unescaped '/'. */
static void match(FILE *f, char kind, const char *s, bool icase)
{
    fprintf(f, "MATCH(%c/", kind);
    for (; *s; s++)
        fprintf(f, *s == '/' ? "\\/" : "%c", *s);
    fprintf(f, "/%s)", icase ? "i" : "");
}

static void seg_flags(FILE *f, uint32_t fl)
{
    if (!(fl & (PF_R | PF_W | PF_X)))
        fprintf(f, " 0");
    fprintf(f, "%s%s%s", fl & PF_R ? " READ" : "", fl & PF_W ? " WRITE" : "", fl & PF_X ? " EXECUTE" : "");
}

static const char *kind(const lk_segment *g)
{
    return g->reserve           ? "RESERVE_SEGMENT"
           : g->type == PT_LOAD ? "LOAD_SEGMENT"
           : g->type == PT_NOTE ? "NOTE_SEGMENT"
                                : "NULL_SEGMENT";
}

static void attributes(FILE *f, const lk_segment *g);

static void names(FILE *f, const char *attr, const lk_names *n)
{
    if (!n->n)
        return;
    fprintf(f, "    %s =", attr);
    for (size_t i = 0; i < n->n; i++)
        fputc(' ', f), quoted(f, n->v[i]);
    fprintf(f, ";\n");
}

/* A segment's attributes (none: an empty directive, as {} may not be). */
static void segment(FILE *out, const lk_segment *g)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    attributes(f, g);
    fclose(f);
    fprintf(out, "%s ", kind(g));
    quoted(out, g->name);
    if (buf && len)
        fprintf(out, " {\n%s};\n", buf);
    else
        fprintf(out, ";\n");
    free(buf);
}

static void attributes(FILE *f, const lk_segment *g)
{
    if (g->reserve) {
        fprintf(f, "    VADDR = %#llx;\n    SIZE = %#llx;\n", (unsigned long long)g->addr,
                (unsigned long long)g->reserve_size);
        if (g->p_align)
            fprintf(f, "    ALIGN = %#llx;\n", (unsigned long long)g->p_align);
        if (g->has_paddr)
            fprintf(f, "    PADDR = %#llx;\n", (unsigned long long)g->paddr);
        return;
    }
    if (g->type == PT_LOAD) {
        if (!g->flags_auto)
            fprintf(f, "    FLAGS ="), seg_flags(f, g->flags), fprintf(f, ";\n");
        if (g->p_align)
            fprintf(f, "    ALIGN = %#llx;\n", (unsigned long long)g->p_align);
        if (g->has_addr)
            fprintf(f, "    VADDR = %#llx;\n", (unsigned long long)g->addr);
        if (g->has_paddr)
            fprintf(f, "    PADDR = %#llx;\n", (unsigned long long)g->paddr);
        if (g->round)
            fprintf(f, "    ROUND = %#llx;\n", (unsigned long long)g->round);
        if (g->max_size)
            fprintf(f, "    MAX_SIZE = %#llx;\n", (unsigned long long)g->max_size);
        if (g->nohdr)
            fprintf(f, "    NOHDR;\n");
        names(f, "SIZE_SYMBOL", &g->size_syms);
    }
    names(f, "OS_ORDER", &g->os_order);
    if (g->disabled)
        fprintf(f, "    DISABLE;\n");
}

static void sec_flags(FILE *f, uint64_t set, uint64_t clear)
{
    static const struct {
        uint64_t flag;
        const char *name;
    } fl[] = {{SHF_ALLOC, "ALLOC"}, {SHF_WRITE, "WRITE"}, {SHF_EXECINSTR, "EXECUTE"}, {0x10000000, "AMD64_LARGE"}};
    fprintf(f, "        FLAGS =");
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
        if ((set | clear) & fl[i].flag)
            fprintf(f, " %s%s", clear & fl[i].flag ? "!" : "", fl[i].name);
    fprintf(f, ";\n");
}

static void crit_attributes(FILE *f, const lk_criterion *c);

/* OUTPUT_SECTION's FLAGS op v */
static void os_flags(FILE *f, const char *op, uint64_t v)
{
    static const struct {
        uint64_t flag;
        const char *name;
    } fl[] = {{SHF_ALLOC, "ALLOC"}, {SHF_WRITE, "WRITE"}, {SHF_EXECINSTR, "EXECUTE"}, {0x10000000, "AMD64_LARGE"}};
    fprintf(f, "            FLAGS %s", op);
    for (size_t i = 0; i < sizeof fl / sizeof fl[0]; i++)
        if (v & fl[i].flag)
            fprintf(f, " %s", fl[i].name);
    fprintf(f, ";\n");
}

/* A criterion (with no attributes: ASSIGN_SECTION;, as {} may not be). */
static void criterion(FILE *out, const lk_criterion *c)
{
    const lk_segment *g = c->seg;
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return;
    crit_attributes(f, c);
    fclose(f);
    fprintf(out, "%s ", kind(g));
    quoted(out, g->name);
    fprintf(out, " {\n    ASSIGN_SECTION");
    if (c->label)
        fputc(' ', out), quoted(out, c->label);
    if (buf && len)
        fprintf(out, " {\n%s    };\n", buf);
    else
        fprintf(out, ";\n");
    free(buf);
    fprintf(out, "%s};\n", g->disabled ? "    DISABLE;\n" : "");
}

static void crit_attributes(FILE *f, const lk_criterion *c)
{
    static const char *const sht[] = {"NULL",       "PROGBITS",      "SYMTAB", "STRTAB",      "RELA",
                                      "HASH",       "DYNAMIC",       "NOTE",   "NOBITS",      "REL",
                                      "SHLIB",      "DYNSYM",        NULL,     NULL,          "INIT_ARRAY",
                                      "FINI_ARRAY", "PREINIT_ARRAY", "GROUP",  "SYMTAB_SHNDX"};
    if (c->type && c->type < sizeof sht / sizeof sht[0] && sht[c->type])
        fprintf(f, "        TYPE = %s;\n", sht[c->type]);
    if (c->set || c->clear)
        sec_flags(f, c->set, c->clear);
    if (c->re)
        fprintf(f, "        IS_NAME = "), match(f, 'r', c->re_src, c->name_icase), fprintf(f, ";\n");
    for (size_t i = 0; i < c->names.n; i++) {
        fprintf(f, "        IS_NAME = ");
        if (c->glob)
            match(f, 'g', c->names.v[i], c->name_icase);
        else
            quoted(f, c->names.v[i]);
        fprintf(f, ";\n");
    }
    static const char *const fk[] = {"FILE_PATH", "FILE_BASENAME", "FILE_OBJNAME"};
    for (size_t i = 0; i < c->nfiles; i++) {
        const lk_filepat *p = &c->files[i];
        fprintf(f, "        %s = ", fk[p->kind]);
        if (p->match)
            match(f, p->match, p->src, p->icase);
        else
            quoted(f, p->src);
        fprintf(f, ";\n");
    }
    if (c->osname || c->osref || c->discard || c->os_type || c->os_set || c->os_clear) {
        fprintf(f, "        OUTPUT_SECTION {\n");
        if (c->os_type)
            fprintf(f, "            TYPE = %s;\n", c->os_type == SHT_NOBITS ? "NOBITS" : "PROGBITS");
        if (c->os_flags && c->os_set) /* (= replaced the named flags: those not set are cleared) */
            os_flags(f, "=", c->os_set);
        else {
            if (c->os_set)
                os_flags(f, "+=", c->os_set);
            if (c->os_clear)
                os_flags(f, "-=", c->os_clear);
        }
        if (c->osref) {
            fprintf(f, "            NAME = MATCHREF(/");
            for (const char *s = c->osref; *s; s++)
                fprintf(f, *s == '/' ? "\\/" : "%c", *s);
            fprintf(f, "/);\n");
        } else if (c->osname)
            fprintf(f, "            NAME = "), quoted(f, c->osname), fprintf(f, ";\n");
        if (c->discard)
            fprintf(f, "            DISCARD;\n");
        fprintf(f, "        };\n");
    }
}

/* A symbol attribute's values (VALUE's, ASSERT's). */
static void sym_values(FILE *f, const mf_attr *a)
{
    for (size_t k = 0; k < a->nv; k++) {
        const mf_value *v = &a->v[k];
        if (v->kind == MF_V_INT)
            fprintf(f, " %#llx", (unsigned long long)v->num);
        else if (v->kind == MF_V_KEY)
            fprintf(f, " %s", mf_key_name(v->key));
        else
            fputc(' ', f), quoted(f, v->str);
    }
}

/* The SYMBOL_SCOPE directives as written (their effect is on symbols,
 * not the segment model: mapfile_apply_symbols.c reads them again). */
static void symbol_scopes(FILE *f, const lk_link *l)
{
    for (size_t i = 0; i < l->nmf; i++) {
        const mf_directive *d = &((const mf_directive *)l->mf)[i];
        if ((d->key != MF_K_SYMBOL_SCOPE || !d->nattrs) && d->key != MF_K_SYMBOL_VERSION)
            continue;
        if (d->key == MF_K_SYMBOL_VERSION) { /* (an empty node is a version too: V {};) */
            fprintf(f, "SYMBOL_VERSION "), quoted(f, d->name), fprintf(f, " {\n");
        } else
            fprintf(f, "SYMBOL_SCOPE {\n");
        for (size_t k = 0; k < d->nattrs; k++) {
            const mf_attr *s = &d->attrs[k];
            fprintf(f, "    %s: ", mf_key_name(s->scope));
            if (strcmp(s->name, "*") == 0)
                fputc('*', f);
            else
                quoted(f, s->name);
            if (s->nsub) {
                fprintf(f, " {");
                for (size_t a = 0; a < s->nsub; a++) {
                    const mf_attr *at = &s->sub[a];
                    fprintf(f, " %s", mf_key_name(at->key));
                    if (at->key == MF_K_ASSERT) {
                        fprintf(f, " {");
                        for (size_t b = 0; b < at->nsub; b++) {
                            fprintf(f, " %s =", mf_key_name(at->sub[b].key));
                            sym_values(f, &at->sub[b]);
                            fprintf(f, ";");
                        }
                        fprintf(f, " }");
                    } else
                        fprintf(f, " ="), sym_values(f, at);
                    fprintf(f, ";");
                }
                fprintf(f, " }");
            }
            fprintf(f, ";\n");
        }
        fprintf(f, "}");
        for (size_t k = 0; d->key == MF_K_SYMBOL_VERSION && k < d->nv; k++) /* its parents */
            fputc(' ', f), quoted(f, d->v[k].str);
        fprintf(f, ";\n");
    }
}

/* The DEPEND_VERSIONS directives as written (checked and applied once
 * the libraries are read: mapfile_depend.c reads them again). */
static void depend_versions(FILE *f, const lk_link *l)
{
    for (size_t i = 0; i < l->nmf; i++) {
        const mf_directive *d = &((const mf_directive *)l->mf)[i];
        if (d->key != MF_K_DEPEND_VERSIONS)
            continue;
        fprintf(f, "DEPEND_VERSIONS "), quoted(f, d->name), fprintf(f, " {\n");
        for (size_t k = 0; k < d->nattrs; k++) {
            fprintf(f, "    %s =", mf_key_name(d->attrs[k].key));
            for (size_t x = 0; x < d->attrs[k].nv; x++)
                fputc(' ', f), quoted(f, d->attrs[k].v[x].str);
            fprintf(f, ";\n");
        }
        fprintf(f, "};\n");
    }
}

int lk_print_mapfile(lk_link *l, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return lk_fail(l, KEEL_E_IO, "%s: cannot write the mapfile: %s", path, strerror(errno));
    fprintf(f, "$mapfile_version 2\n# keel link's segment model (--print-mapfile): segments in list order,\n"
               "# then the entrance criteria in the order they are tried\n");
    for (size_t i = 0; i < l->nsegs; i++)
        segment(f, l->segs[i]);
    for (size_t i = 0; i < l->ncrit; i++)
        criterion(f, &l->crit[i]);
    for (size_t i = 0; i < l->nsegs; i++) {
        const lk_segment *g = l->segs[i];
        if (!g->is_order.n)
            continue;
        fprintf(f, "%s ", kind(g));
        quoted(f, g->name);
        fprintf(f, " {\n");
        names(f, "IS_ORDER", &g->is_order);
        fprintf(f, "%s};\n", g->disabled ? "    DISABLE;\n" : "");
    }
    if (l->seg_order.n) {
        fprintf(f, "SEGMENT_ORDER =");
        for (size_t i = 0; i < l->seg_order.n; i++)
            fputc(' ', f), quoted(f, l->seg_order.v[i]);
        fprintf(f, ";\n");
    }
    fprintf(f, "STACK {\n    FLAGS =");
    seg_flags(f, lk_stack_flags(l));
    fprintf(f, ";\n};\n");
    if (l->isa_edit) { /* CAPABILITY: a name of each level (mapfile_apply_cap.c) */
        static const char *const level[] = {"SSE2", "SSE4.2", "AVX2", "AVX512F"};
        fprintf(f, "CAPABILITY {\n");
        if (l->isa_set) {
            int top = 3;
            while (top > 0 && !(l->isa_value >> top & 1))
                top--;
            fprintf(f, "    HW = %s;\n", level[top]);
            for (int b = 0; b < 4; b++)
                if (b != top && (l->isa_value >> b & 1))
                    fprintf(f, "    HW += %s;\n", level[b]);
            if (!l->isa_value)
                fprintf(f, "    HW -= SSE2;\n");
        } else {
            for (int b = 0; b < 4; b++)
                if (l->isa_add >> b & 1)
                    fprintf(f, "    HW += %s;\n", level[b]);
            for (int b = 3; b >= 0; b--)
                if (l->isa_sub >> b & 1) {
                    fprintf(f, "    HW -= %s;\n", level[b]);
                    break;
                }
        }
        fprintf(f, "};\n");
    }
    symbol_scopes(f, l);
    depend_versions(f, l);
    if (l->hdr_noalloc)
        fprintf(f, "HDR_NOALLOC;\n");
    if (l->phdr_null)
        fprintf(f, "PHDR_ADD_NULL = %u;\n", l->phdr_null);
    if (ferror(f) | fclose(f)) /* (both: the file closed whatever) */
        return lk_fail(l, KEEL_E_IO, "%s: cannot write the mapfile", path);
    return 0;
}
