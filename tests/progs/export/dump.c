/* Copies the export objects keel run made for this program (the memfds
 * named keel-export-N.so) into the directory dir, for readelf and
 * eu-elflint; dir NULL: only counts them; close_exports closes them, as
 * a program that closes descriptors it does not know does.  Part of host.c's program (it is not a program of its own:
 * its globals would be exported too, and its main would collide). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int dump_exports(const char *dir);
int close_exports(void);
extern int closed_fd;

int dump_exports(const char *dir)
{
    DIR *d = opendir("/proc/self/fd");
    if (!d)
        return 2;
    int copied = 0;
    for (struct dirent *e; (e = readdir(d));) {
        char link[300], target[256], out[4096];
        snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n < 0)
            continue;
        target[n] = 0;
        const char *name = strstr(target, "/memfd:keel-export-");
        if (!name)
            continue;
        copied++;
        if (!dir)
            continue;
        name += strlen("/memfd:");
        size_t len = strcspn(name, " ");
        snprintf(out, sizeof out, "%s/%.*s", dir, (int)len, name);
        int in = open(link, O_RDONLY), to = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        char buf[65536];
        ssize_t r;
        while (in >= 0 && to >= 0 && (r = read(in, buf, sizeof buf)) > 0)
            if (write(to, buf, (size_t)r) != r)
                return -1;
        close(in);
        close(to);
    }
    closedir(d);
    return copied;
}

int closed_fd = -1; /* the last one close_exports closed */

int close_exports(void)
{
    int closed = 0;
    for (int fd = 3; fd < 1024; fd++) {
        char link[64], target[256];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        ssize_t n = readlink(link, target, sizeof target - 1);
        if (n < 0)
            continue;
        target[n] = 0;
        if (strstr(target, "/memfd:keel-export-") && close(fd) == 0) {
            closed++;
            closed_fd = fd;
        }
    }
    return closed;
}
