#include "mapped_file.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int not_regular(mode_t m, const char **why)
{
    *why = S_ISDIR(m)    ? "not a regular file (a directory)"
           : S_ISFIFO(m) ? "not a regular file (a FIFO)"
           : S_ISCHR(m)  ? "not a regular file (a character device)"
           : S_ISBLK(m)  ? "not a regular file (a block device)"
           : S_ISSOCK(m) ? "not a regular file (a socket)"
                         : "not a regular file";
    errno = EINVAL;
    return -2;
}

/* The type is checked twice: stat() first, so that a device is never even
 * opened (opening one can have effects), then fstat() on what was opened,
 * so that a file swapped in between is caught.  O_NONBLOCK makes that
 * open return at once even for a FIFO; O_NOCTTY keeps a terminal from
 * becoming ours. */
int open_regular(const char *path, struct stat *st, const char **why)
{
    struct stat own;
    const char *ignored;
    if (!st)
        st = &own;
    if (!why)
        why = &ignored;
    if (stat(path, st) == 0 && !S_ISREG(st->st_mode))
        return not_regular(st->st_mode, why);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        *why = strerror(errno);
        return -1;
    }
    int flags;
    if (fstat(fd, st) || (flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        int e = errno;
        close(fd);
        errno = e;
        *why = strerror(e);
        return -1;
    }
    if (!S_ISREG(st->st_mode)) {
        close(fd);
        return not_regular(st->st_mode, why);
    }
    return fd;
}

int mapped_file_open(mapped_file *f, const char *path, const char **why)
{
    struct stat st;
    const char *ignored;
    if (!why)
        why = &ignored;
    f->data = "";
    f->size = 0;
    f->mapped = 0;
    int fd = open_regular(path, &st, why);
    if (fd < 0)
        return fd;
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            close(fd);
            *why = strerror(e);
            errno = e;
            return -1;
        }
        f->data = p;
        f->size = (size_t)st.st_size;
        f->mapped = 1;
    }
    close(fd);
    return 0;
}

void mapped_file_close(mapped_file *f)
{
    if (f->mapped == 1)
        munmap((void *)f->data, f->size);
    f->mapped = 0;
    f->data = NULL;
    f->size = 0;
}
