/* Applying one relocation of a loaded object: the one place where the
 * loader computes and writes a relocated field.  A load applies every
 * relocation through it (load.c); re-pointing a relocation later (a live
 * swap, keel_section_repoint) applies one again through it, with another
 * address for its symbol and the bytes written through the text's
 * writable alias (text.c).
 *
 * What serves a symbol in the object's own tables (a GOT slot, a call stub
 * and the GOT slot it jumps through, a tls_index, a TLS descriptor) is
 * given out here, once per symbol, from the room the load measured, and
 * recorded in the object's slot table (keel_object_slots), which lives as
 * long as the object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { STT_SECTION = 3 };

const char *rl_reloc_target_name(const keel_object *o, const keel_symtab *symtab, uint64_t symi)
{
    keel_sym sym;
    const char *sn = "";
    const keel_elf *elf = &o->elf;
    if (keel_symtab_get(symtab, symi, &sym, NULL) || keel_symtab_name(symtab, &sym, &sn, NULL))
        return "?";
    if (KEEL_ST_TYPE(sym.info) == STT_SECTION && sym.shndx < elf->shnum) {
        keel_shdr ssh;
        if (!keel_elf_shdr(elf, sym.shndx, &ssh, NULL))
            keel_elf_section_name(elf, &ssh, &sn, NULL);
    }
    return sn;
}

/* "name:(.text+0x12): " and the message */
static int fail_at(const rl_reloc_env *env, uint64_t off, int code, const char *fmt, const char *a1, const char *a2)
{
    char msg[2 * sizeof env->err->msg];
    keel_error e;
    keel_error_set(&e, code, off, fmt, a1, a2);
    snprintf(msg, sizeof msg, "%s:(%s+0x%llx): %s", env->obj->name, env->sec->elf_name, (unsigned long long)off, e.msg);
    return keel_error_set(env->err, code, off, "%s", msg);
}

static bool is_tls(const keel_section *s) { return s && (s->type == KEEL_SEC_TLS_DATA || s->type == KEEL_SEC_TLS_BSS); }

/* The symbol's entry of the slot table, made when its first slot is given
 * out.  The survey sized the table for the symbols given GOT or TLS slots;
 * a stub (a call out of reach, rare) may grow it (malloc: this runs in the
 * load's worker threads, each on its own objects).  NULL when there is
 * none and no room (a re-point), or no memory. */
static keel_slot *slot_of(const rl_reloc_env *env, rl_resolution *res, const keel_rel *r)
{
    keel_object *o = env->obj;
    if (!res->slot) {
        if (!env->room)
            return NULL;
        if (o->nslots == o->slots_cap) {
            uint32_t cap = o->slots_cap ? 2 * o->slots_cap : 4;
            keel_slot *v = realloc(o->slots, cap * sizeof *v);
            if (!v)
                return NULL;
            o->slots = v;
            o->slots_cap = cap;
        }
        res->slot = ++o->nslots;
        o->slots[res->slot - 1] = (keel_slot){.symbol = rl_reloc_target_name(o, env->symtab, r->sym)};
    }
    return &o->slots[res->slot - 1];
}

/* n GOT words from the room, or 0 when there is none (a re-point: the
 * slot would have to exist already). */
static uintptr_t take_got(const rl_reloc_env *env, uint64_t words)
{
    rl_slot_room *room = env->room;
    if (!room || room->got_end - room->got_next < words * 8)
        return 0;
    uintptr_t at = room->got_next;
    room->got_next += words * 8;
    return at;
}

static int no_room(const rl_reloc_env *env, const keel_rel *r, const ka_howto *h, const char *what)
{
    if (env->room) /* a load measures its room: only the table can fail to grow */
        return fail_at(env, r->offset, KEEL_E_NOMEM, "%s: out of memory", h->name, 0);
    return fail_at(env, r->offset, KEEL_E_UNSUPPORTED, "%s: no %s was made for it at load", h->name, what);
}

/* T for a TLS relocation: a tls_index (general and local dynamic), a
 * descriptor (TLSDESC), or the offset in the module's block (DTPOFF). */
static int tls_value(const rl_reloc_env *env, const keel_rel *r, const ka_howto *h, rl_resolution *res, ka_reloc_in *in)
{
    keel_object *o = env->obj, *owner = is_tls(res->section) ? res->section->parent : NULL;
    bool local_dynamic = h->needs & KA_NEED_TLS_LD;
    if (local_dynamic)
        owner = o;
    if (!owner || !owner->tls_module)
        return fail_at(env, r->offset, KEEL_E_UNSUPPORTED,
                       "%s against '%s': not a thread-local variable of a loaded object (loaded code cannot use "
                       "the host's thread-local variables directly)",
                       h->name, rl_reloc_target_name(o, env->symtab, r->sym));
    uint64_t offset = local_dynamic ? 0 : res->addr - owner->tls_image;
    if (h->needs & KA_NEED_TLS_DTPOFF) {
        in->T = offset;
        return 0;
    }
    if (local_dynamic) { /* one tls_index {module, 0} for the whole object */
        if (!o->tls_ld) {
            uint64_t *slot = (uint64_t *)take_got(env, 2);
            if (!slot)
                return no_room(env, r, h, "tls_index");
            slot[0] = o->tls_module;
            slot[1] = 0;
            o->tls_ld = (uintptr_t)slot;
        }
        in->T = o->tls_ld;
        return 0;
    }
    keel_slot *s = slot_of(env, res, r);
    if (!s)
        return no_room(env, r, h, "TLS slot");
    if (h->needs & KA_NEED_TLSDESC) {
        if (!s->tlsdesc) {
            uint64_t *slot = (uint64_t *)take_got(env, 4);
            if (!slot)
                return no_room(env, r, h, "TLS descriptor");
            slot[0] = (uintptr_t)ka_host_tlsdesc_resolve;
            slot[1] = (uintptr_t)&slot[2]; /* its argument: the tls_index after it */
            slot[2] = owner->tls_module;
            slot[3] = offset;
            s->tlsdesc = (uintptr_t)slot;
        }
        in->T = s->tlsdesc;
    } else {
        if (!s->tls_index) {
            uint64_t *slot = (uint64_t *)take_got(env, 2);
            if (!slot)
                return no_room(env, r, h, "tls_index");
            slot[0] = owner->tls_module;
            slot[1] = offset;
            s->tls_index = (uintptr_t)slot;
        }
        in->T = s->tls_index;
    }
    return 0;
}

/* The one function; inlined into the batch's loop below. */
static inline __attribute__((always_inline)) int apply(rl_reloc_env *env, const ka_arch *arch, const keel_section *t,
                                                       uintptr_t delta, const keel_rel *r, rl_resolution *res)
{
    keel_object *o = env->obj;
    const ka_howto *h = arch->howto(r->type);
    if (!h) {
        char tname[48];
        const char *known = keel_reloc_type_name(arch->machine, r->type);
        if (known)
            snprintf(tname, sizeof tname, "%s", known);
        else
            snprintf(tname, sizeof tname, "%u", r->type);
        return fail_at(env, r->offset, KEEL_E_UNSUPPORTED, "relocation type %s is not supported by the loader", tname,
                       0);
    }
    if (h->formula == KA_F_NONE || h->formula == KA_F_MARKER)
        return 0;
    if (h->needs & (KA_NEED_TLS_IE | KA_NEED_TLS_LE))
        return fail_at(env, r->offset, KEEL_E_UNSUPPORTED,
                       "%s: initial- and local-exec thread-local storage needs a place in the static TLS "
                       "area, which loaded code cannot have: compile with -fPIC (general dynamic)",
                       h->name, 0);
    if (r->offset > t->size || t->size - r->offset < h->size)
        return fail_at(env, r->offset, KEEL_E_RANGE, "%s: the place is outside the section", h->name, 0);
    if (!res)
        return fail_at(env, r->offset, KEEL_E_INDEX, "%s: symbol index out of range", h->name, 0);
    if (res->discarded || (!res->defined && r->sym)) {
        /* references from unwind tables to a dropped COMDAT copy are
         * dead: the kept copy has its own */
        if (res->discarded && (t->type == KEEL_SEC_EH_FRAME || t->type == KEEL_SEC_GCC_EXCEPT_TABLE))
            return 0;
        return fail_at(env, r->offset, KEEL_E_INDEX,
                       res->discarded ? "reference to '%s' in a discarded section" : "undefined reference to '%s'",
                       rl_reloc_target_name(o, env->symtab, r->sym), 0);
    }
    ka_reloc_in in = {.S = res->addr, .A = r->addend, .P = t->addr + r->offset, .Z = res->size, .GOT = env->got};
    if (h->formula == KA_F_SIZE && !res->section && res->addr && !rl_host_symbol_size(res->addr, &in.Z))
        return fail_at(env, r->offset, KEEL_E_UNSUPPORTED, "%s against '%s': the host does not say the symbol's size",
                       h->name, rl_reloc_target_name(o, env->symtab, r->sym));
    if (h->needs & (KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC | KA_NEED_TLS_DTPOFF) &&
        tls_value(env, r, h, res, &in))
        return env->err->code;
    if (h->needs & KA_NEED_GOT) {
        keel_slot *s = slot_of(env, res, r);
        if (s && !s->got && (s->got = take_got(env, 1)))
            *(uint64_t *)s->got = res->addr;
        if (!s || !s->got)
            return no_room(env, r, h, "GOT slot");
        /* a re-point must not leave the reference on the old address */
        if (!env->room && *(uint64_t *)s->got != res->addr)
            return fail_at(env, r->offset, KEEL_E_UNSUPPORTED,
                           "%s: it reads the address of '%s' from a GOT slot, which a re-point does not rewrite",
                           h->name, s->symbol);
        in.G = s->got;
    }
    in.L = in.S;
    if (h->needs & KA_NEED_PLT) {
        int64_t d = (int64_t)(in.S + (uint64_t)in.A - in.P);
        if (d < -(int64_t)arch->pc32_reach || d > (int64_t)arch->pc32_reach) {
            /* out of reach: through a stub and its GOT slot */
            keel_slot *s = slot_of(env, res, r);
            rl_slot_room *room = env->room;
            if (s && !s->stub && room && room->stub_next < room->stub_end) {
                s->stub = room->stub_next;
                s->stub_got = room->stub_got_next;
                room->stub_next += arch->stub_size;
                room->stub_got_next += 8;
                *(uint64_t *)s->stub_got = res->addr;
                arch->write_stub((uint8_t *)s->stub, s->stub, s->stub_got);
            }
            if (!s || !s->stub || *(uint64_t *)s->stub_got != res->addr)
                return fail_at(env, r->offset, KEEL_E_RANGE,
                               "%s against '%s': the target is out of reach and no call stub leads to it", h->name,
                               rl_reloc_target_name(o, env->symtab, r->sym));
            in.L = s->stub;
        }
    }
    uint64_t value;
    if (ka_reloc_apply(arch, h, &in, (uint8_t *)(in.P + delta), false, &value)) {
        char why[200];
        bool low = h->formula == KA_F_ABS && h->size < sizeof(uintptr_t);
        snprintf(why, sizeof why, "relocation %s against '%s' out of range (value 0x%llx)%s", h->name,
                 rl_reloc_target_name(o, env->symtab, r->sym), (unsigned long long)value,
                 low ? "" : "; the target is beyond 2 GiB: compile with -fPIC");
        return fail_at(env, r->offset, KEEL_E_RANGE, "%s", why, 0);
    }
    return 0;
}

int rl_reloc_one(rl_reloc_env *env, const keel_rel *r, rl_resolution *res)
{
    return apply(env, env->obj->arch, env->sec, (uintptr_t)env->delta, r, res);
}

int rl_reloc_section(rl_reloc_env *env, const keel_relocs *rs, rl_resolution *res, uint64_t nsyms)
{
    /* what the loop reads on every relocation, in registers */
    const ka_arch *arch = env->obj->arch;
    const keel_section *t = env->sec;
    uintptr_t delta = (uintptr_t)env->delta;
    bool native = rl_rels_native(rs);
    for (uint64_t k = 0; k < rs->count; k++) {
        keel_rel r;
        rl_rel_get(rs, native, k, &r);
        /* NULL: the symbol index is out of range, said where it matters */
        if (apply(env, arch, t, delta, &r, r.sym < nsyms ? &res[r.sym] : NULL))
            return env->err->code;
    }
    return 0;
}
