/* A program whose output depends on a correct process start: tests/exec_run.t
 * runs it directly (the kernel's execve) and through `keel exec`, and the
 * two outputs, exit statuses and stderr must be identical.  It prints only
 * facts that are the same from one run to the next (no addresses, no
 * random bytes): where an address matters, it prints how it relates to
 * another (equal, inside, aligned).
 *
 * usage: startup MODE [ARGS...]
 *   MODE is a number N: exit(N) at the end
 *   MODE is "signal":   raise(SIGUSR1) (default action) at the end
 * The test passes the program's own path as ARGS[0] (argv[2]), to be
 * compared with AT_EXECFN.
 *
 * Built with gcc and clang (static, static-pie, pie, no-pie) and musl-gcc
 * (and gcc -m32, which keel must refuse to run); only what glibc and musl
 * both have is used, except where marked __GLIBC__. */
#define _GNU_SOURCE
#include <dirent.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
extern const ElfW(Ehdr) __ehdr_start; /* the linker's: this program's ELF header */
extern char _start[];                 /* crt1's entry point */

#ifdef __GLIBC__
extern const unsigned int __rseq_size __attribute__((weak));
#endif

/* ------------------------------------------------ constructors, destructors */

static char order[128];
static void note(const char *what)
{
    strcat(order, what);
    strcat(order, " ");
}
__attribute__((constructor(101))) static void ctor_first(void) { note("ctor101"); }
__attribute__((constructor(102))) static void ctor_second(void) { note("ctor102"); }
__attribute__((constructor)) static void ctor_plain(void) { note("ctor"); }
/* Destructors run after main returns or exit() is called: they print. */
__attribute__((destructor(101))) static void dtor_first(void) { printf("dtor101\n"); }
__attribute__((destructor(102))) static void dtor_second(void) { printf("dtor102\n"); }
static void atexit_a(void) { printf("atexit a\n"); }
static void atexit_b(void) { printf("atexit b\n"); }

/* --------------------------------------------------------------------- TLS */

static __thread int tls_init = 1234;
static __thread int tls_zero;
static __thread char tls_text[32] = "thread-local text";
static __thread long tls_aligned __attribute__((aligned(64))) = 77;

static void tls_report(const char *who)
{
    printf("tls %s: init=%d zero=%d text=%s aligned=%ld align64=%s\n", who, tls_init, tls_zero, tls_text,
           tls_aligned, ((uintptr_t)&tls_aligned % 64) == 0 ? "yes" : "NO");
}

static void *thread_main(void *arg)
{
    tls_report((const char *)arg); /* a new thread sees the initial image */
    tls_init = 99;
    tls_zero = 98;
    return (void *)(intptr_t)(tls_init + tls_zero);
}

/* ------------------------------------------------------- dl_iterate_phdr */

static int dl_count;
static int dl_visit(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size, (void)data;
    int loads = 0, main_inside = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        loads++;
        uintptr_t lo = info->dlpi_addr + ph->p_vaddr, hi = lo + ph->p_memsz;
        if ((uintptr_t)&dl_visit >= lo && (uintptr_t)&dl_visit < hi)
            main_inside = 1;
    }
    int is_main = (uintptr_t)info->dlpi_phdr == getauxval(AT_PHDR);
    printf("dl object %d: name='%s' main=%s loads=%d contains-this-code=%s\n", dl_count++,
           info->dlpi_name ? info->dlpi_name : "(null)", is_main ? "yes" : "no", loads, main_inside ? "yes" : "no");
    return 0;
}

/* ------------------------------------------------------------ the rest */

static jmp_buf jump;
static volatile int jump_depth;
static int jump_back(void);
static int (*volatile jump_again)(void) = jump_back;
static int jump_back(void)
{
    if (jump_depth-- == 0)
        longjmp(jump, 42);
    return jump_again() + 1;
}

/* About 4 KiB a frame: 1200 frames want some 5 MB of the 8 MB stack. */
static int deep(int n)
{
    volatile char buf[4096];
    buf[0] = (char)n;
    buf[sizeof buf - 1] = 1;
    if (n == 0)
        return buf[sizeof buf - 1];
    return deep(n - 1) + buf[sizeof buf - 1];
}

static char altstack[64 * 1024];
static volatile sig_atomic_t handled, on_alt;
static void on_usr2(int sig)
{
    char here;
    handled = sig;
    on_alt = &here >= altstack && &here < altstack + sizeof altstack;
}

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static uint64_t fnv(const unsigned char *p, size_t n, uint64_t h)
{
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

int main(int argc, char **argv)
{
    printf("order before main: %s\n", order);
    atexit(atexit_a);
    atexit(atexit_b);

    /* argv and the environment */
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d] '%s'\n", i, argv[i]);
    printf("argv[argc] %s\n", argv[argc] ? "NOT NULL" : "NULL");
    size_t envc = 0;
    while (environ[envc])
        envc++;
    printf("environ: %zu entries\n", envc);
    char **sorted = malloc((envc + 1) * sizeof *sorted);
    memcpy(sorted, environ, envc * sizeof *sorted);
    qsort(sorted, envc, sizeof *sorted, by_string);
    for (size_t i = 0; i < envc; i++)
        printf("env '%s'\n", sorted[i]);
    free(sorted);
    const char *v = getenv("KEEL_T_VAR");
    printf("KEEL_T_VAR %s\n", v ? v : "(unset)");

    /* the auxiliary vector */
    const ElfW(Phdr) *own = (const ElfW(Phdr) *)((const char *)&__ehdr_start + __ehdr_start.e_phoff);
    printf("AT_PAGESZ %lu\n", getauxval(AT_PAGESZ));
    printf("AT_PHDR %s\n", getauxval(AT_PHDR) == (uintptr_t)own ? "= own program headers" : "WRONG");
    printf("AT_PHENT %s\n", getauxval(AT_PHENT) == sizeof(ElfW(Phdr)) ? "= sizeof(Phdr)" : "WRONG");
    printf("AT_PHNUM %s (%lu)\n", getauxval(AT_PHNUM) == __ehdr_start.e_phnum ? "= e_phnum" : "WRONG",
           getauxval(AT_PHNUM));
    printf("AT_ENTRY %s\n", getauxval(AT_ENTRY) == (uintptr_t)_start ? "= _start" : "WRONG");
    const char *execfn = (const char *)getauxval(AT_EXECFN);
    printf("AT_EXECFN '%s' %s\n", execfn ? execfn : "(null)",
           execfn && argc > 2 && strcmp(execfn, argv[2]) == 0 ? "= argv[2]" : "differs from argv[2]");
    const unsigned char *rnd = (const unsigned char *)getauxval(AT_RANDOM);
    unsigned or_all = 0;
    for (int i = 0; rnd && i < 16; i++)
        or_all |= rnd[i];
    printf("AT_RANDOM %s\n", !rnd ? "NULL" : or_all ? "16 readable bytes" : "16 zero bytes");
    int has_interp = 0;
    for (int i = 0; i < __ehdr_start.e_phnum; i++)
        has_interp |= own[i].p_type == PT_INTERP;
    printf("PT_INTERP %s, AT_BASE %s\n", has_interp ? "yes" : "no", getauxval(AT_BASE) ? "non-zero" : "zero");
    printf("AT_BASE %s\n", !getauxval(AT_BASE) == !has_interp ? "zero iff static" : "WRONG");
    printf("AT_FLAGS %lu AT_CLKTCK %lu AT_SECURE %lu\n", getauxval(AT_FLAGS), getauxval(AT_CLKTCK),
           getauxval(AT_SECURE));
    printf("AT_UID %lu AT_EUID %lu AT_GID %lu AT_EGID %lu\n", getauxval(AT_UID), getauxval(AT_EUID),
           getauxval(AT_GID), getauxval(AT_EGID));
    printf("AT_HWCAP %#lx AT_HWCAP2 %#lx\n", getauxval(AT_HWCAP), getauxval(AT_HWCAP2));
    const char *platform = (const char *)getauxval(AT_PLATFORM);
    printf("AT_PLATFORM %s\n", platform ? platform : "(none)");
    printf("AT_SYSINFO_EHDR %s\n", getauxval(AT_SYSINFO_EHDR) ? "present" : "absent");
    printf("AT_MINSIGSTKSZ %lu\n", getauxval(51));
    struct timespec ts;
    printf("clock_gettime %s\n", clock_gettime(CLOCK_MONOTONIC, &ts) == 0 ? "works" : "FAILS");
#ifdef __GLIBC__
    /* glibc registers rseq at start; 0 if the kernel refused (say, because
     * an area was still registered from before). */
    printf("rseq size %u\n", &__rseq_size ? __rseq_size : 0u);
#endif

    /* what else execve gives a process: its name, the descriptors it was
     * handed (and no others), and room for the brk heap to grow */
    char comm[64] = "";
    FILE *cf = fopen("/proc/self/comm", "r");
    if (cf) {
        if (!fgets(comm, sizeof comm, cf))
            comm[0] = 0;
        fclose(cf);
    }
    comm[strcspn(comm, "\n")] = 0;
    printf("comm '%s'\n", comm);
    DIR *fds = opendir("/proc/self/fd");
    int fdv[64], nfd = 0;
    for (struct dirent *e; fds && (e = readdir(fds)) && nfd < 64;)
        if (e->d_name[0] != '.' && atoi(e->d_name) != dirfd(fds))
            fdv[nfd++] = atoi(e->d_name);
    if (fds)
        closedir(fds);
    for (int i = 1; i < nfd; i++)
        for (int j = i; j > 0 && fdv[j - 1] > fdv[j]; j--) {
            int x = fdv[j];
            fdv[j] = fdv[j - 1];
            fdv[j - 1] = x;
        }
    printf("open descriptors:");
    for (int i = 0; i < nfd; i++)
        printf(" %d", fdv[i]);
    printf("\n");
    uintptr_t brk0 = (uintptr_t)syscall(SYS_brk, 0), want = brk0 + (16u << 20);
    int brk_ok = (uintptr_t)syscall(SYS_brk, want) == want;
    if (brk_ok) {
        memset((void *)brk0, 1, want - brk0);
        syscall(SYS_brk, brk0);
    }
    printf("brk: growing the heap by 16 MB %s\n", brk_ok ? "works" : "FAILS");

    /* the program's own segments, as libc sees them */
    dl_iterate_phdr(dl_visit, NULL);

    /* thread-local storage in the main thread and in a new one */
    tls_report("main");
    tls_init = 5;
    strcpy(tls_text, "changed in main");
    pthread_t t;
    void *ret = NULL;
    if (pthread_create(&t, NULL, thread_main, "thread") || pthread_join(t, &ret))
        printf("pthread FAILED\n");
    printf("thread returned %ld\n", (long)(intptr_t)ret);
    tls_report("main again");

    /* the heap: brk-sized and mmap-sized blocks */
    unsigned long sum = 0;
    char *small[64];
    for (int i = 0; i < 64; i++) {
        small[i] = malloc(24 + i);
        memset(small[i], i, 24 + i);
    }
    for (int i = 0; i < 64; i++) {
        for (int j = 0; j < 24 + i; j++)
            sum += (unsigned char)small[i][j];
        free(small[i]);
    }
    size_t big_n = 6u << 20;
    unsigned char *big = malloc(big_n);
    for (size_t i = 0; i < big_n; i++)
        big[i] = (unsigned char)(i * 7);
    unsigned long big_sum = 0;
    for (size_t i = 0; i < big_n; i++)
        big_sum += big[i];
    big = realloc(big, 2 * big_n);
    for (size_t i = 0; i < big_n; i += 4096)
        big_sum -= big[i];
    free(big);
    int *zeros = calloc(1 << 18, sizeof *zeros);
    int nonzero = 0;
    for (int i = 0; i < 1 << 18; i++)
        nonzero |= zeros[i];
    free(zeros);
    printf("malloc small sum %lu, large sum %lu, calloc %s\n", sum, big_sum, nonzero ? "NOT ZERO" : "zeroed");

    /* standard input */
    unsigned char buf[4096];
    size_t n, total = 0;
    uint64_t h = 14695981039346656037ull;
    while ((n = fread(buf, 1, sizeof buf, stdin)) > 0) {
        h = fnv(buf, n, h);
        total += n;
    }
    printf("stdin %zu bytes, fnv1a %016llx\n", total, (unsigned long long)h);

    /* setjmp/longjmp, signals, the stack */
    int got = setjmp(jump);
    jump_depth = 10;
    if (got == 0)
        jump_back();
    printf("longjmp returned %d\n", got);
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
    struct sigaction sa = {.sa_handler = on_usr2, .sa_flags = SA_ONSTACK};
    sigemptyset(&sa.sa_mask);
    if (sigaltstack(&ss, NULL) || sigaction(SIGUSR2, &sa, NULL))
        printf("sigaltstack/sigaction FAILED\n");
    raise(SIGUSR2);
    printf("SIGUSR2 handled %s, on the alternate stack %s\n", handled == SIGUSR2 ? "yes" : "no",
           on_alt ? "yes" : "no");
    sigset_t blocked;
    sigprocmask(SIG_BLOCK, NULL, &blocked);
    printf("blocked:");
    for (int s = 1; s < 32; s++)
        if (sigismember(&blocked, s))
            printf(" %d", s);
    printf("\nignored:");
    for (int s = 1; s < 32; s++) {
        struct sigaction old;
        if (s != SIGUSR2 && sigaction(s, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
            printf(" %d", s);
    }
    printf("\ncaught:");
    for (int s = 1; s < 32; s++) {
        struct sigaction old;
        if (s != SIGUSR2 && sigaction(s, NULL, &old) == 0 && old.sa_handler != SIG_IGN && old.sa_handler != SIG_DFL)
            printf(" %d", s);
    }
    printf("\ndeep recursion (about 5 MB of stack) returned %d\n", deep(1200));

    const char *mode = argc > 1 ? argv[1] : "0";
    if (strcmp(mode, "signal") == 0) {
        printf("raising SIGUSR1\n");
        fflush(stdout);
        signal(SIGUSR1, SIG_DFL);
        raise(SIGUSR1);
        printf("still alive after SIGUSR1\n");
        return 99;
    }
    printf("exit %d\n", atoi(mode));
    exit(atoi(mode));
}
