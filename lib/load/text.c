/* Rewriting loaded code with no page writable and executable at any
 * moment.
 *
 * Text is loaded into anonymous memory (huge pages for a big batch) and
 * made read+execute.  The first patch of an object moves its text region
 * into a memfd: the bytes are copied into the memfd through a read+write
 * mapping (the alias, placed anywhere), then the memfd is mapped
 * read+execute over the region's own address with MAP_FIXED, which swaps
 * the pages in one step: the region is read+execute before and after and
 * never writable, the alias never executable.  Later patches write through
 * the alias.  Only patched objects pay for it (a copy of their text, and
 * small pages from then on): a load stays as it was.
 *
 * The alias is a shared mapping: a child forked after the first patch
 * would share the text with its parent, and see the parent's later
 * patches; text_fork.c gives the child a copy of its own. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "internal.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: executable memfds may be refused without it */
#endif

static int fail(keel_error *err, const keel_object *o, const char *what)
{
    return keel_error_set(err, KEEL_E_IO, 0, "%s: cannot make its code writable elsewhere (%s): %s", o->name, what,
                          strerror(errno));
}

int rl_text_alias(keel_object *o, uintptr_t *alias, keel_error *err)
{
    if (o->text_alias) {
        *alias = o->text_alias;
        return 0;
    }
    size_t size = o->region_size[0];
    if (!size)
        return keel_error_set(err, KEEL_E_FORMAT, 0, "%s: has no code to rewrite", o->name);
    rl_text_fork_guard(); /* a forked child gets code of its own */
    int fd = memfd_create("keel-text", MFD_CLOEXEC | MFD_EXEC);
    if (fd < 0 && errno == EINVAL) /* a kernel before MFD_EXEC */
        fd = memfd_create("keel-text", MFD_CLOEXEC);
    if (fd < 0)
        return fail(err, o, "memfd_create");
    if (ftruncate(fd, (off_t)size)) {
        close(fd);
        return fail(err, o, "ftruncate");
    }
    void *w = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (w == MAP_FAILED) {
        close(fd);
        return fail(err, o, "mmap");
    }
#ifdef MADV_POPULATE_WRITE
    madvise(w, size, MADV_POPULATE_WRITE); /* one call, not a fault per page */
#endif
    memcpy(w, (const void *)o->region[0], size);
    void *x = mmap((void *)o->region[0], size, PROT_READ | PROT_EXEC, MAP_SHARED | MAP_FIXED, fd, 0);
    close(fd);
    if (x == MAP_FAILED) {
        munmap(w, size);
        return fail(err, o, "mmap over the code");
    }
    o->text_alias = (uintptr_t)w;
    *alias = o->text_alias;
    return 0;
}

void rl_text_alias_free(keel_object *o)
{
    if (o->text_alias)
        munmap((void *)o->text_alias, o->region_size[0]);
    o->text_alias = 0;
}

/* The bytes are written through the alias; the instruction cache of the
 * place (where the code runs) is made to see them. */
static void written(uintptr_t at, size_t n) { __builtin___clear_cache((char *)at, (char *)at + n); }

int keel_text_write(const keel_object *obj, void *addr, const void *bytes, size_t n, keel_error *err)
{
    keel_object *o = (keel_object *)obj; /* its alias is the loader's business */
    uintptr_t at = (uintptr_t)addr, alias;
    rl_write_lock(o->ns);
    int rc = 0;
    if (at < o->region[0] || at - o->region[0] > o->region_size[0] || n > o->region_size[0] - (at - o->region[0]))
        rc = keel_error_set(err, KEEL_E_RANGE, 0, "%s: %X..%X is outside its code (%X, %U bytes)", o->name,
                            (uint64_t)at, (uint64_t)at + n, (uint64_t)o->region[0], (uint64_t)o->region_size[0]);
    else if (!(rc = rl_text_alias(o, &alias, err))) {
        memcpy((void *)(alias + (at - o->region[0])), bytes, n);
        written(at, n);
    }
    rl_unlock(o->ns);
    return rc;
}

/* The relocation of s at offset, found in its relocation section. */
static int find_reloc(const keel_section *s, uint64_t offset, keel_rel *out, keel_symtab *symtab, keel_error *err)
{
    const keel_object *o = s->parent;
    keel_relocs rs;
    keel_error e;
    if (!s->rela || keel_elf_relocs(&o->elf, s->rela, &rs, &e) || keel_elf_symtab(&o->elf, rs.symtab, symtab, &e))
        return keel_error_set(err, KEEL_E_INDEX, offset, "%s:(%s+%X): no relocation there", o->name, s->elf_name,
                              offset);
    for (uint64_t k = 0; k < rs.count; k++) {
        keel_relocs_get(&rs, k, out);
        if (out->offset == offset)
            return 0;
    }
    return keel_error_set(err, KEEL_E_INDEX, offset, "%s:(%s+%X): no relocation there", o->name, s->elf_name, offset);
}

int keel_section_repoint(const keel_section *sec, uint64_t offset, const void *target, keel_error *err)
{
    keel_section *s = (keel_section *)sec;
    keel_object *o = s->parent;
    keel_rel r;
    keel_symtab symtab;
    rl_write_lock(o->ns);
    int rc = find_reloc(s, offset, &r, &symtab, err);
    const ka_howto *h = rc ? NULL : o->arch->howto(r.type);
    if (!rc && h &&
        (h->formula == KA_F_SIZE || (h->needs & (KA_NEED_TLS_GD | KA_NEED_TLS_LD | KA_NEED_TLSDESC |
                                                 KA_NEED_TLS_DTPOFF | KA_NEED_TLS_IE | KA_NEED_TLS_LE))))
        rc = keel_error_set(err, KEEL_E_UNSUPPORTED, offset,
                            "%s:(%s+%X): %s: its value is not the address of its symbol, which is all a re-point "
                            "changes",
                            o->name, s->elf_name, offset, h->name);
    /* where the bytes are written: the text's alias, or the section
     * itself when it is writable */
    intptr_t delta = 0;
    uintptr_t alias;
    bool text = s->addr >= o->region[0] && s->addr - o->region[0] < o->region_size[0];
    if (!rc && !text && !s->writable)
        rc = keel_error_set(err, KEEL_E_UNSUPPORTED, offset, "%s:(%s+%X): the section is read-only data", o->name,
                            s->elf_name, offset);
    if (!rc && text && !(rc = rl_text_alias(o, &alias, err)))
        delta = (intptr_t)(alias - o->region[0]);
    if (!rc) {
        /* the symbol now resolves to target; its slots are those of its load */
        rl_resolution res = {.addr = (uintptr_t)target, .defined = true};
        const char *name = rl_reloc_target_name(o, &symtab, r.sym);
        for (uint32_t i = 0; i < o->nslots; i++)
            if (o->slots[i].symbol && strcmp(o->slots[i].symbol, name) == 0)
                res.slot = i + 1;
        rl_reloc_env env = {.obj = o, .symtab = &symtab, .sec = s, .delta = delta, .got = 0, .err = err};
        if (h && h->needs & KA_NEED_GOTBASE)
            rc = keel_error_set(err, KEEL_E_UNSUPPORTED, offset, "%s:(%s+%X): %s: relative to the GOT", o->name,
                                s->elf_name, offset, h->name);
        else if (!(rc = rl_reloc_one(&env, &r, r.sym < symtab.count ? &res : NULL)) && text)
            written(s->addr + offset, h ? h->size : 0);
    }
    rl_unlock(o->ns);
    return rc;
}
