/* What the runtime loader asks of a target beyond its relocations: the
 * section type its psABI gives unwind tables (x86-64: SHT_X86_64_UNWIND,
 * which some assemblers give .eh_frame).  Pure data, freestanding. */
#include "arch.h"

uint32_t ka_unwind_section_type(const ka_arch *arch)
{
    /* a second target adds its own case */
    return arch && arch->machine == ka_arch_x86_64.machine ? 0x70000001u : 0;
}
