#include "mapped_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_all(mapped_file *f, int fd)
{
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    if (!buf)
        return -1;
    for (;;) {
        if (len == cap) {
            char *n = cap > ((size_t)-1) / 2 ? NULL : realloc(buf, cap * 2);
            if (!n) {
                free(buf);
                errno = ENOMEM;
                return -1;
            }
            buf = n;
            cap *= 2;
        }
        ssize_t r = read(fd, buf + len, cap - len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(buf);
            errno = e;
            return -1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    f->data = buf;
    f->size = len;
    f->mapped = 2;
    return 0;
}

int mapped_file_open(mapped_file *f, const char *path)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    f->data = NULL;
    f->size = 0;
    f->mapped = 0;
    if (fd < 0)
        return -1;
    if (fstat(fd, &st) < 0)
        goto fail;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    if (S_ISREG(st.st_mode)) {
        if (st.st_size == 0) {
            f->data = "";
        } else {
            void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED)
                goto fail;
            f->data = p;
            f->size = (size_t)st.st_size;
            f->mapped = 1;
        }
        close(fd);
        return 0;
    }
    if (read_all(f, fd) < 0)
        goto fail;
    close(fd);
    return 0;
fail:;
    int e = errno;
    close(fd);
    errno = e;
    return -1;
}

void mapped_file_close(mapped_file *f)
{
    if (f->mapped == 1)
        munmap((void *)f->data, f->size);
    else if (f->mapped == 2)
        free((void *)f->data);
    f->mapped = 0;
    f->data = NULL;
    f->size = 0;
}
