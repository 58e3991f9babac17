/* Input-section order changed after GNU ld's rules (symbol_order.c), and
 * the address map it and --gc-sections call for (addrmap.c,
 * docs/address-map-section.md). */
#ifndef KEEL_LINK_ORDER_H
#define KEEL_LINK_ORDER_H

#include "internal.h"

/* --symbol-ordering-file: its names (an lk_sym each, out_index its
 * priority, 1 first; mark: some symbol has the name), and per file (by
 * index) per section the earliest priority of the symbols it defines
 * (NULL for a file with none). */
typedef struct lk_order {
    lk_symtab names;
    lk_sym **list; /* in the file's order */
    size_t nlist, caplist;
    uint32_t **prio;
    bool moved; /* some input section was moved */
} lk_order;

/* The file read and the priorities given (once the inputs are placed). */
int lk_symbol_order_read(lk_link *l);
/* o's pieces in that order (the last of the orderings). */
int lk_symbol_order_apply(lk_link *l, lk_osec *o);

/* The addresses, through lk_assign_addresses: the original layout's
 * (without the ordering, with the sections --gc-sections dropped) first
 * when an address map is made, then the output's, and the map's section
 * sized.  Called by the pass "assign addresses" in place of
 * lk_assign_addresses. */
int lk_addrmap_assign(lk_link *l, uint64_t header_size);
/* The map's bytes into the output (the pass "write"). */
void lk_addrmap_fill(const lk_link *l, uint8_t *buf);
/* The output section an input section of this name joins (layout.c). */
const char *lk_output_name(const char *name);

#endif
