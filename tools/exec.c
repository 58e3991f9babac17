/* keel exec: clients of the executable interpreter.  --layout is the
 * record-only client: it prints each callback and the info, loading
 * nothing. */
#include <errno.h>
#include <fcntl.h>
#include <keel/exec.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"

static int pread_all(void *handle, uint64_t off, void *buf, size_t size, size_t *actual)
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

static void type_string(unsigned t, char *buf, size_t n)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {KEEL_EXEC_ALLOC, "ALLOC"}, {KEEL_EXEC_LOAD, "LOAD"}, {KEEL_EXEC_DEBUG, "DEBUG"},
        {KEEL_EXEC_AOUT_SYMTAB, "AOUT_SYMTAB"}, {KEEL_EXEC_AOUT_STRTAB, "AOUT_STRTAB"},
        {KEEL_EXEC_ELF_SYMTAB, "ELF_SYMTAB"}, {KEEL_EXEC_ELF_STRTAB, "ELF_STRTAB"}, {KEEL_EXEC_DWARF, "DWARF"},
        {KEEL_EXEC_STABS, "STABS"}, {KEEL_EXEC_NOTE, "NOTE"}, {KEEL_EXEC_TLS, "TLS"},
    };
    size_t len = (size_t)snprintf(buf, n, "%c%c%c", t & KEEL_EXEC_READ ? 'R' : '-', t & KEEL_EXEC_WRITE ? 'W' : '-',
                                  t & KEEL_EXEC_EXECUTE ? 'X' : '-');
    for (size_t i = 0; i < sizeof names / sizeof names[0] && len < n; i++)
        if (t & names[i].bit)
            len += (size_t)snprintf(buf + len, n - len, " %s", names[i].name);
}

static int record(void *handle, uint64_t file_ofs, uint64_t file_size, uint64_t mem_addr, uint64_t mem_size,
                  unsigned type)
{
    char t[128];
    (void)handle;
    type_string(type, t, sizeof t);
    printf("  file 0x%08llx +0x%08llx  mem 0x%016llx +0x%08llx  %s\n", (unsigned long long)file_ofs,
           (unsigned long long)file_size, (unsigned long long)mem_addr, (unsigned long long)mem_size, t);
    return 0;
}

static void print_info(const keel_exec_info *in)
{
    printf("info:\n  format      %s%u %s-endian, machine %u (%s), type %s\n", in->format == 1 ? "ELF" : "a.out",
           in->elfclass == 2 ? 64u : 32u, in->byteorder == 1 ? "little" : "big", in->machine,
           keel_machine_name(in->machine) ? keel_machine_name(in->machine) : "?",
           in->type == 2 ? "EXEC" : "DYN");
    printf("  entry       0x%llx\n  load bias   0x%llx\n", (unsigned long long)in->entry,
           (unsigned long long)in->load_bias);
    printf("  image       0x%llx-0x%llx (file image to 0x%llx), max align 0x%llx\n",
           (unsigned long long)in->image_start, (unsigned long long)in->image_end,
           (unsigned long long)in->image_file_end, (unsigned long long)in->max_align);
    printf("  phdr        0x%llx (%u x %u)\n", (unsigned long long)in->phdr_addr, in->phnum, in->phentsize);
    printf("  interpreter %s\n", in->interp[0] ? in->interp : "(none)");
    if (in->has_tls)
        printf("  tls         0x%llx file 0x%llx mem 0x%llx align 0x%llx\n", (unsigned long long)in->tls_addr,
               (unsigned long long)in->tls_filesz, (unsigned long long)in->tls_memsz,
               (unsigned long long)in->tls_align);
    else
        printf("  tls         (none)\n");
    if (in->has_stack_flags)
        printf("  stack       %s\n", in->stack_flags & 1 ? "executable" : "not executable");
    else
        printf("  stack       (no PT_GNU_STACK)\n");
    if (in->relro_end)
        printf("  relro       0x%llx-0x%llx\n", (unsigned long long)in->relro_start, (unsigned long long)in->relro_end);
    else
        printf("  relro       (none)\n");
    printf("  build-id    ");
    for (uint32_t i = 0; i < in->build_id_len; i++)
        printf("%02x", in->build_id[i]);
    printf("%s\n", in->build_id_len ? "" : "(none)");
}

static int layout(const char *path, uint64_t bias)
{
    keel_exec_options opt = {.load_bias = bias, .report_debug = true, .report_notes = true};
    keel_exec_info info;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "keel: %s: cannot open: %s\n", path, strerror(errno));
        return 1;
    }
    printf("%s:\n", path);
    int rc = keel_exec_load(pread_all, record, &fd, &opt, &info);
    close(fd);
    fflush(stdout);
    if (rc) {
        fprintf(stderr, "keel: %s: %s: %s\n", path, keel_exec_status_name(rc),
                rc <= KEEL_EX_NOT_EXECUTABLE && rc >= KEEL_EX_BAD_LAYOUT ? info.error.msg : "error from the client");
        return 1;
    }
    print_info(&info);
    return 0;
}

static void usage(FILE *to)
{
    fputs("usage: keel exec --layout [--bias ADDR] FILE...\n"
          "Interpret executables with keel's executable interpreter.\n"
          "  --layout      the record-only client: print each piece the interpreter\n"
          "                directs (file range, memory range, section-type bits) and the info\n"
          "  --bias ADDR   load bias for a PIE (ET_DYN), e.g. 0x555555554000\n",
          to);
}

int cmd_exec(int argc, char **argv)
{
    bool want_layout = false;
    uint64_t bias = 0;
    int i = 1, status = 0;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "--layout") == 0) {
            want_layout = true;
        } else if (strcmp(argv[i], "--bias") == 0 && i + 1 < argc) {
            char *end;
            bias = strtoull(argv[++i], &end, 0);
            if (*end) {
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
    if (!want_layout || i == argc) {
        fprintf(stderr, "keel exec: %s\n", i == argc ? "no input files" : "only --layout is implemented yet");
        usage(stderr);
        return 2;
    }
    for (; i < argc; i++)
        status |= layout(argv[i], bias);
    return status;
}
