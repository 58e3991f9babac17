/* --sort-section=name|alignment: ld.bfd applies SORT_BY_NAME or
 * SORT_BY_ALIGNMENT to each wildcard statement of its script, so the
 * input sections its default script gathers with one (*(.text .text.*
 * ...), *(.data .data.* ...), and the like) come sorted, across all the
 * input files: by name, or by alignment, largest first; ties keep the
 * input order.  The output sections gathered otherwise (the init and fini
 * arrays, sorted by priority; the notes; unknown names) keep theirs, and
 * merged strings stay where their pool is. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct keyed {
    lk_piece piece;
    uint32_t from; /* its index before the sort */
    const char *name;
    unsigned statement; /* of ld.bfd's script within the output section (statements.c) */
} keyed;

static int by_name(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->statement != y->statement)
        return x->statement < y->statement ? -1 : 1;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->piece.seq > y->piece.seq) - (x->piece.seq < y->piece.seq);
}

static int by_alignment(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    if (x->statement != y->statement)
        return x->statement < y->statement ? -1 : 1;
    if (x->piece.align != y->piece.align)
        return x->piece.align > y->piece.align ? -1 : 1;
    return (x->piece.seq > y->piece.seq) - (x->piece.seq < y->piece.seq);
}

int lk_sort_section(lk_link *l, lk_osec *o)
{
    static const char *const wildcard[] = {".text",  ".rodata", ".data",        ".bss",
                                           ".tdata", ".tbss",   ".data.rel.ro", ".gcc_except_table"};
    bool gathered = false;
    for (size_t i = 0; i < sizeof wildcard / sizeof wildcard[0]; i++)
        gathered |= strcmp(o->name, wildcard[i]) == 0;
    if (!gathered || o->npieces < 2)
        return 0;
    keyed *k = lk_alloc(&l->arena, o->npieces * sizeof *k);
    if (!k)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    size_t n = 0;
    for (size_t i = 0; i < o->npieces; i++) {
        const lk_piece *p = &o->pieces[i];
        keel_shdr sh;
        if (!p->file) /* a piece of no input (the commons): it stays */
            continue;
        k[n].piece = *p;
        k[n].from = (uint32_t)i;
        if (keel_elf_shdr(&p->file->elf, p->shndx, &sh, NULL) ||
            keel_elf_section_name(&p->file->elf, &sh, &k[n].name, NULL))
            k[n].name = "";
        bool sorted;
        k[n].statement = lk_script_statement(o->name, k[n].name, &sorted);
        n++;
    }
    qsort(k, n, sizeof *k, l->opt->sort_section == KEEL_SORT_NAME ? by_name : by_alignment);
    /* pieces are named by their index: a merged input's (lk_merged's
     * piece) and its pool's records, which place the strings and constants
     * it brought; they follow their piece to its new place */
    uint32_t *to = lk_alloc(&l->arena, o->npieces * sizeof *to);
    if (!to)
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    for (size_t i = 0; i < o->npieces; i++)
        to[i] = (uint32_t)i; /* a piece of no input stays */
    for (size_t i = 0, j = 0; i < o->npieces; i++) {
        if (o->pieces[i].file) {
            to[k[j].from] = (uint32_t)i;
            o->pieces[i] = k[j++].piece;
        }
    }
    for (size_t i = 0; i < o->npieces; i++) {
        const lk_piece *p = &o->pieces[i];
        if (p->file && p->file->merged && p->file->merged[p->shndx])
            p->file->merged[p->shndx]->piece = (uint32_t)i;
    }
    lk_merge_renumber(o, to);
    return 0;
}
