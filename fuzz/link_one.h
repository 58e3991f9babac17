/*
 * One fuzz input through a whole static link (keel_link: inputs read,
 * archives searched, symbols resolved, --gc-sections, layout, relocation,
 * the output written and renamed, the map), shared by the libFuzzer target
 * fuzz/link_inputs.c and the seeds' replay test (tests/unit/link_replay.c,
 * run by tests/link_output.t under the sanitizers).
 *
 * The input: up to four files separated by LF_SEPARATOR, each an object,
 * an archive or a linker script, linked in that order.  A last part of one
 * or two bytes is not a file but the options: bit 0 --gc-sections, 1
 * --eh-frame-hdr, 2-3 the build ID (none, sha1, md5, 0xHEX), 4 -z norelro,
 * 5 -Map, 6 -e main, 7 -u foo; the second byte, if any, wraps the inputs
 * after the first in a group.  An input without a separator is one file
 * with the default options, so that real objects seed it as they are.
 *
 * Files go to a private directory (made once, removed at exit) under
 * $TMPDIR; RLIMIT_FSIZE bounds what a link may write (an output laid out
 * past it is an error, EFBIG, not a full disk).  A failed link must say
 * why; a link that succeeds must give an ELF executable in whose
 * headers, sections, segments and tables the reader (fuzz/walk.h) finds
 * no error, with no segment both writable and executable; a failed one
 * must leave no output and no temporary.
 */
#ifndef KEEL_FUZZ_LINK_ONE_H
#define KEEL_FUZZ_LINK_ONE_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memmem */
#endif
#include <dirent.h>
#include <fcntl.h>
#include <keel/elf.h>
#include <keel/link.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "walk.h"

#define LF_SEPARATOR "\n--keel-fuzz-next--\n"
enum { LF_MAX_INPUTS = 4, LF_FSIZE = 16 << 20 };

static char lf_dir[256];

static void lf_path(char *buf, size_t size, const char *name) { snprintf(buf, size, "%s/%s", lf_dir, name); }

static void lf_remove_all(void)
{
    static const char *const names[] = {"in0", "in1", "in2", "in3", "out", "map"};
    char p[300];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        lf_path(p, sizeof p, names[i]);
        unlink(p);
    }
    if (lf_dir[0])
        rmdir(lf_dir); /* (fails if a temporary was left: that is kept for a look) */
}

static void lf_setup(void)
{
    if (lf_dir[0])
        return;
    const char *t = getenv("TMPDIR");
    snprintf(lf_dir, sizeof lf_dir, "%s/keel-link-fuzz.XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(lf_dir)) {
        perror("keel link fuzz: mkdtemp");
        abort();
    }
    atexit(lf_remove_all);
    /* an output past the limit fails with EFBIG instead of filling the disk */
    struct rlimit r;
    if (getrlimit(RLIMIT_FSIZE, &r) == 0 && (r.rlim_cur == RLIM_INFINITY || r.rlim_cur > LF_FSIZE)) {
        r.rlim_cur = LF_FSIZE;
        setrlimit(RLIMIT_FSIZE, &r);
    }
    signal(SIGXFSZ, SIG_IGN);
}

static void lf_broke(const char *what, const char *detail)
{
    fprintf(stderr, "keel link broke a promise: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    abort();
}

static void lf_write(const char *path, const uint8_t *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        lf_broke("cannot write an input", path);
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            lf_broke("cannot write an input", path);
        p += w;
        n -= (size_t)w;
    }
    close(fd);
}

/* The linked program: the reader takes it, and no PT_LOAD is W+X. */
static void lf_check_output(const char *path)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) || st.st_size <= 0)
        lf_broke("the link succeeded without an output", path);
    size_t n = (size_t)st.st_size;
    void *m = mmap(NULL, n, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (m == MAP_FAILED)
        lf_broke("cannot map the output", path);
    keel_elf e;
    keel_error err;
    if (keel_elf_open(&e, m, n, &err))
        lf_broke("the output is not ELF the reader takes", err.msg);
    if (e.type != 2)
        lf_broke("the output is not ET_EXEC", NULL);
    /* what keel makes (headers, sections, segments, symbol and relocation
     * tables) the reader shows without an error; the contents of notes
     * are the inputs' (garbage in them is copied as it came) */
    walk w;
    (void)walk_elf, (void)walk_archive; /* (the whole-file walks are the reader fuzzer's) */
    walk_init(&w, m, n);
    walk_sections(&w, &e);
    walk_segments(&w, &e);
    walk_tables(&w, &e);
    if (w.violation)
        lf_broke("the reader broke a promise on the output", w.violation);
    if (w.rc)
        lf_broke("the reader finds an error in the output", w.first.msg);
    for (uint32_t i = 0; i < e.phnum; i++) {
        keel_phdr ph;
        if (keel_elf_phdr(&e, i, &ph, &err))
            lf_broke("an output program header the reader refuses", err.msg);
        if (ph.type == 1 /* PT_LOAD */ && (ph.flags & 3) == 3)
            lf_broke("a writable and executable segment", NULL);
    }
    munmap(m, n);
}

/* A failed link leaves no output and no temporary behind. */
static void lf_check_nothing_left(const char *out)
{
    if (access(out, F_OK) == 0)
        lf_broke("a failed link left an output", out);
    DIR *d = opendir(lf_dir);
    for (struct dirent *de; d && (de = readdir(d));)
        if (strncmp(de->d_name, "out.keel-", 9) == 0)
            lf_broke("a link left its temporary", de->d_name);
    if (d)
        closedir(d);
}

static int lf_link_one(const uint8_t *data, size_t size)
{
    static const uint8_t hex[] = {0xde, 0xad, 0xbe, 0xef};
    static const enum keel_build_id ids[] = {KEEL_BUILD_ID_NONE, KEEL_BUILD_ID_SHA1, KEEL_BUILD_ID_MD5,
                                             KEEL_BUILD_ID_HEX};
    static const char *const undefined[] = {"foo"};
    const size_t seplen = sizeof LF_SEPARATOR - 1;
    char paths[LF_MAX_INPUTS][300], out[300], map[300];
    keel_link_input inputs[LF_MAX_INPUTS];
    size_t ninputs = 0;
    uint8_t flags = 0, group = 0;
    lf_setup();
    lf_path(out, sizeof out, "out");
    lf_path(map, sizeof map, "map");
    const uint8_t *p = data, *end = data + size;
    while (ninputs < LF_MAX_INPUTS) {
        const uint8_t *sep = memmem(p, (size_t)(end - p), LF_SEPARATOR, seplen);
        const uint8_t *stop = sep ? sep : end;
        size_t n = (size_t)(stop - p);
        if (ninputs > 0 && !sep && n >= 1 && n <= 2) { /* the options */
            flags = p[0];
            group = n > 1 ? p[1] : 0;
            break;
        }
        snprintf(paths[ninputs], sizeof paths[ninputs], "%s/in%zu", lf_dir, ninputs);
        lf_write(paths[ninputs], p, n);
        inputs[ninputs] = (keel_link_input){.path = paths[ninputs],
                                            .group = ninputs && (group & 1) ? 1 : 0,
                                            .whole_archive = (group & 2) && ninputs == 1};
        ninputs++;
        if (!sep)
            break;
        p = sep + seplen;
    }
    keel_link_options opt = {
        .output = out,
        .inputs = inputs,
        .ninputs = ninputs,
        .gc_sections = flags & 1,
        .eh_frame_hdr = (flags & 2) != 0,
        .build_id = ids[(flags >> 2) & 3],
        .build_id_hex = hex,
        .build_id_hex_len = sizeof hex,
        .relro = !(flags & 16),
        .map_file = flags & 32 ? map : NULL,
        .entry = flags & 64 ? "main" : NULL,
        .undefined = undefined,
        .nundefined = flags & 128 ? 1 : 0,
    };
    keel_error err = {0};
    unlink(out);
    int rc = keel_link(&opt, &err);
    if (rc && !err.msg[0])
        lf_broke("a failed link without a message", NULL);
    if (!rc)
        lf_check_output(out);
    else
        lf_check_nothing_left(out);
    unlink(out);
    unlink(map);
    return rc;
}

#endif
