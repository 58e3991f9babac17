/* A mapfile's CAPABILITY, mapped to what Linux reads: the x86-64 ISA
 * level a program needs, GNU_PROPERTY_X86_ISA_1_NEEDED in
 * .note.gnu.property, which glibc checks against the CPU before the
 * program runs.  The Solaris hardware capability names (HW, HW_1, HW_2)
 * are mapped to the level that first has them (x86-64 psABI: baseline,
 * v2, v3, v4); the property gets the bit of the highest level named, as
 * GNU ld's -z x86-64-vN sets it:
 *   = replaces what the inputs need (as Solaris overrides the objects'),
 *   += adds to it, -= removes those levels.
 * Refused, with why: capability names with no level (AES, TSCP...), the
 * AV_386 bit masks (HW_1 = 0x...), software capabilities (SF, SF_1),
 * MACHINE and PLATFORM, and named capability groups (symbol
 * capabilities): Linux has no meaning for them. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "mapfile.h"

enum { ISA_1_NEEDED = 0xc0008002u }; /* GNU_PROPERTY_X86_ISA_1_NEEDED */

/* The x86-64 ISA level (its bit: 1 baseline, 2 v2, 4 v3, 8 v4) of a
 * Solaris x86 hardware capability name; 0 if it is in no level. */
static uint32_t level_of(const char *name)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {
        {"FPU", 1},      {"TSC", 1},       {"CX8", 1},    {"SEP", 1},     {"AMD_SYSC", 1}, {"CMOV", 1},
        {"MMX", 1},      {"FXSR", 1},      {"SSE", 1},    {"SSE2", 1},    {"PAUSE", 1},    {"SSE3", 2},
        {"CX16", 2},     {"AHF", 2},       {"POPCNT", 2}, {"SSSE3", 2},   {"SSE4.1", 2},   {"SSE4.2", 2},
        {"AVX", 4},      {"AVX2", 4},      {"BMI1", 4},   {"BMI2", 4},    {"F16C", 4},     {"FMA", 4},
        {"MOVBE", 4},    {"AMD_LZCNT", 4}, {"XSAVE", 4},  {"AVX512F", 8}, {"AVX512BW", 8}, {"AVX512CD", 8},
        {"AVX512DQ", 8}, {"AVX512VL", 8},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].name) == 0)
            return names[i].bit;
    return 0;
}

static int fail(lk_link *l, const mf_directive *d, uint32_t line, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return lk_fail(l, KEEL_E_FORMAT, "%s: line %u: %s", d->file, line, msg);
}

int lk_apply_capability(lk_link *l, const mf_directive *d)
{
    if (d->name)
        return fail(l, d, d->line,
                    "CAPABILITY %s: capability groups (symbol capabilities) have no Linux meaning; an unnamed "
                    "CAPABILITY { HW ... } sets the x86-64 ISA level needed",
                    d->name);
    for (size_t i = 0; i < d->nattrs; i++) {
        const mf_attr *a = &d->attrs[i];
        if (a->key != MF_K_HW && a->key != MF_K_HW_1 && a->key != MF_K_HW_2)
            return fail(l, d, a->line,
                        "CAPABILITY %s: no Linux meaning (keel maps the hardware capabilities HW, HW_1, HW_2 to "
                        "the x86-64 ISA level needed)",
                        mf_key_name(a->key));
        uint32_t bit = 0;
        for (size_t k = 0; k < a->nv; k++) {
            if (a->v[k].kind == MF_V_INT)
                return fail(l, d, a->line,
                            "CAPABILITY %s = %#llx: Solaris AV_386 bit masks have no Linux meaning; name the "
                            "capabilities",
                            mf_key_name(a->key), (unsigned long long)a->v[k].num);
            uint32_t b = level_of(a->v[k].str);
            if (!b)
                return fail(l, d, a->line, "CAPABILITY %s: %s is in no x86-64 ISA level, which is what Linux checks",
                            mf_key_name(a->key), a->v[k].str);
            if (b > bit)
                bit = b;
        }
        uint32_t levels = bit | (bit - 1); /* for -=: that level and those below */
        if (a->op == MF_SET)
            l->isa_set = true, l->isa_value = bit, l->isa_add = l->isa_sub = 0;
        else if (a->op == MF_ADD)
            l->isa_value |= bit, l->isa_add |= bit, l->isa_sub &= ~bit;
        else
            l->isa_value &= ~levels, l->isa_sub |= levels, l->isa_add &= ~levels;
        l->isa_edit = true;
    }
    return 0;
}

void lk_capability_props(lk_link *l)
{
    if (!l->isa_edit)
        return;
    size_t at = 0;
    while (at < l->nprops && l->props[at].type < ISA_1_NEEDED)
        at++;
    bool have = at < l->nprops && l->props[at].type == ISA_1_NEEDED;
    uint64_t v = l->isa_set ? l->isa_value : ((have ? l->props[at].value : 0) | l->isa_add) & ~(uint64_t)l->isa_sub;
    if (have && v)
        l->props[at].value = v;
    else if (have) { /* no bit left: no property */
        memmove(l->props + at, l->props + at + 1, (l->nprops - at - 1) * sizeof l->props[0]);
        l->nprops--;
    } else if (v && l->nprops < LK_MAX_PROPS) {
        memmove(l->props + at + 1, l->props + at, (l->nprops - at) * sizeof l->props[0]);
        l->props[at].type = ISA_1_NEEDED, l->props[at].size = 4, l->props[at].value = v;
        l->nprops++;
    }
}
