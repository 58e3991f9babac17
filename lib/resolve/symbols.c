/* Symbol precedence, one rule for the loader and the link-editor: GNU
 * ld's (bfd/linker.c, the link_action table; elflink.c for commons). */
#include <stdio.h>

#include "../elfdefs.h"
#include "resolve.h"

kr_kind kr_sym_kind(const keel_sym *sym)
{
    bool weak = KEEL_ST_BIND(sym->info) == STB_WEAK;
    if (sym->shndx == SHN_UNDEF)
        return weak ? KR_UNDEF_WEAK : KR_UNDEF;
    if (sym->raw_shndx == SHN_COMMON)
        return KR_COMMON;
    return weak ? KR_WEAK : KR_DEFINED; /* STB_GLOBAL and STB_GNU_UNIQUE alike */
}

kr_verdict kr_resolve(kr_def *have, kr_kind kind, uint64_t size, uint64_t align)
{
    switch (kind) {
    case KR_UNDEF:
        if (have->kind == KR_UNDEF_WEAK)
            have->kind = KR_UNDEF;
        return KR_KEEP;
    case KR_UNDEF_WEAK: return KR_KEEP;
    case KR_SHARED:
        if (have->kind >= KR_SHARED)
            return KR_KEEP;
        break;
    case KR_COMMON:
        if (have->kind == KR_COMMON) { /* the larger size, the larger alignment */
            if (align > have->align)
                have->align = align;
            if (size <= have->size)
                return KR_KEEP;
            have->size = size;
            return KR_TAKE;
        }
        if (have->kind == KR_DEFINED)
            return KR_KEEP;
        break; /* a common beats a weak definition */
    case KR_WEAK:
        if (have->kind >= KR_COMMON)
            return KR_KEEP;
        break;
    case KR_DEFINED:
        if (have->kind == KR_DEFINED)
            return KR_CONFLICT;
        break;
    }
    *have = (kr_def){kind, size, align};
    return KR_TAKE;
}

void kr_place(char *buf, size_t size, const char *file, const char *section, uint64_t offset)
{
    snprintf(buf, size, "%s:(%s+0x%llx)", file, section, (unsigned long long)offset);
}
