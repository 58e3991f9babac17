/* Opening an input by path inside libkeel (the link-editor's lk_map_file,
 * the loader's map_input): only a regular file is read, and finding that
 * out never blocks.  A FIFO without a writer would hang open() for ever,
 * and opening a device can have effects of its own; so the type is
 * checked by stat() before the open, and again by fstat() on what was
 * opened (a file swapped in between is caught), the open itself being
 * O_NONBLOCK, which is then cleared.  Header-only: both parts of the
 * library include it, neither owns it. */
#ifndef KEEL_LIB_REGULAR_FILE_H
#define KEEL_LIB_REGULAR_FILE_H

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* Why a file of mode M is refused, for "PATH: not a regular file (...)". */
static inline const char *kf_file_kind(mode_t m)
{
    return S_ISDIR(m)    ? "a directory"
           : S_ISFIFO(m) ? "a FIFO"
           : S_ISCHR(m)  ? "a character device"
           : S_ISBLK(m)  ? "a block device"
           : S_ISSOCK(m) ? "a socket"
                         : "of an unknown type";
}

/* A read-only, close-on-exec descriptor of PATH in blocking mode, with *st
 * filled.  -1 if it cannot be opened (errno says why); -2 if it is not a
 * regular file (st->st_mode says what it is). */
static inline int kf_open_regular(const char *path, struct stat *st)
{
    if (stat(path, st) == 0 && !S_ISREG(st->st_mode))
        return -2;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        return -1;
    int flags;
    if (fstat(fd, st) || (flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        return -2;
    }
    return fd;
}

#endif
