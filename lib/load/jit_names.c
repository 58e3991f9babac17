/* Loaded code named for the tools people use (docs/loader.md, "Naming
 * loaded code"):
 *
 * - perf: keel_perf_map_open starts perf's JIT map, /tmp/perf-PID.map, a
 *   line per function of every object loaded after ("START SIZE name", hex),
 *   which `perf report` reads for addresses in anonymous memory.  Lines are
 *   only ever added: after a swap or an unload the retired code keeps its
 *   name (perf takes the last line that covers an address).
 *
 * - gdb: GDB's JIT interface (gdb/doc "JIT Interface"): the process
 *   defines __jit_debug_descriptor, a list of in-memory symbol files, and
 *   __jit_debug_register_code, on which gdb keeps a breakpoint and rereads
 *   the list's changed entry.  Each object is handed over as its own file
 *   (a copy of the relocatable object, ET_REL) with each loaded section's
 *   sh_addr set to where it was placed: gdb (through BFD) places an ET_REL
 *   file's sections at their sh_addr, so its symbols, its .eh_frame (for
 *   backtraces through code without frame pointers) and its DWARF (file
 *   and line; gdb applies the relocations of a relocatable file's debug
 *   sections itself) all come at the right addresses.  The smallest ELF
 *   with only the symbols would lose the unwind tables and the lines, and
 *   cost a symbol table to build; the copy costs the object's size, so it
 *   is made only while a debugger traces the process (TracerPid in
 *   /proc/self/status, read once: `gdb prog` and `gdb -p` before the loads)
 *   or when KEEL_GDB_JIT=1 asks; KEEL_GDB_JIT=0 never.  An unloaded
 *   object's entry is taken back (JIT_UNREGISTER_FN). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../elfdefs.h"
#include "internal.h"
#include "jit_names.h"

/* ------------------------------------------------------------ GDB's ABI */

typedef enum { JIT_NOACTION = 0, JIT_REGISTER_FN, JIT_UNREGISTER_FN } jit_actions_t;

struct jit_code_entry {
    struct jit_code_entry *next_entry;
    struct jit_code_entry *prev_entry;
    const char *symfile_addr;
    uint64_t symfile_size;
};

struct jit_descriptor {
    uint32_t version;
    uint32_t action_flag; /* jit_actions_t */
    struct jit_code_entry *relevant_entry;
    struct jit_code_entry *first_entry;
};

/* The names gdb looks for in the program's symbol table (.symtab: hidden
 * like every internal name, so libkeel.so exports nothing more).  gdb's
 * breakpoint is on the function: never inlined, and its volatile store
 * keeps each call from being optimised out (no assembly in lib/load). */
static volatile unsigned jit_calls;
void __jit_debug_register_code(void) __attribute__((noinline, used));
void __jit_debug_register_code(void) { jit_calls = jit_calls + 1; }
extern struct jit_descriptor __jit_debug_descriptor;
__attribute__((used)) struct jit_descriptor __jit_debug_descriptor = {1, 0, NULL, NULL};

struct rl_jit {
    struct jit_code_entry entry;
    uint8_t *copy;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *perf_map;
static int gdb_mode = -1; /* -1 not yet decided, 0 off, 1 on */

/* ------------------------------------------------------------ perf */

int keel_perf_map_open(const char *path, keel_error *err)
{
    char def[64];
    if (!path) {
        snprintf(def, sizeof def, "/tmp/perf-%ld.map", (long)getpid());
        path = def;
    }
    FILE *f = fopen(path, "a");
    if (!f)
        return keel_error_set(err, KEEL_E_IO, 0, "%s: cannot open the perf map: %m", path);
    setvbuf(f, NULL, _IOFBF, 1 << 16);
    pthread_mutex_lock(&lock);
    if (perf_map)
        fclose(perf_map);
    perf_map = f;
    pthread_mutex_unlock(&lock);
    return 0;
}

/* Each function the object defines in a loaded section: a line. */
static void perf_lines(const keel_object *o)
{
    keel_symtab tab;
    uint32_t symsec = 0;
    for (uint32_t i = 1; i < o->elf.shnum && !symsec; i++) {
        keel_shdr sh;
        if (!keel_elf_shdr(&o->elf, i, &sh, NULL) && sh.type == SHT_SYMTAB)
            symsec = i;
    }
    if (!symsec || keel_elf_symtab(&o->elf, symsec, &tab, NULL))
        return;
    for (uint64_t k = 1; k < tab.count; k++) {
        keel_sym s;
        const char *name;
        if (keel_symtab_get(&tab, k, &s, NULL) || KEEL_ST_TYPE(s.info) != STT_FUNC || !s.shndx ||
            s.shndx >= o->elf.shnum || !o->by_index[s.shndx] || !o->by_index[s.shndx]->executable ||
            keel_symtab_name(&tab, &s, &name, NULL) || !*name)
            continue;
        const keel_section *sec = o->by_index[s.shndx];
        if (s.value > sec->size)
            continue;
        uint64_t size = s.size ? s.size : sec->size - s.value; /* (an assembler's function without .size) */
        fprintf(perf_map, "%lx %lx %s\n", (unsigned long)(sec->addr + s.value), (unsigned long)size, name);
    }
}

/* ------------------------------------------------------------ gdb */

/* Whether a debugger traces this process (TracerPid), unless
 * KEEL_GDB_JIT says. */
static int decide_gdb(void)
{
    const char *env = getenv("KEEL_GDB_JIT");
    if (env && *env)
        return strcmp(env, "0") != 0;
    int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    const char *t = strstr(buf, "TracerPid:");
    return t && strtol(t + 10, NULL, 10) != 0;
}

/* The object's file, its loaded sections' sh_addr set to their places. */
static struct rl_jit *symfile(const keel_object *o)
{
    const keel_elf *e = &o->elf;
    uint64_t shoff = e->shoff, n = e->shnum, ent = e->shentsize;
    if (e->elfclass != 2 || e->byteorder != 1 || ent < 64 || shoff > e->size || n > (e->size - shoff) / ent)
        return NULL; /* (the loader read these already: ELF64, little-endian) */
    struct rl_jit *j = calloc(1, sizeof *j);
    uint8_t *copy = j ? malloc(e->size) : NULL;
    if (!copy) {
        free(j);
        return NULL;
    }
    memcpy(copy, e->data, e->size);
    for (uint64_t i = 1; i < n && i < o->elf.shnum; i++) {
        uint64_t addr = o->by_index[i] ? (uint64_t)o->by_index[i]->addr : 0;
        memcpy(copy + shoff + i * ent + 16, &addr, 8); /* sh_addr */
    }
    j->copy = copy;
    j->entry.symfile_addr = (const char *)copy;
    j->entry.symfile_size = e->size;
    return j;
}

static void gdb_register(keel_object *o)
{
    struct rl_jit *j = symfile(o);
    if (!j)
        return;
    o->jit = j;
    struct jit_descriptor *d = &__jit_debug_descriptor;
    j->entry.next_entry = d->first_entry;
    if (d->first_entry)
        d->first_entry->prev_entry = &j->entry;
    d->first_entry = &j->entry;
    d->relevant_entry = &j->entry;
    d->action_flag = JIT_REGISTER_FN;
    __jit_debug_register_code();
}

/* ------------------------------------------------------------ hooks */

void rl_jit_names_loaded(keel_object *o)
{
    if (__atomic_load_n(&gdb_mode, __ATOMIC_RELAXED) == 0 && !__atomic_load_n(&perf_map, __ATOMIC_RELAXED))
        return; /* the common case: nobody asked, no lock */
    pthread_mutex_lock(&lock);
    if (gdb_mode < 0)
        gdb_mode = decide_gdb();
    if (perf_map) {
        perf_lines(o);
        fflush(perf_map); /* perf reads it after the process is gone, or while it runs */
    }
    if (gdb_mode)
        gdb_register(o);
    pthread_mutex_unlock(&lock);
}

void rl_jit_names_unloaded(keel_object *o)
{
    struct rl_jit *j = o->jit;
    if (!j)
        return;
    pthread_mutex_lock(&lock);
    struct jit_descriptor *d = &__jit_debug_descriptor;
    if (j->entry.prev_entry)
        j->entry.prev_entry->next_entry = j->entry.next_entry;
    else
        d->first_entry = j->entry.next_entry;
    if (j->entry.next_entry)
        j->entry.next_entry->prev_entry = j->entry.prev_entry;
    d->relevant_entry = &j->entry;
    d->action_flag = JIT_UNREGISTER_FN;
    __jit_debug_register_code();
    pthread_mutex_unlock(&lock);
    o->jit = NULL;
    free(j->copy);
    free(j);
}
