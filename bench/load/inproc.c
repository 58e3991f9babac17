/* inproc: the loaders' own time, inside one process, without process
 * start-up or the program's run.  Prints one number, the nanoseconds of:
 *
 *   inproc keel FILE...   keel_ns_create + keel_load of the files as one
 *                         batch (host symbols, constructors run), as
 *                         `keel run` loads them
 *   inproc dlopen LIB     dlopen(LIB, RTLD_NOW | RTLD_GLOBAL)
 *   inproc read FILE...   mmap each file (MAP_POPULATE, as keel maps its
 *                         inputs) and read every byte of it: what any
 *                         loader of these inputs must at least pay
 *
 * The libraries the loaded code needs (-lz -lexpat -lm for python) are
 * linked into this program, so they are there before the clock starts, as
 * they are for dlopen_python. */
#include <dlfcn.h>
#include <fcntl.h>
#include <keel/load.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static volatile uint64_t sink;

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int read_all(char **files, int n, uint64_t *sum)
{
    for (int i = 0; i < n; i++) {
        int fd = open(files[i], O_RDONLY | O_CLOEXEC);
        struct stat st;
        if (fd < 0 || fstat(fd, &st)) {
            perror(files[i]);
            return 1;
        }
        size_t size = (size_t)st.st_size;
        const uint8_t *m = size ? mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0) : NULL;
        close(fd);
        if (m == MAP_FAILED) {
            perror(files[i]);
            return 1;
        }
        for (size_t k = 0; k + 8 <= size; k += 8) {
            uint64_t w;
            memcpy(&w, m + k, 8);
            *sum += w;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: inproc keel FILE... | dlopen LIB | read FILE...\n");
        return 2;
    }
    uint64_t t0 = now_ns(), sum = 0;
    if (strcmp(argv[1], "keel") == 0) {
        keel_error err;
        keel_input in[64];
        int n = argc - 2;
        if (n > 64)
            return 2;
        memset(in, 0, sizeof in);
        for (int i = 0; i < n; i++)
            in[i].path = argv[2 + i];
        keel_ns *ns = keel_ns_create(NULL, KEEL_NS_HOST, &err);
        if (!ns || keel_load(ns, in, (size_t)n, NULL, &err)) {
            fprintf(stderr, "inproc: %s\n", err.msg);
            return 1;
        }
    } else if (strcmp(argv[1], "dlopen") == 0) {
        if (!dlopen(argv[2], RTLD_NOW | RTLD_GLOBAL)) {
            fprintf(stderr, "inproc: %s\n", dlerror());
            return 1;
        }
    } else if (strcmp(argv[1], "read") == 0) {
        if (read_all(argv + 2, argc - 2, &sum))
            return 1;
    } else {
        return 2;
    }
    uint64_t t1 = now_ns();
    sink = sum; /* the reads are not dead code */
    printf("%llu\n", (unsigned long long)(t1 - t0));
    return 0;
}
