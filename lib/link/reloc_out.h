/* -r (relocatable.c): what its files share. */
#ifndef KEEL_LINK_RELOC_OUT_H
#define KEEL_LINK_RELOC_OUT_H

#include "internal.h"

/* An input .eh_frame with the FDEs of dropped code taken out
 * (reloc_eh.c): its records' places in the input and the output. */
typedef struct ro_eh {
    const uint8_t *data; /* the input's bytes */
    uint64_t insize, size;
    uint64_t *in, *out; /* per record, and one past the last: its offset */
    uint8_t *keep;      /* per record */
    size_t n;
} ro_eh;

/* The edit of .eh_frame section shndx of f (relocations rela), or NULL
 * in *out when it drops nothing or cannot be read (kept whole). */
int ro_eh_edit(lk_link *l, lk_file *f, uint32_t shndx, uint32_t rela, ro_eh **out);
/* The record holding input offset off (e->n: past them all). */
size_t ro_eh_record(const ro_eh *e, uint64_t offset);
/* An input offset's place in the output piece; false if its record went. */
bool ro_eh_offset(const ro_eh *e, uint64_t in, uint64_t *out);
/* The kept records into buf (the piece's place in the output). */
void ro_eh_fill(const ro_eh *e, uint8_t *buf);

#endif
