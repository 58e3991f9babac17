/* What the passes after placement hand each other about the output file
 * (link.c's pass list): the program headers (assign addresses), the
 * section numbering, the symbol and string tables and where the tail of
 * the file goes (finalize symbols), the open output (write, build ID).
 * One per link, in its arena; the tables are malloc'd (they grow while
 * made) and freed when the link closes. */
#ifndef KEEL_LINK_IMAGE_H
#define KEEL_LINK_IMAGE_H

#include "internal.h"

/* A string table being made (.strtab, .shstrtab). */
typedef struct lk_strtab {
    char *v;
    size_t n, cap;
    bool failed; /* out of memory: the names are not all there */
} lk_strtab;

/* Appends s, returns its offset (0 and failed set when out of memory). */
uint32_t lk_str_add(lk_strtab *t, const char *s);

typedef struct lk_phdr {
    uint32_t type, flags;
    uint64_t offset, vaddr, filesz, memsz, align;
} lk_phdr;

typedef struct lk_image {
    /* assign addresses */
    lk_phdr *ph;
    size_t nph;    /* written (at most the count the header space was made for) */
    uint32_t nsec; /* section headers, the null one included */
    uint32_t symtab_index, strtab_index, shstrtab_index;
    bool keep_syms; /* -s drops .symtab and .strtab unless --emit-relocs needs them */
    /* finalize symbols */
    uint64_t entry;
    bool gnu_osabi; /* a symbol written is an IFUNC or STB_GNU_UNIQUE */
    uint8_t *syms;  /* .symtab's entries (malloc'd) */
    size_t nsyms, nlocals;
    lk_strtab str, shstr;
    uint32_t n_symtab, n_strtab, n_shstrtab; /* names in .shstrtab */
    uint64_t symoff, stroff, shstroff, shoff, total;
    /* write */
    lk_outfile out;
    bool out_open;
} lk_image;

/* The passes of output.c's family (link.c runs them in order). */
int lk_pass_addresses(lk_link *l); /* assign.c */
int lk_pass_symbols(lk_link *l);   /* symtab.c */
int lk_pass_write(lk_link *l);     /* output.c */
int lk_pass_build_id(lk_link *l);  /* build_id.c */
int lk_pass_commit(lk_link *l);    /* output.c: the file renamed into place */
/* The program headers as the layout made them (phdrs.c): their number
 * before addresses are assigned (it sizes the headers), then themselves. */
size_t lk_phdr_count(const lk_link *l);
size_t lk_program_headers(const lk_link *l, lk_phdr *ph);
/* A mapfile's RESERVE_SEGMENTs (mapfile_apply_match.c): how many, and
 * their program headers (PT_LOAD, no access, no file bytes) written to
 * ph, their count returned. */
size_t lk_reserve_count(const lk_link *l);
size_t lk_reserve_phdrs(const lk_link *l, lk_phdr *ph);
/* A program header's p_paddr: a mapfile's PADDR for its segment's
 * PT_LOAD, else p_vaddr. */
uint64_t lk_phdr_paddr(const lk_link *l, const lk_phdr *ph);
/* The image's malloc'd tables freed and an open output removed. */
void lk_image_free(lk_link *l);

#endif
