/* The output file.  A regular file (or a name not yet taken) is made under
 * a temporary name beside it, its blocks reserved, mapped, filled and
 * renamed over the output only when whole, so that no partial executable
 * is ever seen; a SIGINT, SIGTERM or SIGHUP meanwhile removes the
 * temporary before the signal takes its default course.  Anything else
 * the output names, itself or through a symbolic link (a character device
 * such as /dev/null, a FIFO), is never replaced: the image is built in
 * memory and written through, as ld.bfd writes through to such a file. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* The temporaries being written, for the signal handler: names in static
 * storage (a handler may not follow a pointer another thread frees), a
 * slot armed only once its name is whole.  A link that finds no free slot
 * runs without the clean-up. */
enum { NSLOTS = 8, NSIGS = 3 };
static const int cleanup_signals[NSIGS] = {SIGINT, SIGTERM, SIGHUP};
static char slot_name[NSLOTS][PATH_MAX];
static atomic_int slot_armed[NSLOTS];
static pthread_mutex_t slots_lock = PTHREAD_MUTEX_INITIALIZER;
static int slots_used;
static struct sigaction saved_action[NSIGS];
static bool handler_installed[NSIGS];

/* Async-signal-safe only: unlink, sigaction, raise. */
static void on_signal(int sig)
{
    int saved_errno = errno;
    for (int i = 0; i < NSLOTS; i++)
        if (atomic_load(&slot_armed[i]))
            unlink(slot_name[i]);
    /* the default action, as if keel had never caught it: the signal is
     * blocked while this runs, and is delivered when it returns */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigemptyset(&dfl.sa_mask);
    sigaction(sig, &dfl, NULL);
    raise(sig);
    errno = saved_errno;
}

/* The handler goes in only where the signal would kill the process as it
 * stands (SIG_DFL): an ignored signal stays ignored, and a program's own
 * handler is its business. */
static void install_handler(void)
{
    for (int k = 0; k < NSIGS; k++) {
        struct sigaction ours;
        handler_installed[k] = false;
        if (sigaction(cleanup_signals[k], NULL, &saved_action[k]) || (saved_action[k].sa_flags & SA_SIGINFO) ||
            saved_action[k].sa_handler != SIG_DFL)
            continue;
        memset(&ours, 0, sizeof ours);
        ours.sa_handler = on_signal;
        sigfillset(&ours.sa_mask); /* one clean-up at a time */
        handler_installed[k] = sigaction(cleanup_signals[k], &ours, NULL) == 0;
    }
}

static void remove_handler(void)
{
    for (int k = 0; k < NSIGS; k++) {
        struct sigaction now;
        if (handler_installed[k] && sigaction(cleanup_signals[k], NULL, &now) == 0 && !(now.sa_flags & SA_SIGINFO) &&
            now.sa_handler == on_signal)
            sigaction(cleanup_signals[k], &saved_action[k], NULL);
        handler_installed[k] = false;
    }
}

static int cleanup_add(const char *name)
{
    size_t n = strlen(name);
    int slot = -1;
    if (n >= PATH_MAX)
        return -1;
    pthread_mutex_lock(&slots_lock);
    for (int i = 0; i < NSLOTS && slot < 0; i++)
        if (!atomic_load(&slot_armed[i]))
            slot = i;
    if (slot >= 0) {
        memcpy(slot_name[slot], name, n + 1);
        atomic_store(&slot_armed[slot], 1);
        if (slots_used++ == 0)
            install_handler();
    }
    pthread_mutex_unlock(&slots_lock);
    return slot;
}

static void cleanup_remove(int slot)
{
    if (slot < 0)
        return;
    pthread_mutex_lock(&slots_lock);
    atomic_store(&slot_armed[slot], 0);
    if (--slots_used == 0)
        remove_handler();
    pthread_mutex_unlock(&slots_lock);
}

/* The signals blocked while the temporary is made and armed: a signal in
 * between would leave it behind. */
static void block_signals(sigset_t *old)
{
    sigset_t set;
    sigemptyset(&set);
    for (int k = 0; k < NSIGS; k++)
        sigaddset(&set, cleanup_signals[k]);
    pthread_sigmask(SIG_BLOCK, &set, old);
}

static int open_special(lk_link *l, lk_outfile *o, const struct stat *st)
{
    /* O_NONBLOCK: a FIFO nobody reads is an error, not a hang */
    o->fd = open(o->path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (o->fd < 0) {
        if (errno == ENXIO && S_ISFIFO(st->st_mode))
            return lk_fail(l, KEEL_E_IO, "cannot open output file %s: a FIFO that no process is reading", o->path);
        return lk_fail(l, KEEL_E_IO, "cannot open output file %s: %s", o->path, strerror(errno));
    }
    int flags = fcntl(o->fd, F_GETFL);
    if (flags < 0 || fcntl(o->fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
        return lk_fail(l, KEEL_E_IO, "cannot open output file %s: %s", o->path, strerror(errno));
    o->buf = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (o->buf == MAP_FAILED) {
        o->buf = NULL;
        return lk_fail(l, KEEL_E_NOMEM, "%s: out of memory for the %llu-byte output", o->path,
                       (unsigned long long)o->size);
    }
    return 0;
}

static int open_regular(lk_link *l, lk_outfile *o)
{
    size_t plen = strlen(o->path);
    if (!(o->tmp = malloc(plen + sizeof ".keel-XXXXXX")))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    memcpy(o->tmp, o->path, plen);
    memcpy(o->tmp + plen, ".keel-XXXXXX", sizeof ".keel-XXXXXX");
    sigset_t old;
    block_signals(&old);
    o->fd = mkstemp(o->tmp);
    int err = errno;
    if (o->fd >= 0)
        o->slot = cleanup_add(o->tmp);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (o->fd < 0) {
        free(o->tmp);
        o->tmp = NULL;
        return lk_fail(l, KEEL_E_IO, "cannot open output file %s: %s", o->path, strerror(err));
    }
    /* the blocks reserved now: a full disk is an error here, not a SIGBUS
     * while the mapping is filled (posix_fallocate returns its error, it
     * does not set errno) */
    err = posix_fallocate(o->fd, 0, (off_t)o->size);
    if (err)
        return lk_fail(l, KEEL_E_IO, "%s: final link failed: %s", o->path, strerror(err));
    o->buf = mmap(NULL, o->size, PROT_READ | PROT_WRITE, MAP_SHARED, o->fd, 0);
    if (o->buf == MAP_FAILED) {
        o->buf = NULL;
        return lk_fail(l, KEEL_E_IO, "%s: final link failed: %s", o->path, strerror(errno));
    }
#ifdef MADV_POPULATE_WRITE
    /* every page of the output is written: made present and writable in
     * one call, not one fault each (MAP_POPULATE would map a shared file
     * read-only, and each first write would fault again).  hello: 906 ->
     * 720 faults, 3% less CPU; an old kernel's EINVAL is harmless.  Not
     * for a huge output, whose gaps (--section-start) would be dirtied
     * and written back as zeros. */
    if (o->size <= (uint64_t)256 << 20)
        (void)madvise(o->buf, o->size, MADV_POPULATE_WRITE);
#endif
    return 0;
}

int lk_out_open(lk_link *l, lk_outfile *o, const char *path, uint64_t size)
{
    struct stat st;
    *o = (lk_outfile){.path = path, .fd = -1, .slot = -1, .size = size};
    if (size == 0 || size > (uint64_t)SIZE_MAX || size > (uint64_t)INT64_MAX)
        return lk_fail(l, KEEL_E_RANGE, "%s: an output of %llu bytes cannot be made", path, (unsigned long long)size);
    /* stat, not lstat: a symbolic link to a device is written through (as
     * ld.bfd does), one to a regular file replaced like a regular file */
    int rc = stat(path, &st) == 0 && !S_ISREG(st.st_mode) ? (o->through = true, open_special(l, o, &st))
                                                          : open_regular(l, o);
    if (rc)
        lk_out_close(l, o, false);
    return rc;
}

static int write_all(int fd, const uint8_t *p, uint64_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n > (1u << 30) ? (1u << 30) : (size_t)n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return w < 0 ? errno : EIO;
        p += w;
        n -= (uint64_t)w;
    }
    return 0;
}

int lk_out_close(lk_link *l, lk_outfile *o, bool ok)
{
    int rc = 0;
    if (o->through) {
        int err = ok && o->buf ? write_all(o->fd, o->buf, o->size) : 0;
        if (o->buf)
            munmap(o->buf, o->size);
        if (o->fd >= 0 && close(o->fd) && !err && ok)
            err = errno;
        if (err)
            rc = lk_fail(l, KEEL_E_IO, "%s: final link failed: %s", o->path, strerror(err));
    } else if (o->tmp) {
        bool good = (!o->buf || munmap(o->buf, o->size) == 0) && ok;
        if (good) {
            mode_t mask = umask(0);
            umask(mask);
            good = fchmod(o->fd, 0777 & ~mask) == 0;
        }
        good = close(o->fd) == 0 && good;
        if (!good || rename(o->tmp, o->path)) {
            if (ok)
                rc = lk_fail(l, KEEL_E_IO, "%s: final link failed: %s", o->path, strerror(errno));
            unlink(o->tmp);
        }
        cleanup_remove(o->slot); /* after the rename: never a moment with the temporary unguarded */
        free(o->tmp);
    }
    *o = (lk_outfile){.fd = -1, .slot = -1};
    return rc;
}
