/* keel exec --layout: the record-only client.  It prints each piece the
 * interpreter directs and the info, loading nothing: the first pass of a
 * boot loader, made visible. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exec_clients.h"
#include "mapped_file.h"

static void type_string(unsigned t, char *buf, size_t n)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {KEEL_EXEC_ALLOC, "ALLOC"},
        {KEEL_EXEC_LOAD, "LOAD"},
        {KEEL_EXEC_DEBUG, "DEBUG"},
        {KEEL_EXEC_AOUT_SYMTAB, "AOUT_SYMTAB"},
        {KEEL_EXEC_AOUT_STRTAB, "AOUT_STRTAB"},
        {KEEL_EXEC_ELF_SYMTAB, "ELF_SYMTAB"},
        {KEEL_EXEC_ELF_STRTAB, "ELF_STRTAB"},
        {KEEL_EXEC_DWARF, "DWARF"},
        {KEEL_EXEC_STABS, "STABS"},
        {KEEL_EXEC_NOTE, "NOTE"},
        {KEEL_EXEC_TLS, "TLS"},
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
           keel_machine_name(in->machine) ? keel_machine_name(in->machine) : "?", in->type == 2 ? "EXEC" : "DYN");
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

int exec_layout(const char *path, uint64_t bias)
{
    keel_exec_options opt = {.load_bias = bias, .report_debug = true, .report_notes = true};
    keel_exec_info info;
    const char *why;
    int fd = open_regular(path, NULL, &why);
    if (fd < 0) {
        fprintf(stderr, "keel: %s: %s%s\n", path, fd == -1 ? "cannot open: " : "", why);
        return 1;
    }
    printf("%s:\n", path);
    int rc = keel_exec_load(exec_pread, record, &fd, &opt, &info);
    close(fd);
    fflush(stdout);
    if (rc) {
        exec_report(path, rc, &info);
        return 1;
    }
    print_info(&info);
    return 0;
}
