/* keel exec FILE ARGS: the user-space exec client.  It does in-process
 * what the kernel's execve does for an ELF program: map the program (and,
 * for a dynamic one, its interpreter) as the interpreter directs, build a
 * fresh stack holding argv, envp and the auxiliary vector, and jump to the
 * entry point.  The program then runs as if exec'd.
 *
 * Everything that can fail happens before the point of no return, and a
 * failure unmaps what was mapped: the caller's process is left as it was. */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#if __has_include(<sys/rseq.h>)
#include <sys/rseq.h>
#endif

#include "exec_clients.h"
#include "mapped_file.h"

extern char **environ;

/* One mapped ELF file: the program or its interpreter. */
typedef struct image {
    int fd; /* first: the handle is also exec_pread's */
    const char *path;
    const char *program; /* an interpreter: the program naming it */
    bool nosuid;         /* run a set-user-ID program without its rights */
    keel_exec_info info;
    uint64_t page;
    uint64_t lo, hi;           /* the reserved range, page-aligned */
    uint64_t gap_hi;           /* a PIE program: [hi, gap_hi) held for its brk heap */
    uint64_t code_lo, code_hi; /* for /proc/PID/stat's start_code... */
    uint64_t data_lo, data_hi;
    char msg[256]; /* a client (mapping) error */
} image;

/* Where a PIE program goes (with up to 128 GiB of randomness), and the room
 * kept free after it for its brk heap until the jump. */
#define PIE_HINT 0x200000000000ull
#define BRK_ROOM (1ull << 30)

static uint64_t page_down(const image *im, uint64_t a) { return a & ~(im->page - 1); }
static uint64_t page_up(const image *im, uint64_t a) { return (a + im->page - 1) & ~(im->page - 1); }

static int map_error(image *im, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(im->msg, sizeof im->msg, fmt, ap);
    va_end(ap);
    return 1; /* a client error: keel_exec_load passes it back unchanged */
}

static int ignore_piece(void *h, uint64_t fo, uint64_t fs, uint64_t ma, uint64_t ms, unsigned t)
{
    (void)h, (void)fo, (void)fs, (void)ma, (void)ms, (void)t;
    return 0;
}

/* Pass 2's callback: map one PT_LOAD where the interpreter says. */
static int map_piece(void *handle, uint64_t file_ofs, uint64_t file_size, uint64_t mem_addr, uint64_t mem_size,
                     unsigned type)
{
    image *im = handle;
    int prot = (int)(type & KEEL_EXEC_PROT_MASK);
    if (!(type & KEEL_EXEC_ALLOC))
        return 0; /* the TLS template: libc finds it through AT_PHDR */
    if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
        return map_error(im, "segment at 0x%llx is writable and executable; keel never maps such pages",
                         (unsigned long long)mem_addr);
    uint64_t start = page_down(im, mem_addr), file_end = mem_addr + file_size, mem_end = mem_addr + mem_size;
    uint64_t mapped_end = start;
    if (file_size) {
        mapped_end = page_up(im, file_end);
        /* The kernel zeroes the rest of the last file page when the segment
         * has bss; the page must be writable for that, but never W+X. */
        bool zero_tail = mem_size > file_size && file_end % im->page;
        bool copy = (file_ofs - mem_addr) % im->page != 0;
        int first = zero_tail || copy ? (prot | PROT_WRITE) & ~PROT_EXEC : prot;
        void *p = copy ? mmap((void *)start, mapped_end - start, first, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0)
                       : mmap((void *)start, mapped_end - start, first, MAP_PRIVATE | MAP_FIXED, im->fd,
                              (off_t)(file_ofs - (mem_addr - start)));
        if (p == MAP_FAILED)
            return map_error(im, "cannot map segment at 0x%llx: %s", (unsigned long long)mem_addr, strerror(errno));
        if (copy) {
            /* The file offset is not congruent with the address modulo the
             * page size, so the file cannot be mapped there: copy it. */
            size_t got = 0;
            int rc = exec_pread(&im->fd, file_ofs, (void *)mem_addr, file_size, &got);
            if (rc || got != file_size)
                return map_error(im, "cannot read segment at file offset 0x%llx", (unsigned long long)file_ofs);
        }
        if (zero_tail)
            memset((void *)file_end, 0, mapped_end - file_end);
        if (first != prot && mprotect((void *)start, mapped_end - start, prot))
            return map_error(im, "cannot protect segment at 0x%llx: %s", (unsigned long long)mem_addr, strerror(errno));
    }
    if (page_up(im, mem_end) > mapped_end && mmap((void *)mapped_end, page_up(im, mem_end) - mapped_end, prot,
                                                  MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED)
        return map_error(im, "cannot map bss at 0x%llx: %s", (unsigned long long)mapped_end, strerror(errno));
    if ((prot & PROT_EXEC) && !im->code_hi) {
        im->code_lo = mem_addr;
        im->code_hi = mem_end;
    }
    if (prot & PROT_WRITE) {
        im->data_lo = im->data_lo ? im->data_lo : mem_addr;
        im->data_hi = file_end;
    }
    return 0;
}

static int load_failed(image *im, int rc)
{
    if (im->msg[0])
        fprintf(stderr, "keel: %s: %s\n", im->path, im->msg);
    else
        exec_report(im->path, rc, &im->info);
    return 1;
}

/* Record the extent (pass 1), reserve the range, map (pass 2). */
static int load_image(image *im, bool is_interp)
{
    const uint16_t machines[] = {EM_HOST};
    keel_exec_options opt = {.machines = machines, .machine_count = 1};
    int rc;
    im->page = (uint64_t)sysconf(_SC_PAGESIZE);
    /* execve's checks (EACCES): a regular file (never blocking on a FIFO)
     * the caller may execute.  The interpreter is only read, as the kernel
     * reads it. */
    struct stat st;
    const char *why;
    im->fd = open_regular(im->path, &st, &why);
    if (im->fd < 0) {
        int e = errno;
        if (im->program)
            fprintf(stderr, "keel: %s: its interpreter %s: %s%s\n", im->program, im->path,
                    im->fd == -1 ? "cannot open: " : "", why);
        else
            fprintf(stderr, "keel: %s: %s%s\n", im->path, im->fd == -1 ? "cannot open: " : "", why);
        return e == ENOENT ? 127 : 126;
    }
    if (!is_interp && faccessat(AT_FDCWD, im->path, X_OK, AT_EACCESS)) {
        fprintf(stderr, "keel: %s: cannot execute: %s\n", im->path, strerror(errno));
        return 126;
    }
    char setid[128];
    if (!is_interp && !im->nosuid && exec_setid_refusal(im->fd, &st, setid, sizeof setid)) {
        fprintf(stderr,
                "keel: %s: %s: keel exec runs a program with your own rights, never the file's; "
                "--nosuid runs it without them\n",
                im->path, setid);
        return 126;
    }
    if ((rc = keel_exec_load(exec_pread, ignore_piece, &im->fd, &opt, &im->info)))
        return load_failed(im, rc);
    if (im->info.format != 1) {
        fprintf(stderr, "keel: %s: only ELF programs can run in this process\n", im->path);
        return 1;
    }
    if (is_interp && im->info.interp[0]) {
        fprintf(stderr, "keel: %s: the interpreter itself asks for an interpreter (%s)\n", im->path, im->info.interp);
        return 1;
    }
    if (im->info.has_stack_flags && (im->info.stack_flags & PF_X)) {
        fprintf(stderr,
                "keel: %s: asks for an executable stack (PT_GNU_STACK); keel never maps writable and "
                "executable pages\n",
                im->path);
        return 1;
    }
    uint64_t lo = page_down(im, im->info.image_start), size = page_up(im, im->info.image_end) - lo;
    uint64_t align = im->info.max_align > im->page ? im->info.max_align : im->page;
    void *at;
    if (im->info.type == ET_DYN) {
        /* The kernel puts a PIE program far below the shared libraries with
         * room after it for the brk heap; keel asks for such a place too (a
         * hint, randomised) and holds the heap's room until the jump.  The
         * interpreter goes wherever mmap puts it. */
        uint64_t gap = is_interp ? 0 : BRK_ROOM, hint = 0;
        uint16_t r = 0;
        if (!is_interp && getrandom(&r, sizeof r, 0) == (ssize_t)sizeof r)
            hint = PIE_HINT + ((uint64_t)r << 21);
        uint64_t want = size + align - im->page + gap;
        at = mmap((void *)hint, want, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (at == MAP_FAILED) {
            fprintf(stderr, "keel: %s: cannot reserve 0x%llx bytes: %s\n", im->path, (unsigned long long)size,
                    strerror(errno));
            return 1;
        }
        uint64_t base = ((uint64_t)at + align - 1) & ~(align - 1), end = (uint64_t)at + want;
        if (base > (uint64_t)at)
            munmap(at, base - (uint64_t)at);
        if (end > base + size + gap)
            munmap((void *)(base + size + gap), end - (base + size + gap));
        opt.load_bias = base - lo;
        im->lo = base;
        im->gap_hi = base + size + gap;
    } else {
        at = mmap((void *)lo, size, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1,
                  0);
        if (at == MAP_FAILED || (uint64_t)at != lo) {
            if (at != MAP_FAILED)
                munmap(at, size);
            fprintf(stderr, "keel: %s: its addresses 0x%llx-0x%llx are taken in this process\n", im->path,
                    (unsigned long long)lo, (unsigned long long)(lo + size));
            return 1;
        }
        im->lo = lo;
    }
    im->hi = im->lo + size;
    if ((rc = keel_exec_load(exec_pread, map_piece, im, &opt, &im->info)))
        return load_failed(im, rc);
    return 0;
}

static void unload_image(image *im)
{
    if (im->hi)
        munmap((void *)im->lo, (im->gap_hi > im->hi ? im->gap_hi : im->hi) - im->lo);
    if (im->fd >= 0)
        close(im->fd);
}

/* ------------------------------------------------------------ the stack */

typedef struct stack {
    char *base; /* the mapping, guard page included */
    size_t size;
    char *top; /* strings are pushed down from here */
} stack;

static char *push_bytes(stack *s, const void *p, size_t n)
{
    s->top -= n;
    memcpy(s->top, p, n);
    return s->top;
}

static char *push_string(stack *s, const char *str) { return push_bytes(s, str, strlen(str) + 1); }

static size_t stack_size(void)
{
    struct rlimit rl;
    /* The kernel grows the main stack up to RLIMIT_STACK; a mapping of that
     * size costs only address space until it is touched. */
    if (getrlimit(RLIMIT_STACK, &rl) || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (512u << 20))
        return 8u << 20;
    return rl.rlim_cur < (256u << 10) ? 256u << 10 : (size_t)rl.rlim_cur;
}

/* The kernel's auxiliary vector as it gave it to keel.  getauxval() is not
 * that: glibc rewrites AT_HWCAP on x86-64 (to HWCAP_X86_64), and a program
 * must see the kernel's CPUID bits. */
static uint64_t kernel_auxv[2 * 64];
static size_t kernel_auxv_words;

static void read_kernel_auxv(void)
{
    int fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t n = read(fd, kernel_auxv, sizeof kernel_auxv);
    close(fd);
    kernel_auxv_words = n > 0 ? (size_t)n / 8 & ~(size_t)1 : 0;
}

/* Inherited auxv entries: those the kernel gives every process alike. */
static size_t inherit_aux(uint64_t *v, size_t n, unsigned long type)
{
    if (kernel_auxv_words) {
        for (size_t i = 0; i + 1 < kernel_auxv_words && kernel_auxv[i] != AT_NULL; i += 2)
            if (kernel_auxv[i] == type) {
                v[n] = type;
                v[n + 1] = kernel_auxv[i + 1];
                return n + 2;
            }
        return n;
    }
    errno = 0; /* no /proc: glibc's copy is the next best */
    unsigned long val = getauxval(type);
    if (val == 0 && errno == ENOENT)
        return n;
    v[n] = type;
    v[n + 1] = val;
    return n + 2;
}

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif
#ifndef AT_RSEQ_FEATURE_SIZE
#define AT_RSEQ_FEATURE_SIZE 27
#define AT_RSEQ_ALIGN 28
#endif
#ifndef AT_HWCAP3
#define AT_HWCAP3 29
#define AT_HWCAP4 30
#endif

typedef struct frame {
    void *sp; /* where argc is */
    uint64_t arg_lo, arg_hi, env_lo, env_hi;
    uint64_t *auxv;
    size_t auxv_bytes;
} frame;

/* Lay out the process start frame the x86-64 and generic ELF ABIs define:
 * argc, argv[], NULL, envp[], NULL, auxv pairs, AT_NULL; strings above. */
static int build_stack(stack *s, frame *f, const image *prog, const image *interp, const char *execfn, int argc,
                       char **argv, const char *argv0)
{
    size_t envc = 0;
    while (environ && environ[envc])
        envc++;
    s->size = stack_size();
    s->base = mmap(NULL, s->size + (size_t)prog->page, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
    if (s->base == MAP_FAILED) {
        fprintf(stderr, "keel: cannot map a stack of %zu bytes: %s\n", s->size, strerror(errno));
        return 1;
    }
    mprotect(s->base, (size_t)prog->page, PROT_NONE); /* guard page */
    s->top = s->base + s->size + prog->page - 8;      /* a zero word ends the strings, as the kernel leaves it */

    /* Everything the strings need must fit well inside the stack. */
    size_t need = strlen(execfn) + 1 + 4096;
    for (int i = 0; i < argc; i++)
        need += strlen(argv[i]) + 1 + 8;
    for (size_t i = 0; i < envc; i++)
        need += strlen(environ[i]) + 1 + 8;
    if (need > s->size / 4) {
        fprintf(stderr, "keel: the arguments and environment (%zu bytes) do not fit on the stack\n", need);
        munmap(s->base, s->size + prog->page);
        return 1;
    }
    char *fn = push_string(s, execfn);
    char **strs = malloc((argc + envc + 1) * sizeof *strs);
    if (!strs) {
        munmap(s->base, s->size + prog->page);
        return 1;
    }
    f->env_hi = (uint64_t)s->top;
    for (size_t i = envc; i-- > 0;)
        strs[argc + i] = push_string(s, environ[i]);
    f->env_lo = (uint64_t)s->top;
    f->arg_hi = (uint64_t)s->top;
    for (int i = argc; i-- > 0;)
        strs[i] = push_string(s, i == 0 && argv0 ? argv0 : argv[i]);
    f->arg_lo = (uint64_t)s->top;
    const char *platform = (const char *)getauxval(AT_PLATFORM);
    char *plat = platform ? push_string(s, platform) : NULL;
    unsigned char rnd[16];
    if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
        for (size_t i = 0; i < sizeof rnd; i++)
            rnd[i] = (unsigned char)random();
    s->top = (char *)((uintptr_t)s->top & ~(uintptr_t)15);
    char *random_bytes = push_bytes(s, rnd, sizeof rnd);

    uint64_t aux[64];
    size_t n = 0;
    read_kernel_auxv();
    n = inherit_aux(aux, n, AT_SYSINFO_EHDR);
    n = inherit_aux(aux, n, AT_MINSIGSTKSZ);
    n = inherit_aux(aux, n, AT_HWCAP);
#define AUX(t, v) (aux[n++] = (t), aux[n++] = (uint64_t)(v))
    AUX(AT_PAGESZ, prog->page);
    n = inherit_aux(aux, n, AT_CLKTCK);
    AUX(AT_PHDR, prog->info.phdr_addr);
    AUX(AT_PHENT, prog->info.phentsize);
    AUX(AT_PHNUM, prog->info.phnum);
    AUX(AT_BASE, interp ? interp->info.load_bias : 0);
    AUX(AT_FLAGS, 0);
    AUX(AT_ENTRY, prog->info.entry);
    AUX(AT_UID, getuid());
    AUX(AT_EUID, geteuid());
    AUX(AT_GID, getgid());
    AUX(AT_EGID, getegid());
    if (exec_caps_secure(prog->fd))
        AUX(AT_SECURE, 1);
    else
        n = inherit_aux(aux, n, AT_SECURE);
    AUX(AT_RANDOM, random_bytes);
    n = inherit_aux(aux, n, AT_HWCAP2);
    n = inherit_aux(aux, n, AT_HWCAP3);
    n = inherit_aux(aux, n, AT_HWCAP4);
    AUX(AT_EXECFN, fn);
    if (plat)
        AUX(AT_PLATFORM, plat);
    n = inherit_aux(aux, n, AT_RSEQ_FEATURE_SIZE);
    n = inherit_aux(aux, n, AT_RSEQ_ALIGN);
    AUX(AT_NULL, 0);
#undef AUX

    size_t words = 1 + (size_t)argc + 1 + envc + 1 + n;
    uint64_t *sp = (uint64_t *)(((uintptr_t)s->top - words * 8) & ~(uintptr_t)15);
    size_t w = 0;
    sp[w++] = (uint64_t)argc;
    for (int i = 0; i < argc; i++)
        sp[w++] = (uint64_t)strs[i];
    sp[w++] = 0;
    for (size_t i = 0; i < envc; i++)
        sp[w++] = (uint64_t)strs[argc + i];
    sp[w++] = 0;
    f->auxv = sp + w;
    f->auxv_bytes = n * 8;
    memcpy(sp + w, aux, n * 8);
    free(strs);
    f->sp = sp;
    return 0;
}

/* ------------------------------------------------ past the point of no return */

/* What execve resets: caught signals go back to their defaults (ignored
 * ones stay ignored), and the alternate signal stack is gone. */
static void reset_signals(void)
{
    stack_t off = {.ss_flags = SS_DISABLE};
    sigaltstack(&off, NULL);
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler != SIG_DFL && sa.sa_handler != SIG_IGN) {
            sa.sa_handler = SIG_DFL;
            sa.sa_flags = 0;
            sigaction(sig, &sa, NULL);
        }
    }
}

/* glibc registered this thread's rseq area; the new program's libc wants
 * to register its own, which the kernel allows only once. */
static void unregister_rseq(void)
{
#if __has_include(<sys/rseq.h>) && defined(SYS_rseq) && defined(RSEQ_SIG)
    if (__rseq_size == 0)
        return;
    void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
    /* glibc registers its 32-byte area; newer ones the feature size */
    if (syscall(SYS_rseq, area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) != 0)
        syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
#endif
}

/* Make /proc/PID/{cmdline,environ,auxv,stat} and the brk heap describe the
 * new program, as after an execve.  Best effort: kernels without
 * CONFIG_CHECKPOINT_RESTORE refuse, and the program runs all the same. */
static void describe_process(const image *prog, const frame *f, const char *path, int fd)
{
#ifdef PR_SET_MM_MAP
    uint64_t brk = page_up(prog, prog->info.image_end);
    struct prctl_mm_map map = {
        .start_code = prog->code_lo,
        .end_code = prog->code_hi,
        .start_data = prog->data_lo ? prog->data_lo : prog->code_hi,
        .end_data = prog->data_hi > prog->data_lo ? prog->data_hi : prog->code_hi + 1,
        .start_brk = brk,
        .brk = brk,
        .start_stack = (uint64_t)f->sp,
        .arg_start = f->arg_lo,
        .arg_end = f->arg_hi,
        .env_start = f->env_lo,
        .env_end = f->env_hi,
        .auxv = (__u64 *)f->auxv,
        .auxv_size = (uint32_t)f->auxv_bytes,
        .exe_fd = (uint32_t)-1,
    };
    prctl(PR_SET_MM, PR_SET_MM_MAP, &map, sizeof map, 0);
    /* /proc/self/exe (ld.so's $ORIGIN) needs a capability; try. */
    prctl(PR_SET_MM, PR_SET_MM_EXE_FILE, fd, 0, 0);
#endif
    const char *base = strrchr(path, '/');
    prctl(PR_SET_NAME, base ? base + 1 : path, 0, 0, 0);
}

int exec_run(const char *path, const char *argv0, bool nosuid, int argc, char **argv)
{
    image prog = {.path = path, .fd = -1, .nosuid = nosuid}, interp = {.fd = -1};
    stack s = {0};
    frame f = {0};
    script_chain chain;
    if (!exec_jump_supported) {
        fprintf(stderr, "keel: %s: running a program in-process is not supported on this machine yet\n", path);
        return 1;
    }
    /* A #! script: its interpreter is the program, with the argv execve
     * gives it.  PATH stays the name of the exec (AT_EXECFN, the thread's
     * name), as in the kernel. */
    int status = exec_script(path, argc, argv, &chain);
    if (status)
        return status;
    if (chain.depth && argv0)
        fprintf(stderr,
                "keel: %s: --argv0 ignored: a #! script's interpreter gets its own path as argv[0], "
                "as from execve\n",
                path);
    prog.path = chain.file;
    if ((status = load_image(&prog, false)))
        goto fail;
    status = 126;
    if (prog.info.interp[0]) {
        interp.path = prog.info.interp;
        interp.program = prog.path;
        if ((status = load_image(&interp, true)))
            goto fail;
        status = 126;
    }
    if (!prog.info.phdr_addr) {
        fprintf(stderr, "keel: %s: the program headers are not in a loaded segment (no AT_PHDR to give)\n", path);
        goto fail;
    }
    if (build_stack(&s, &f, &prog, interp.path ? &interp : NULL, path, chain.argc, chain.argv,
                    chain.depth ? NULL : argv0))
        goto fail;

    /* The point of no return. */
    fflush(NULL);
    if (prog.gap_hi > prog.hi)
        munmap((void *)prog.hi, prog.gap_hi - prog.hi); /* the brk heap grows here */
    describe_process(&prog, &f, path, prog.fd);
    close(prog.fd);
    if (interp.fd >= 0)
        close(interp.fd);
    reset_signals();
    unregister_rseq();
    exec_jump(interp.path ? interp.info.entry : prog.info.entry, f.sp);

fail:
    unload_image(&interp);
    unload_image(&prog);
    exec_script_free(&chain);
    return status == 127 ? 127 : 126;
}
