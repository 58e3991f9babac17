/* Lending a loaded batch's global symbols to the shared libraries the
 * process dlopens later (KEEL_NS_EXPORT), as a program linked with -E
 * lends its own: ld.so resolves a library's undefined names in its global
 * scope only, and loaded code is not in it.  So each batch gets a small
 * shared object of its own, written in memory (memfd_create, no file on
 * disk) and opened RTLD_GLOBAL through /proc/PID/fd/N, whose dynamic
 * symbols are the batch's globals at the addresses they were loaded at.
 *
 * The symbols are absolute (SHN_ABS): since glibc 2.28 ld.so does not add
 * the object's load base to an SHN_ABS symbol's value (SYMBOL_ADDRESS in
 * ldsodefs.h), which is what this file relies on; the alternative, values
 * relative to the base, is not available, because ld.so chooses the base
 * only when it maps the object, after it has been written.  The reliance
 * is checked on every export: dlsym of one exported name must give its
 * address, or the export is undone with an error (an older C library).
 *
 * What the object holds is what ld.so reads and readelf/eu-elflint check:
 * the ELF header, program headers (a read-only PT_LOAD with the tables, a
 * read-write one for .dynamic, which older ld.so relocate in place;
 * PT_DYNAMIC; PT_GNU_STACK, without which ld.so would make the stacks
 * executable), .hash (DT_HASH, which glibc accepts as well as
 * DT_GNU_HASH), .dynsym, .dynstr, .dynamic and the section headers. */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../diag.h"
#include "../elfdefs.h"
#include "internal.h"

/* The gABI's numbers this file alone writes (elfdefs.h has the shared ones). */
enum {
    EX_NPHDR = 4,
    EX_NSHDR = 6,
    EX_NDYN = 7,
};

/* ELF64 as written (the host's byte order: the object is for this process). */
typedef struct {
    uint8_t ident[16];
    uint16_t type, machine;
    uint32_t version;
    uint64_t entry, phoff, shoff;
    uint32_t flags;
    uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
} ex_ehdr;
typedef struct {
    uint32_t type, flags;
    uint64_t offset, vaddr, paddr, filesz, memsz, align;
} ex_phdr;
typedef struct {
    uint32_t name, type;
    uint64_t flags, addr, offset, size;
    uint32_t link, info;
    uint64_t addralign, entsize;
} ex_shdr;
typedef struct {
    uint32_t name;
    uint8_t info, other;
    uint16_t shndx;
    uint64_t value, size;
} ex_sym;
typedef struct {
    int64_t tag;
    uint64_t val;
} ex_dyn;

/* The start of <link.h>'s struct link_map, the public part that dlinfo's
 * RTLD_DI_LINKMAP gives (<link.h> itself brings <elf.h>, whose macros
 * clash with elfdefs.h's names): the load base first. */
typedef struct {
    uintptr_t l_addr;
    char *l_name;
} ex_link_map;

struct rl_export {
    void *handle;
    /* kept open while ld.so may hold the object: its path names it, and
     * a reused descriptor number would make a later dlopen of the same
     * path find this one; ino tells whether it is still ours (a program
     * may close descriptors it does not know) */
    int fd;
    ino_t ino;
    size_t live;      /* the batch's objects still loaded */
    uintptr_t dynsym; /* where ld.so mapped .dynsym, for retiring */
    size_t nsyms;
    const keel_object **owner; /* per .dynsym entry, the object defining it */
    char path[48];             /* the path it was opened by, ld.so's name for it (a forked child's too) */
};

static const char shstrtab[] = "\0.hash\0.dynsym\0.dynstr\0.dynamic\0.shstrtab";
enum { SH_HASH = 1, SH_DYNSYM = 7, SH_DYNSTR = 15, SH_DYNAMIC = 23, SH_SHSTRTAB = 32 };

/* What of the batch is lent: its global and weak definitions that a
 * library could bind to.  Not hidden or internal ones (they stay in the
 * batch, as in a linked program's dynamic table); not thread-local ones
 * (a TLS symbol is an offset in its module's block, and this object has
 * no TLS segment: ld.so would give the offset in a block of its own; a
 * library using one gets ld.so's "undefined symbol" instead of a wrong
 * address); not one at address 0 (ld.so skips such definitions).  No
 * name is lent twice by a tree of namespaces: a batch's table never holds
 * a name the tree defines already (load.c's define keeps the first, as
 * ld.so's scope does).  Separate trees may each lend one; ld.so then
 * finds the one opened first. */
static bool lent(const sym_entry *d, bool pending_only)
{
    return d->name && (!pending_only || d->object->lend_pending) && d->visibility != STV_HIDDEN &&
           d->visibility != STV_INTERNAL && d->type != STT_TLS && d->addr != 0 &&
           (d->bind == STB_GLOBAL || d->bind == STB_WEAK);
}

/* The SysV ELF hash (DT_HASH): the gABI's loop (h = (h << 4) + c; g =
 * h & 0xf0000000; h ^= g >> 24; h &= ~g) with g's two uses folded, since
 * g >> 24 is (h >> 24) & 0xf0 and the xor leaves the top nibble alone
 * (every lent name is hashed). */
static uint32_t elf_hash(const char *s)
{
    uint32_t h = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        h = (h << 4) + *p;
        h = (h ^ ((h >> 24) & 0xf0)) & 0x0fffffffu;
    }
    return h;
}

static size_t align_up(size_t v, size_t a) { return (v + a - 1) & ~(a - 1); }

/* Lay the object out and write it into one buffer: 0 or the error. */
static int write_image(const ka_arch *arch, const sym_table *defs, bool pending_only, size_t n, size_t names,
                       const char *soname, uint8_t **out, size_t *size, size_t *sym_off, const keel_object **owner,
                       const char **first, uintptr_t *first_addr, keel_error *err)
{
    size_t nsyms = n + 1, nbucket = n / 2 + 1, page = (size_t)sysconf(_SC_PAGESIZE);
    size_t strsz = 1 + strlen(soname) + 1 + names;
    size_t off_hash = align_up(sizeof(ex_ehdr) + EX_NPHDR * sizeof(ex_phdr), 8);
    size_t off_sym = align_up(off_hash + 4 * (2 + nbucket + nsyms), 8);
    size_t off_str = off_sym + nsyms * sizeof(ex_sym);
    size_t end_ro = off_str + strsz;
    size_t off_dyn = align_up(end_ro, page);
    size_t off_shstr = off_dyn + EX_NDYN * sizeof(ex_dyn);
    size_t off_shdr = align_up(off_shstr + sizeof shstrtab, 8);
    size_t total = off_shdr + EX_NSHDR * sizeof(ex_shdr);
    uint8_t *img = calloc(1, total);
    if (!img)
        return keel_error_set(err, KEEL_E_NOMEM, 0, "export: out of memory (%U symbols)", (uint64_t)n);

    ex_ehdr *eh = (ex_ehdr *)img;
    memcpy(eh->ident, "\177ELF", 4);
    eh->ident[4] = arch->elfclass;
    eh->ident[5] = arch->byteorder;
    eh->ident[6] = 1; /* EV_CURRENT */
    eh->type = ET_DYN;
    eh->machine = arch->machine;
    eh->version = 1;
    eh->phoff = sizeof(ex_ehdr);
    eh->shoff = off_shdr;
    eh->ehsize = sizeof(ex_ehdr);
    eh->phentsize = sizeof(ex_phdr);
    eh->phnum = EX_NPHDR;
    eh->shentsize = sizeof(ex_shdr);
    eh->shnum = EX_NSHDR;
    eh->shstrndx = EX_NSHDR - 1;

    ex_phdr *ph = (ex_phdr *)(img + sizeof(ex_ehdr));
    size_t dynsz = EX_NDYN * sizeof(ex_dyn);
    ph[0] = (ex_phdr){PT_LOAD, PF_R, 0, 0, 0, end_ro, end_ro, page};
    ph[1] = (ex_phdr){PT_LOAD, PF_R | PF_W, off_dyn, off_dyn, off_dyn, dynsz, dynsz, page};
    ph[2] = (ex_phdr){PT_DYNAMIC, PF_R | PF_W, off_dyn, off_dyn, off_dyn, dynsz, dynsz, 8};
    ph[3] = (ex_phdr){PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16};

    /* .dynstr: "", the soname, then the names; .dynsym and .hash with them */
    char *str = (char *)img + off_str;
    size_t at = 1;
    size_t soname_at = at;
    memcpy(str + at, soname, strlen(soname) + 1);
    at += strlen(soname) + 1;
    uint32_t *hash = (uint32_t *)(img + off_hash);
    uint32_t *bucket = hash + 2, *chain = bucket + nbucket;
    hash[0] = (uint32_t)nbucket;
    hash[1] = (uint32_t)nsyms;
    ex_sym *sym = (ex_sym *)(img + off_sym);
    uint32_t k = 1;
    for (size_t i = 0; i < defs->cap; i++) {
        const sym_entry *d = &defs->v[i];
        if (!lent(d, pending_only))
            continue;
        size_t len = strlen(d->name) + 1;
        memcpy(str + at, d->name, len);
        uint8_t type = d->type == STT_COMMON || d->common ? STT_OBJECT : d->type;
        sym[k] = (ex_sym){(uint32_t)at, (uint8_t)(d->bind << 4 | type), STV_DEFAULT, SHN_ABS, d->addr, d->size};
        at += len;
        uint32_t b = elf_hash(d->name) % (uint32_t)nbucket;
        chain[k] = bucket[b];
        bucket[b] = k;
        owner[k] = d->object;
        if (!*first && d->bind == STB_GLOBAL) {
            *first = d->name;
            *first_addr = d->addr;
        }
        k++;
    }

    ex_dyn *dyn = (ex_dyn *)(img + off_dyn);
    dyn[0] = (ex_dyn){DT_SONAME, soname_at};
    dyn[1] = (ex_dyn){DT_HASH, off_hash};
    dyn[2] = (ex_dyn){DT_STRTAB, off_str};
    dyn[3] = (ex_dyn){DT_SYMTAB, off_sym};
    dyn[4] = (ex_dyn){DT_STRSZ, strsz};
    dyn[5] = (ex_dyn){DT_SYMENT, sizeof(ex_sym)};
    dyn[6] = (ex_dyn){DT_NULL, 0};

    memcpy(img + off_shstr, shstrtab, sizeof shstrtab);
    ex_shdr *sh = (ex_shdr *)(img + off_shdr);
    sh[1] = (ex_shdr){SH_HASH, SHT_HASH, SHF_ALLOC, off_hash, off_hash, 4 * (2 + nbucket + nsyms), 2, 0, 8, 4};
    sh[2] = (ex_shdr){SH_DYNSYM, SHT_DYNSYM, SHF_ALLOC, off_sym,       off_sym, nsyms * sizeof(ex_sym),
                      3,         1,          8,         sizeof(ex_sym)};
    sh[3] = (ex_shdr){SH_DYNSTR, SHT_STRTAB, SHF_ALLOC, off_str, off_str, strsz, 0, 0, 1, 0};
    sh[4] = (ex_shdr){SH_DYNAMIC, SHT_DYNAMIC, SHF_ALLOC | SHF_WRITE, off_dyn, off_dyn, dynsz, 3, 0, 8, sizeof(ex_dyn)};
    sh[5] = (ex_shdr){SH_SHSTRTAB, SHT_STRTAB, 0, 0, off_shstr, sizeof shstrtab, 0, 0, 1, 0};
    *out = img;
    *size = total;
    *sym_off = off_sym;
    return 0;
}

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int rl_export_batch(const sym_table *defs, bool pending_only, rl_export **out, keel_error *err)
{
    *out = NULL;
    const ka_arch *arch = ka_arch_host();
    size_t n = 0, names = 0;
    for (size_t i = 0; i < defs->cap; i++)
        if (lent(&defs->v[i], pending_only)) {
            n++;
            names += strlen(defs->v[i].name) + 1;
        }
    if (n == 0)
        return 0;
    /* The records above are ELF64's, in the host's order. */
    if (!arch || arch->elfclass != ELFCLASS64 || arch->byteorder != (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 1 : 2))
        return keel_error_set(err, KEEL_E_FORMAT, 0, "export: this host's ELF class is not written");
    if (n >= UINT32_MAX / 4 || names >= UINT32_MAX)
        return keel_error_set(err, KEEL_E_RANGE, 0, "export: too many symbols (%U)", (uint64_t)n);
    static uint64_t seq;
    char soname[48];
    snprintf(soname, sizeof soname, "keel-export-%llu.so",
             (unsigned long long)__atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
    uint8_t *img = NULL;
    size_t size = 0, sym_off = 0;
    const char *first = NULL;
    uintptr_t first_addr = 0;
    rl_export *e = calloc(1, sizeof *e);
    const keel_object **owner = calloc(n + 1, sizeof *owner);
    int fd = -1, rc = 0;
    void *h = NULL;
    if (!e || !owner) {
        rc = keel_error_set(err, KEEL_E_NOMEM, 0, "export: out of memory (%U symbols)", (uint64_t)n);
        goto fail;
    }
    rc = write_image(arch, defs, pending_only, n, names, soname, &img, &size, &sym_off, owner, &first, &first_addr,
                     err);
    if (rc)
        goto fail;
    fd = memfd_create(soname, MFD_CLOEXEC);
    if (fd < 0 || write_all(fd, img, size)) {
        rc = keel_error_set(err, KEEL_E_IO, 0, "export: %s: %s", soname, strerror(errno));
        goto fail;
    }
    /* a path ld.so knows already names an export object that is still
     * loaded, whose descriptor the program closed: then another number.
     * The process by its number, not /proc/self: ld.so's list gives the
     * path to debuggers, and gdb opening /proc/self/fd/N would open its
     * own descriptor N (a pipe of its own: it hung there for good) */
    char path[48];
    for (int tries = 0;; tries++) {
        snprintf(path, sizeof path, "/proc/%ld/fd/%d", (long)getpid(), fd);
        void *old = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
        if (!old)
            break;
        dlclose(old);
        int other = tries < 64 ? fcntl(fd, F_DUPFD_CLOEXEC, fd + 1) : -1;
        close(fd);
        fd = other;
        if (fd < 0) {
            rc = keel_error_set(err, KEEL_E_IO, 0, "export: %s: no descriptor whose path ld.so does not know", soname);
            goto fail;
        }
    }
    struct stat st;
    if (fstat(fd, &st))
        st.st_ino = 0;
    h = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
    if (!h) {
        const char *why = dlerror();
        rc = keel_error_set(err, KEEL_E_FORMAT, 0, "export: %s: %s", soname, why ? why : "dlopen failed");
        goto fail;
    }
    /* the C library must take SHN_ABS values as they are (glibc >= 2.28) */
    if (first && (uintptr_t)dlsym(h, first) != first_addr) {
        rc = keel_error_set(err, KEEL_E_FORMAT, 0,
                            "export: %s: the C library moves absolute symbols by the load base ('%s')", soname, first);
        goto fail;
    }
    /* our layout has addresses equal to file offsets: .dynsym is at the
     * load base plus its offset */
    const ex_link_map *map = NULL;
    if (dlinfo(h, RTLD_DI_LINKMAP, &map) || !map) {
        rc = keel_error_set(err, KEEL_E_FORMAT, 0, "export: %s: no link map", soname);
        goto fail;
    }
    free(img);
    *e = (rl_export){h, fd, st.st_ino, 0, map->l_addr + sym_off, n + 1, owner, {0}};
    memcpy(e->path, path, sizeof path);
    *out = e;
    return 0;
fail:
    if (h)
        dlclose(h);
    if (fd >= 0)
        close(fd);
    free(img);
    free(owner);
    free(e);
    return rc;
}

/* Take names out of ld.so's scope while ld.so keeps the object: those of
 * the object gone (NULL: all) become undefined, with value 0, which
 * lookups skip.  Written in this process's mapping, made writable (never
 * executable) for the while: ld.so mapped the object privately, so the
 * change is this process's alone (not a forked parent's or child's, as
 * a write to the memfd would be).  If mprotect fails, the names stay:
 * nothing more can be done. */
static void retire(const rl_export *e, const keel_object *gone)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t from = e->dynsym & ~(page - 1);
    size_t len = e->dynsym + e->nsyms * sizeof(ex_sym) - from;
    if (mprotect((void *)from, len, PROT_READ | PROT_WRITE))
        return;
    ex_sym *sym = (ex_sym *)e->dynsym;
    for (size_t i = 1; i < e->nsyms; i++)
        if (!gone || e->owner[i] == gone) {
            sym[i].shndx = SHN_UNDEF;
            sym[i].value = sym[i].size = 0;
        }
    mprotect((void *)from, len, PROT_READ);
}

void rl_export_release(keel_object *o)
{
    if (o->lend_pending) { /* never lent: nothing to take back */
        o->lend_pending = false;
        __atomic_sub_fetch(&o->ns->lend_pending, 1, __ATOMIC_RELAXED);
        __atomic_sub_fetch(&rl_lend_waiting, 1, __ATOMIC_RELEASE);
    }
    rl_export *e = o->export;
    o->export = NULL;
    if (!e)
        return;
    /* one object of the batch: its names go, the others' stay */
    if (--e->live) {
        retire(e, o);
        return;
    }
    /* ld.so keeps the object while a library bound to one of its symbols
     * is loaded, and for good once the program itself has (a dlsym of the
     * global scope): then its names are retired, so that a later load
     * lends them anew, and its descriptor's number stays taken (see
     * rl_export's fd) */
    dlclose(e->handle);
    void *still = dlopen(e->path, RTLD_NOW | RTLD_NOLOAD);
    struct stat st;
    bool ours = fstat(e->fd, &st) == 0 && st.st_ino == e->ino;
    if (still) {
        retire(e, NULL);
        dlclose(still);
    } else if (ours) {
        close(e->fd);
    }
    free(e->owner);
    free(e);
}

void rl_export_own(rl_export *e, keel_object *o)
{
    if (!e)
        return;
    e->live++;
    o->export = e;
}

size_t rl_lend_waiting;

/* A committed object of a lazily lending namespace: its names wait. */
void rl_export_defer(keel_object *o)
{
    o->lend_pending = true;
    __atomic_add_fetch(&o->ns->lend_pending, 1, __ATOMIC_RELAXED);
    __atomic_add_fetch(&rl_lend_waiting, 1, __ATOMIC_RELEASE);
}

/* Lend the namespace's waiting objects (the tree's lock held for
 * writing): one export object for all of them, from the namespace's
 * table, whose entries of theirs are exactly what each batch's table held
 * that a load lends (a name the tree defined before stays the first
 * one's).  A batch lent so shares its export object with the others lent
 * at the same call; each object owns a share, as in a batch.  It cannot
 * fail the load, long done: a failure is said on stderr, and the names
 * are not lent (no retry at every dlopen). */
void rl_export_pending(keel_ns *ns)
{
    if (!__atomic_load_n(&ns->lend_pending, __ATOMIC_RELAXED))
        return;
    rl_export *e = NULL;
    keel_error err = {0};
    int rc = rl_export_batch(&ns->syms, true, &e, &err);
    if (rc) { /* the process-wide diagnostics callback (keel run prints it) */
        char msg[sizeof err.msg + 32];
        snprintf(msg, sizeof msg, "%s (names not lent to dlopen)", err.msg);
        kd_emit(NULL, NULL, KEEL_DIAG_ERROR, msg);
    }
    for (keel_object *o = ns->first; o; o = o->next)
        if (o->lend_pending) {
            if (!rc)
                rl_export_own(e, o);
            o->lend_pending = false;
            __atomic_sub_fetch(&ns->lend_pending, 1, __ATOMIC_RELAXED);
            __atomic_sub_fetch(&rl_lend_waiting, 1, __ATOMIC_RELEASE);
        }
}
