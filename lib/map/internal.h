/* Private helpers of the address maps: little-endian loads (PDB and OMAP
 * data are little-endian whatever the host) and the reader's checked
 * arithmetic.  Freestanding: only compiler builtins. */
#ifndef KEEL_MAP_INTERNAL_H
#define KEEL_MAP_INTERNAL_H

#include <keel/map.h>

#include "../elf/internal.h"

static inline uint32_t km_u32(const uint8_t *p) { return kl_u32(p, false); }
static inline uint16_t km_u16(const uint8_t *p) { return kl_u16(p, false); }

/* sections.c: a section's RVA, and the section holding an RVA
 * (keel_map_result values). */
int km_section_rva(const keel_map_sections *s, uint32_t number, uint32_t offset, uint32_t *rva);
int km_rva_section(const keel_map_sections *s, uint32_t rva, uint16_t *number, uint32_t *offset);

/* map.c: the end of an OMAP table whose sources are RVAs of the space
 * that table `s` describes. */
uint64_t km_omap_end(const keel_map_sections *s, const void *data, size_t size);

/* msf.c: the container alone (keel_pdb_open adds the DBI stream). */
int km_msf_open(keel_pdb *p, const void *data, size_t size, keel_error *err);

#endif
