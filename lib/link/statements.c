/* The input statements of GNU ld's default script, within the output
 * sections where it has more than one.  ld.bfd gathers each statement's
 * inputs in turn, so an input's statement, not its place on the command
 * line, decides first where it goes:
 *
 *   .text : { *(.text.unlikely .text.*_unlikely .text.unlikely.*)
 *             *(.text.exit .text.exit.*)
 *             *(.text.startup .text.startup.*)
 *             *(.text.hot .text.hot.*)
 *             *(SORT(.text.sorted.*))
 *             *(.text .stub .text.* .gnu.linkonce.t.*) ... }
 *   .data.rel.ro : { *(.data.rel.ro.local* .gnu.linkonce.d.rel.ro.local.*)
 *                    *(.data.rel.ro .data.rel.ro.* .gnu.linkonce.d.rel.ro.*) }
 *
 * This is what puts cold code (gcc's .text.unlikely, -freorder-functions)
 * apart from hot code, and main (.text.startup at -O2) near the start. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static bool is_or_under(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(name, prefix, n) == 0 && (name[n] == '\0' || name[n] == '.');
}

static bool ends_with(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && strcmp(name + n - k, suffix) == 0;
}

unsigned lk_script_statement(const char *osec, const char *isec, bool *sorted)
{
    *sorted = false;
    if (strcmp(osec, ".text") == 0) {
        if (is_or_under(isec, ".text.unlikely") || (strncmp(isec, ".text.", 6) == 0 && ends_with(isec, "_unlikely")))
            return 0;
        if (is_or_under(isec, ".text.exit"))
            return 1;
        if (is_or_under(isec, ".text.startup"))
            return 2;
        if (is_or_under(isec, ".text.hot"))
            return 3;
        if (strncmp(isec, ".text.sorted.", 13) == 0) {
            *sorted = true;
            return 4;
        }
        return 5;
    }
    if (strcmp(osec, ".data.rel.ro") == 0)
        return strncmp(isec, ".data.rel.ro.local", 18) != 0 && strncmp(isec, ".gnu.linkonce.d.rel.ro.local.", 29) != 0;
    return 0;
}

typedef struct keyed {
    lk_piece piece;
    const char *name; /* for a SORT statement; else NULL */
    unsigned statement;
} keyed;

static int by_statement(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->statement != y->statement)
        return x->statement < y->statement ? -1 : 1;
    if (x->name && y->name) {
        int c = strcmp(x->name, y->name);
        if (c)
            return c;
    }
    return (x->piece.seq > y->piece.seq) - (x->piece.seq < y->piece.seq);
}

static const char *piece_name(const lk_piece *p)
{
    if (!p->file || p->shndx >= p->file->nsections || !p->file->sections[p->shndx].name)
        return "";
    return p->file->sections[p->shndx].name;
}

int lk_order_statements(lk_link *l, lk_osec *o)
{
    if (o->npieces < 2 || o->pool || (strcmp(o->name, ".text") != 0 && strcmp(o->name, ".data.rel.ro") != 0))
        return 0; /* one statement: the input order stands (and costs nothing) */
    bool any = false, sorted;
    for (size_t i = 0; i < o->npieces && !any; i++)
        any = o->pieces[i].file && lk_script_statement(o->name, piece_name(&o->pieces[i]), &sorted) != 0;
    if (!any)
        return 0; /* all in the first statement: the input order stands */
    keyed *k = lk_alloc(&l->arena, o->npieces * sizeof *k);
    if (!k)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    bool in_order = true, by_name = false; /* the pieces in input order, no SORT statement */
    size_t count[8] = {0};                 /* per statement, 0 to 5, and 7 for ~0u */
    for (size_t i = 0; i < o->npieces; i++) {
        const char *name = piece_name(&o->pieces[i]);
        k[i].piece = o->pieces[i];
        /* a piece of no file (the commons' block) goes with the last statement */
        k[i].statement = o->pieces[i].file ? lk_script_statement(o->name, name, &sorted) : ~0u;
        k[i].name = o->pieces[i].file && sorted ? name : NULL;
        in_order &= i == 0 || k[i - 1].piece.seq < k[i].piece.seq;
        by_name |= k[i].name != NULL;
        count[k[i].statement < 7 ? k[i].statement : 7]++;
    }
    if (!in_order || by_name) {
        qsort(k, o->npieces, sizeof *k, by_statement);
        for (size_t i = 0; i < o->npieces; i++)
            o->pieces[i] = k[i].piece;
        return 0;
    }
    /* in input order already: by_statement's order is a stable move of
     * each piece to its statement's place (qsort was 1.6% of a C++ link) */
    for (size_t b = 0, at = 0; b < 8; b++) {
        size_t c = count[b];
        count[b] = at;
        at += c;
    }
    for (size_t i = 0; i < o->npieces; i++)
        o->pieces[count[k[i].statement < 7 ? k[i].statement : 7]++] = k[i].piece;
    return 0;
}
