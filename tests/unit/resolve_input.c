/* The parsed input identity (lib/resolve/input.c) printed for every
 * object given, and every member of every archive given, so that
 * tests/resolve_input.t can hold it against `readelf -SW` and `readelf -gW`
 * of the same files: one line per file ("file NAME ORDINAL"), then one per
 * section:
 *   sec INDEX NAME TYPE FLAGS OFFSET SIZE ALIGN LINK INFO RELOCS GROUP CLASS DATA
 * numbers in hex, DATA 1 when the section's bytes point into the file at
 * its offset.  An object that does not parse prints "error MESSAGE". */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../lib/resolve/resolve.h"

static void *heap(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size);
}

static void show(const char *name, const char *path, const char *member, const uint8_t *data, size_t size,
                 uint32_t ordinal)
{
    kr_input_file f = {.name = name, .path = path, .member = member, .ordinal = ordinal};
    keel_error e;
    printf("file %s %u\n", name, ordinal);
    if (kr_input_open(&f, data, size, &e) || kr_input_sections(&f, heap, NULL, NULL, NULL, &e)) {
        printf("error %s\n", e.msg);
        return;
    }
    for (uint32_t i = 1; i < f.nsections; i++) {
        const kr_input_section *s = &f.sections[i];
        bool in_file = s->data == (s->type == 8 /* SHT_NOBITS */ ? NULL : data + s->offset);
        printf("sec %x %s %x %llx %llx %llx %llx %x %x %x %x %u %d\n", s->index, s->name ? s->name : "?", s->type,
               (unsigned long long)s->flags, (unsigned long long)s->offset, (unsigned long long)s->size,
               (unsigned long long)s->align, s->link, s->info, s->relocs, s->group, s->cls, in_file && s->file == &f);
    }
    printf("symtab %u\n", f.has_symtab ? f.symtab.section : 0);
    free(f.sections);
}

int main(int argc, char **argv)
{
    uint32_t ordinal = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_RDONLY);
        struct stat st;
        if (fd < 0 || fstat(fd, &st) || st.st_size == 0) {
            fprintf(stderr, "%s: cannot read\n", argv[i]);
            return 2;
        }
        const uint8_t *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        close(fd);
        if (map == MAP_FAILED)
            return 2;
        if (!keel_is_archive(map, (size_t)st.st_size)) {
            show(argv[i], argv[i], NULL, map, (size_t)st.st_size, ordinal++);
            continue;
        }
        keel_ar ar;
        keel_ar_member m;
        keel_error e;
        uint64_t pos = 0;
        if (keel_ar_open(&ar, map, (size_t)st.st_size, &e)) {
            fprintf(stderr, "%s: %s\n", argv[i], e.msg);
            return 2;
        }
        while (keel_ar_next(&ar, &pos, &m, &e) == 1) {
            if (m.special || !m.data)
                continue;
            uint32_t n = m.name_len;
            while (n && m.name[n - 1] == '/')
                n--;
            char member[256], name[4400];
            snprintf(member, sizeof member, "%.*s", (int)n, m.name);
            snprintf(name, sizeof name, "%s(%s)", argv[i], member);
            show(name, argv[i], member, m.data, m.size, ordinal++);
        }
    }
    return 0;
}
