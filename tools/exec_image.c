/* keel exec --image: the two-pass boot-image client of the OSKit boot
 * adaptors.  Pass 1 records the extent of what is loaded, the client
 * allocates a staging buffer of that size, and pass 2 copies each piece to
 * buf + (mem_addr - load_addr).  The result is a flat memory image to be
 * placed at load_addr, with the bss left out at its end: what a boot loader
 * or a ROM would hold. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_clients.h"
#include "mapped_file.h"

/* A flat image larger than this is almost surely a layout mistake (a
 * segment far from the others), not a boot image. */
#define IMAGE_LIMIT (1ull << 32)

typedef struct staging {
    int fd;
    bool any;
    uint64_t load_addr, load_end; /* [lowest address, end of the last file byte) */
    unsigned char *buf;
} staging;

static int tally(void *handle, uint64_t file_ofs, uint64_t file_size, uint64_t mem_addr, uint64_t mem_size,
                 unsigned type)
{
    staging *s = handle;
    (void)file_ofs, (void)mem_size;
    if (!(type & KEEL_EXEC_ALLOC))
        return 0;
    if (!s->any || mem_addr < s->load_addr)
        s->load_addr = mem_addr;
    if (!s->any || mem_addr + file_size > s->load_end)
        s->load_end = mem_addr + file_size;
    s->any = true;
    return 0;
}

static int copy(void *handle, uint64_t file_ofs, uint64_t file_size, uint64_t mem_addr, uint64_t mem_size,
                unsigned type)
{
    staging *s = handle;
    size_t got = 0;
    (void)mem_size;
    if (!(type & KEEL_EXEC_LOAD) || file_size == 0)
        return 0;
    /* the bss (mem_size > file_size) is already zero: the buffer is calloc'd */
    int rc = exec_pread(&s->fd, file_ofs, s->buf + (mem_addr - s->load_addr), file_size, &got);
    return rc ? rc : got == file_size ? 0 : KEEL_E_TRUNCATED;
}

/* OUT is a device or a FIFO (/dev/null, a flash device, a pipe to
 * another tool): write through to it, as ld.bfd does, never replace it
 * by a rename.  The open does not block on a FIFO with no reader (ENXIO
 * says so).  0 or 1. */
static int write_special(const char *out, const unsigned char *buf, uint64_t size)
{
    struct stat st;
    int fd = open(out, O_WRONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY), flags;
    if (fd < 0 || fstat(fd, &st) || (flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)) {
        fprintf(stderr, "keel: %s: cannot write: %s\n", out,
                errno == ENXIO    ? "a FIFO with no reader"
                : errno == EISDIR ? "not a regular file (a directory)"
                                  : strerror(errno));
        if (fd >= 0)
            close(fd);
        return 1;
    }
    if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode) && !S_ISFIFO(st.st_mode)) {
        fprintf(stderr, "keel: %s: cannot write: not a device or FIFO\n", out);
        close(fd);
        return 1;
    }
    for (uint64_t done = 0; done < size;) {
        ssize_t w = write(fd, buf + done, size - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            fprintf(stderr, "keel: %s: cannot write: %s\n", out, w < 0 ? strerror(errno) : "no progress");
            close(fd);
            return 1;
        }
        done += (uint64_t)w;
    }
    if (close(fd)) {
        fprintf(stderr, "keel: %s: cannot write: %s\n", out, strerror(errno));
        return 1;
    }
    return 0;
}

int exec_image(const char *path, const char *out, uint64_t bias)
{
    keel_exec_options opt = {.load_bias = bias};
    keel_exec_info info;
    staging s = {0};
    char tmp[4096];
    int rc, status = 1;
    FILE *f = NULL;
    const char *why;
    s.fd = open_regular(path, NULL, &why);
    if (s.fd < 0) {
        fprintf(stderr, "keel: %s: %s%s\n", path, s.fd == -1 ? "cannot open: " : "", why);
        return 1;
    }
    if ((rc = keel_exec_load(exec_pread, tally, &s, &opt, &info))) {
        exec_report(path, rc, &info);
        goto done;
    }
    uint64_t size = s.load_end - s.load_addr;
    if (size > IMAGE_LIMIT) {
        fprintf(stderr, "keel: %s: the image 0x%llx-0x%llx spans more than 4 GiB\n", path,
                (unsigned long long)s.load_addr, (unsigned long long)s.load_end);
        goto done;
    }
    if (!(s.buf = calloc(1, size ? size : 1))) {
        fprintf(stderr, "keel: %s: cannot allocate 0x%llx bytes for the image\n", path, (unsigned long long)size);
        goto done;
    }
    if ((rc = keel_exec_load(exec_pread, copy, &s, &opt, &info))) {
        exec_report(path, rc, &info);
        goto done;
    }
    struct stat ost;
    if (stat(out, &ost) == 0 && !S_ISREG(ost.st_mode)) {
        if (write_special(out, s.buf, size))
            goto done;
        goto written;
    }
    /* Never leave a partial output: write a temporary, then rename. */
    snprintf(tmp, sizeof tmp, "%s.keel-tmp.%ld", out, (long)getpid());
    f = fopen(tmp, "wb");
    bool written = f && fwrite(s.buf, 1, size, f) == size;
    if (f && fclose(f))
        written = false;
    if (!written) {
        fprintf(stderr, "keel: %s: cannot write: %s\n", out, strerror(errno));
        if (f)
            remove(tmp);
        goto done;
    }
    if (rename(tmp, out)) {
        fprintf(stderr, "keel: %s: cannot rename %s: %s\n", out, tmp, strerror(errno));
        remove(tmp);
        goto done;
    }
written:
    printf("%s: load address 0x%llx, %llu bytes (bss to 0x%llx), entry 0x%llx\n", out, (unsigned long long)s.load_addr,
           (unsigned long long)size, (unsigned long long)info.image_end, (unsigned long long)info.entry);
    status = 0;
done:
    free(s.buf);
    close(s.fd);
    return status;
}
