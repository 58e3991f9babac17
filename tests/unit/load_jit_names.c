/* GDB's JIT list as the loader keeps it (lib/load/jit_names.c), without
 * gdb: with KEEL_GDB_JIT=1, loading OBJ registers one entry (the action
 * JIT_REGISTER_FN, __jit_debug_register_code called), whose symbol file
 * is OBJ's bytes with each loaded section's sh_addr set to where it was
 * placed (checked against keel_section_addr for every loaded section);
 * unloading takes it back (JIT_UNREGISTER_FN, the list empty again).
 * Prints "ok N sections" or the first difference; exit 0 or 1. */
#include <keel/load.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct jit_code_entry {
    struct jit_code_entry *next_entry, *prev_entry;
    const char *symfile_addr;
    uint64_t symfile_size;
};
struct jit_descriptor {
    uint32_t version, action_flag;
    struct jit_code_entry *relevant_entry, *first_entry;
};
extern struct jit_descriptor __jit_debug_descriptor; /* (the loader's, hidden: same link) */

static int fail(const char *what)
{
    printf("FAIL %s\n", what);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: load_jit_names OBJ\n");
        return 2;
    }
    setenv("KEEL_GDB_JIT", "1", 1);
    keel_error err = {0};
    keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
    keel_object *obj = NULL;
    if (!ns || keel_load_file(ns, argv[1], &obj, &err)) {
        printf("FAIL load: %s\n", err.msg);
        return 1;
    }
    struct jit_descriptor *d = &__jit_debug_descriptor;
    struct jit_code_entry *e = d->first_entry;
    if (d->version != 1 || d->action_flag != 1 || !e || d->relevant_entry != e || e->next_entry)
        return fail("one entry registered, JIT_REGISTER_FN");
    /* the file's bytes, its section headers' sh_addr rewritten */
    FILE *f = fopen(argv[1], "rb");
    char *orig = malloc(e->symfile_size + 1);
    if (!f || !orig || fread(orig, 1, e->symfile_size + 1, f) != e->symfile_size)
        return fail("the symbol file has the object's size");
    fclose(f);
    const unsigned char *c = (const unsigned char *)e->symfile_addr;
    uint64_t shoff;
    uint16_t shentsize, shnum, shstrndx;
    memcpy(&shoff, c + 0x28, 8);
    memcpy(&shentsize, c + 0x3a, 2);
    memcpy(&shnum, c + 0x3c, 2);
    memcpy(&shstrndx, c + 0x3e, 2);
    uint64_t strs;
    memcpy(&strs, c + shoff + (uint64_t)shstrndx * shentsize + 24, 8);
    const keel_section *const *secs;
    size_t n = keel_object_sections(obj, &secs), checked = 0;
    for (uint16_t i = 1; i < shnum; i++) {
        const unsigned char *h = c + shoff + (uint64_t)i * shentsize;
        uint32_t name;
        uint64_t addr;
        memcpy(&name, h, 4);
        memcpy(&addr, h + 16, 8);
        /* every other byte as in the file */
        if (memcmp(h, orig + (h - c), 16) || memcmp(h + 24, orig + (h - c) + 24, shentsize - 24))
            return fail("a section header changed beyond sh_addr");
        const char *sname = (const char *)c + strs + name;
        for (size_t k = 0; k < n; k++) {
            const char *kname = keel_section_name(secs[k]);
            /* (keel names .text.foo foo: match the ELF name by suffix) */
            size_t kl = strlen(kname), sl = strlen(sname);
            if ((strcmp(kname, sname) == 0 ||
                 (sl > kl && strcmp(sname + sl - kl, kname) == 0 && sname[sl - kl - 1] == '.')) &&
                keel_section_addr(secs[k]) == addr)
                checked++;
        }
    }
    if (memcmp(c, orig, shoff) != 0)
        return fail("the bytes before the section headers changed");
    if (checked < n)
        return fail("a loaded section's sh_addr is not its address");
    if (keel_unload(ns, obj, false, &err)) {
        printf("FAIL unload: %s\n", err.msg);
        return 1;
    }
    if (d->first_entry || d->action_flag != 2 || d->relevant_entry != e)
        return fail("unloading takes the entry back (JIT_UNREGISTER_FN)");
    printf("ok %zu sections\n", checked);
    keel_ns_destroy(ns);
    free(orig);
    return 0;
}
