/* keel run --watch: hot reload.  A thread watches the program's input
 * objects (inotify on their directories, and SIGUSR1); when one changes on
 * disk, it is swapped in (keel_swap) while the program runs, and one line
 * per swap goes to stderr: what changed, how many references were
 * rewritten, how long the world was stopped, or why the swap was refused.
 *
 * Inputs are read into memory (never mapped): a compiler that rewrites an
 * object in place would otherwise truncate the file under the mapping
 * that the loaded object still reads (SIGBUS).  Each version's bytes are
 * kept for the program's life, as a swapped-out object's names live on. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <keel/elf.h>
#include <keel/load.h>

#include "run_watch.h"

typedef struct watched {
    const char *path;
    struct stat st; /* as last loaded */
    bool dirty;
} watched;

static keel_ns *watch_ns;
static void (*watch_after)(const keel_ns *); /* --list or --deps after each swap */
static watched *files;
static int nfiles, inotify_fd = -1, signal_fd = -1;

int run_watch_read(const char *path, keel_input *in)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    char *buf = malloc(size ? size : 1);
    size_t got = 0;
    while (buf && got < size) {
        ssize_t n = read(fd, buf + got, size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (!buf || got != size) {
        free(buf);
        return -1;
    }
    in->path = path;
    in->data = buf; /* kept: the loaded object points into it */
    in->size = size;
    return 0;
}

static bool same(const struct stat *a, const struct stat *b)
{
    return a->st_ino == b->st_ino && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
           a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static void swap_one(watched *f)
{
    struct stat st;
    if (stat(f->path, &st) || same(&st, &f->st))
        return;
    keel_object *old = keel_ns_object(watch_ns, f->path);
    if (!old) {
        fprintf(stderr, "keel run: %s changed, but it is not a loaded object (an archive is not swapped)\n", f->path);
        f->st = st;
        return;
    }
    keel_input in;
    if (run_watch_read(f->path, &in)) {
        fprintf(stderr, "keel run: %s changed, but cannot be read: %s\n", f->path, strerror(errno));
        return;
    }
    keel_swap_stats s = {0};
    keel_swap_opts o = {.stats = &s};
    keel_error err;
    if (keel_swap(watch_ns, &old, 1, &in, 1, &o, NULL, &err)) {
        fprintf(stderr, "keel run: %s not swapped: %s\n", f->path, err.msg);
        free((void *)in.data);
        f->st = st; /* until it changes again */
        return;
    }
    f->st = st;
    fprintf(stderr,
            "keel run: swapped %s: %u references rewritten, %u entries redirected, %u variables carried over; "
            "world stopped %.1f us (%u stops), %.2f ms in all\n",
            f->path, s.rewritten, s.entries, s.transferred, s.stopped_ns / 1e3, s.attempts, s.total_ns / 1e6);
    if (watch_after)
        watch_after(watch_ns);
}

static void *watch_thread(void *arg)
{
    (void)arg;
    struct pollfd p[2] = {{.fd = inotify_fd, .events = POLLIN}, {.fd = signal_fd, .events = POLLIN}};
    char buf[4096] __attribute__((aligned(8)));
    for (;;) {
        if (poll(p, 2, -1) < 0)
            continue;
        bool any = false;
        if (p[0].revents & POLLIN) {
            ssize_t n = read(inotify_fd, buf, sizeof buf);
            for (ssize_t off = 0; off < n;) {
                struct inotify_event *e = (struct inotify_event *)(buf + off);
                off += (ssize_t)(sizeof *e + e->len);
                for (int i = 0; i < nfiles && e->len; i++) {
                    const char *base = strrchr(files[i].path, '/');
                    base = base ? base + 1 : files[i].path;
                    if (strcmp(base, e->name) == 0)
                        files[i].dirty = any = true;
                }
            }
        }
        if (p[1].revents & POLLIN) {
            struct signalfd_siginfo si;
            if (read(signal_fd, &si, sizeof si) == (ssize_t)sizeof si)
                for (int i = 0; i < nfiles; i++)
                    files[i].dirty = any = true;
        }
        if (!any)
            continue;
        usleep(50000); /* let the writer finish (several events per save) */
        while (read(inotify_fd, buf, sizeof buf) > 0) {
        }
        for (int i = 0; i < nfiles; i++)
            if (files[i].dirty) {
                files[i].dirty = false;
                swap_one(&files[i]);
            }
    }
    return NULL;
}

int run_watch_start(keel_ns *ns, char **paths, int n, void (*after)(const keel_ns *))
{
    watch_ns = ns;
    watch_after = after;
    files = calloc((size_t)n, sizeof *files);
    inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    /* blocked here, so in every thread the program makes: the watcher
     * takes it through its descriptor */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal_fd = signalfd(-1, &set, SFD_CLOEXEC);
    if (!files || inotify_fd < 0 || signal_fd < 0) {
        fprintf(stderr, "keel run: --watch: %s\n", strerror(errno));
        return 1;
    }
    for (int i = 0; i < n; i++) {
        files[nfiles].path = paths[i];
        stat(paths[i], &files[nfiles].st);
        char dir[4096];
        const char *slash = strrchr(paths[i], '/');
        snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - paths[i]) : 1, slash ? paths[i] : ".");
        if (inotify_add_watch(inotify_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
            fprintf(stderr, "keel run: --watch: %s: %s\n", dir, strerror(errno));
            return 1;
        }
        nfiles++;
    }
    pthread_t t;
    if (pthread_create(&t, NULL, watch_thread, NULL)) {
        fprintf(stderr, "keel run: --watch: cannot start its thread\n");
        return 1;
    }
    pthread_detach(t);
    return 0;
}
