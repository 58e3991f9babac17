/* Section classes and init/fini priorities, by GNU ld's default linker
 * script (`ld --verbose`): the link-editor places sections by them, the
 * loader runs constructors by them, and a program run by `keel run` runs
 * its constructors in the order the linked program does. */
#include <limits.h>
#include <string.h>

#include "../elfdefs.h"
#include "resolve.h"

/* `name` is `base` or `base.something` */
static bool named(const char *name, const char *base)
{
    size_t n = strlen(base);
    return strncmp(name, base, n) == 0 && (name[n] == 0 || name[n] == '.');
}

int kr_legacy_array(const char *name)
{
    if (name[0] != '.' || (name[1] != 'c' && name[1] != 'd'))
        return 0; /* (most names: asked of every input section, more than once) */
    return named(name, ".ctors") ? 1 : named(name, ".dtors") ? 2 : 0;
}

kr_class kr_section_class(const char *name, uint32_t type, uint64_t flags)
{
    if (!(flags & SHF_ALLOC))
        return KR_SEC_OTHER;
    if (flags & SHF_TLS)
        return type == SHT_NOBITS ? KR_SEC_TBSS : KR_SEC_TDATA;
    if (flags & SHF_EXECINSTR)
        return KR_SEC_TEXT;
    if (type == SHT_X86_64_UNWIND || strcmp(name, ".eh_frame") == 0)
        return KR_SEC_EH_FRAME;
    if (strncmp(name, ".gcc_except_table", 17) == 0)
        return KR_SEC_GCC_EXCEPT;
    /* by type, or by the names the default script sends to the arrays */
    if (type == SHT_PREINIT_ARRAY || named(name, ".preinit_array"))
        return KR_SEC_PREINIT_ARRAY;
    int legacy = kr_legacy_array(name);
    if (type == SHT_INIT_ARRAY || legacy == 1 || named(name, ".init_array"))
        return KR_SEC_INIT_ARRAY;
    if (type == SHT_FINI_ARRAY || legacy == 2 || named(name, ".fini_array"))
        return KR_SEC_FINI_ARRAY;
    if (type == SHT_NOTE)
        return KR_SEC_NOTE;
    if (type == SHT_NOBITS)
        return KR_SEC_BSS;
    return flags & SHF_WRITE ? KR_SEC_DATA : KR_SEC_RODATA;
}

uint32_t kr_init_priority(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot[1] < '0' || dot[1] > '9')
        return KR_PRIORITY_NONE;
    uint64_t prio = 0;
    const char *p = dot + 1;
    for (; *p >= '0' && *p <= '9'; p++)
        if (prio <= INT_MAX)
            prio = prio * 10 + (uint64_t)(*p - '0');
    if (*p)
        return KR_PRIORITY_NONE; /* ".init_array.1x" names no priority */
    /* .ctors.N runs where .init_array.(65535-N) would (only ".ctors.N":
     * ld's get_init_priority looks at the dot after ".ctors") */
    if (dot == name + 6 && kr_legacy_array(name))
        prio = prio <= 65535 ? 65535 - prio : (uint64_t)INT_MAX;
    return prio <= INT_MAX ? (uint32_t)prio : (uint32_t)INT_MAX;
}
