/* keel map's shared state: tools/map.c (PDB files, ELF files by their
 * sections and symbols, the command line) and tools/map_addrmap.c (ELF
 * files with keel's address map, .keel.addrmap). */
#ifndef KEEL_TOOLS_MAP_H
#define KEEL_TOOLS_MAP_H

#include <stdbool.h>
#include <stdint.h>

#include <keel/map.h>

#include "json.h"
#include "out.h"

typedef struct elf_sym {
    uint64_t value, size;
    uint32_t shndx;
    int rank;       /* GLOBAL 2 > WEAK 1 > LOCAL 0: the name a reader expects at an address */
    uint64_t index; /* in the symbol table: among equals the first wins, as in eu-addr2line */
    const char *name;
} elf_sym;

typedef struct map_run {
    bool json, to_output, sections;
    out o;
    json j;
    int bad;
    bool pdb;     /* answered through r->map's PE section tables (a PDB file) */
    bool addrmap; /* an ELF file with .keel.addrmap: r->am */
    keel_map map;
    keel_addrmap am;
    keel_elf elf;
    elf_sym *syms;
    size_t nsyms;
} map_run;

/* map.c: the symbol naming addr in ELF section shndx (NULL: none); the
 * allocated section holding addr (0: none; *sh and *name filled). */
const elf_sym *map_elf_symbol(const map_run *r, uint64_t addr, uint32_t shndx);
uint32_t map_elf_section(const map_run *r, uint64_t addr, keel_shdr *sh, const char **name);
bool map_parse_addr(const char *s, bool *sect, uint16_t *section, uint64_t *value);
void map_range_piece(map_run *r, uint64_t s, uint64_t e, uint64_t ts, uint64_t te);

/* map_addrmap.c: read the file's .keel.addrmap into r->am (1: there is
 * one; 0: none; -1: a bad one, said on stderr), one address or input
 * place, and --ranges, through it. */
int map_addrmap_open(map_run *r, const char *file);
void map_addrmap_one(map_run *r, const char *text);
void map_addrmap_ranges(map_run *r, uint64_t start, uint64_t end);

#endif
