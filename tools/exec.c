/* keel exec: the command line of the executable interpreter's clients
 * (exec_layout.c, exec_image.c, exec_run.c). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <keel/exec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "exec_clients.h"

int exec_pread(void *handle, uint64_t off, void *buf, size_t size, size_t *actual)
{
    int fd = *(int *)handle;
    size_t done = 0;
    while (done < size) {
        ssize_t r = pread(fd, (char *)buf + done, size - done, (off_t)(off + done));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return KEEL_E_IO;
        if (r == 0)
            break;
        done += (size_t)r;
    }
    *actual = done;
    return 0;
}

void exec_report(const char *path, int rc, const keel_exec_info *info)
{
    bool ours = rc <= KEEL_EX_NOT_EXECUTABLE && rc >= KEEL_EX_BAD_LAYOUT;
    fprintf(stderr, "keel: %s: %s: %s\n", path, keel_exec_status_name(rc), ours ? info->error.msg : "read error");
}

static const char *search_path(const char *name, char *buf, size_t size)
{
    const char *p = getenv("PATH");
    if (!p || !*p)
        p = "/usr/local/bin:/usr/bin:/bin";
    while (*p) {
        size_t n = strcspn(p, ":");
        int len = snprintf(buf, size, "%.*s%s%s", (int)n, p, n ? "/" : "", name);
        if (len > 0 && (size_t)len < size && access(buf, X_OK) == 0)
            return buf;
        p += n + (p[n] == ':');
    }
    return NULL;
}

static void usage(FILE *to)
{
    fputs("usage: keel exec [--argv0 NAME] [--nosuid] FILE [ARGS...]\n"
          "       keel exec --layout [--bias ADDR] FILE...\n"
          "       keel exec --image [--bias ADDR] FILE -o OUT\n"
          "Interpret executables with keel's executable interpreter.\n"
          "  (no mode)     run FILE in this process, as execve would: map it (and its\n"
          "                interpreter) as the interpreter directs and jump to it;\n"
          "                a FILE without a slash is looked up in PATH; a #! script\n"
          "                runs its interpreter, as execve does\n"
          "  --argv0 NAME  the program's argv[0] (default: FILE)\n"
          "  --nosuid      run a set-user-ID or set-group-ID program (or one with\n"
          "                file capabilities) with your own rights, as a nosuid mount\n"
          "                does; without it keel refuses such a program, which it\n"
          "                cannot give the file's rights\n"
          "  --layout      the record-only client: print each piece the interpreter\n"
          "                directs (file range, memory range, section-type bits) and the info\n"
          "  --image       the boot-image client: write the memory image, from the lowest\n"
          "                loaded address to the end of the last file byte, to OUT\n"
          "  --bias ADDR   load bias for a PIE (ET_DYN), e.g. 0x555555554000\n",
          to);
}

int cmd_exec(int argc, char **argv)
{
    enum { RUN, LAYOUT, IMAGE } mode = RUN;
    const char *out = NULL, *argv0 = NULL;
    bool nosuid = false;
    uint64_t bias = 0;
    int i = 1, status = 0;
    /* Options come before FILE; everything after FILE is the program's. */
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else if (strcmp(argv[i], "--layout") == 0) {
            mode = LAYOUT;
        } else if (strcmp(argv[i], "--image") == 0) {
            mode = IMAGE;
        } else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
            out = argv[++i];
        } else if (strcmp(argv[i], "--nosuid") == 0) {
            nosuid = true;
        } else if (strcmp(argv[i], "--argv0") == 0 && i + 1 < argc) {
            argv0 = argv[++i];
        } else if (strcmp(argv[i], "--bias") == 0 && i + 1 < argc) {
            char *end;
            bias = strtoull(argv[++i], &end, 0);
            if (*end || !*argv[i]) {
                fprintf(stderr, "keel exec: --bias: not a number: %s\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            fprintf(stderr, "keel exec: unknown option '%s'\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (i == argc) {
        fprintf(stderr, "keel exec: no input file\n");
        usage(stderr);
        return 2;
    }
    switch (mode) {
    case LAYOUT:
        for (; i < argc; i++)
            status |= exec_layout(argv[i], bias);
        return status;
    case IMAGE:
        /* -o may also follow FILE, as with objcopy */
        if (i + 3 == argc && strcmp(argv[i + 1], "-o") == 0)
            out = argv[i + 2];
        else if (i + 1 != argc)
            out = NULL;
        if (!out) {
            fprintf(stderr, "keel exec: --image takes one FILE and -o OUT\n");
            return 2;
        }
        return exec_image(argv[i], out, bias);
    case RUN: {
        /* Like the shell's exec: a name without a slash is looked up in PATH,
         * and argv[0] stays as typed. */
        char found[PATH_MAX];
        const char *path = argv[i];
        if (!strchr(path, '/') && !(path = search_path(argv[i], found, sizeof found))) {
            fprintf(stderr, "keel: %s: not found in PATH\n", argv[i]);
            return 127;
        }
        return exec_run(path, argv0, nosuid, argc - i, argv + i);
    }
    }
    return 2;
}
