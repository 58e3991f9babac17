/* keel info FILE...: what an ELF file or archive contains. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "info.h"
#include "json.h"
#include "mapped_file.h"

typedef struct info_run {
    unsigned parts;
    bool json;
    out o;
    json j;
    int failures;
} info_run;

static void report(info_run *r, const char *file, const char *member, const char *msg)
{
    out_flush(&r->o);
    if (member)
        fprintf(stderr, "keel: %s(%s): %s\n", file, member, msg);
    else
        fprintf(stderr, "keel: %s: %s\n", file, msg);
    r->failures++;
}

/* One ELF image: a whole file or an archive member. */
static void show_elf(info_run *r, const char *file, const char *member, const void *data, size_t size)
{
    keel_elf e;
    keel_error err = {0};
    int rc = keel_elf_open(&e, data, size, &err);
    if (r->json) {
        int depth = r->j.depth;
        json_obj(&r->j);
        json_kstr(&r->j, "file", file);
        if (member)
            json_kstr(&r->j, "member", member);
        if (!rc)
            rc = info_json(&r->j, &e, r->parts, &err);
        if (rc) {
            json_unwind(&r->j, depth + 1);
            json_kstr(&r->j, "error", err.msg);
        }
        json_end(&r->j);
    } else {
        if (member) {
            out_str(&r->o, "\nFile: ");
            out_str(&r->o, file);
            out_chr(&r->o, '(');
            out_str(&r->o, member);
            out_str(&r->o, ")\n");
        }
        if (!rc)
            rc = info_text(&r->o, &e, r->parts, &err);
    }
    if (rc)
        report(r, file, member, err.msg);
}

static const char *symtab_kind_name(int k)
{
    switch (k) {
    case KEEL_AR_SYMTAB_GNU32: return "gnu";
    case KEEL_AR_SYMTAB_GNU64: return "gnu64";
    case KEEL_AR_SYMTAB_BSD: return "bsd";
    case KEEL_AR_SYMTAB_BSD64: return "bsd64";
    }
    return "none";
}

/* The path of a thin archive member: relative to the archive's directory. */
static char *thin_member_path(const char *archive, const char *name, size_t len)
{
    const char *slash = strrchr(archive, '/');
    size_t dir = (name[0] == '/' || !slash) ? 0 : (size_t)(slash - archive) + 1;
    char *p = malloc(dir + len + 1);
    if (!p)
        return NULL;
    memcpy(p, archive, dir);
    memcpy(p + dir, name, len);
    p[dir + len] = 0;
    return p;
}

static int archive_index(info_run *r, const keel_ar *ar, const char *file, keel_error *err)
{
    keel_ar_symbols s;
    const char *name;
    uint64_t member;
    int rc = keel_ar_symbols_begin(ar, &s, err);
    if (rc)
        return rc;
    if (r->json) {
        json_key(&r->j, "index");
        json_arr(&r->j);
    } else {
        out_str(&r->o, "\nIndex of archive ");
        out_str(&r->o, file);
        out_str(&r->o, ": (");
        out_dec(&r->o, s.count, 0);
        out_str(&r->o, " entries)\n  Member offset  Symbol\n");
    }
    while ((rc = keel_ar_symbols_next(&s, &name, &member, err)) == 1) {
        if (r->json) {
            json_obj(&r->j);
            json_kstr(&r->j, "symbol", name);
            json_ku64(&r->j, "member_offset", member);
            json_end(&r->j);
        } else {
            out_str(&r->o, "  ");
            out_0x(&r->o, member, 10);
            out_str(&r->o, "   ");
            out_str(&r->o, name);
            out_chr(&r->o, '\n');
        }
    }
    if (r->json)
        json_end(&r->j);
    return rc;
}

static void show_archive(info_run *r, const char *file, const void *data, size_t size)
{
    keel_ar ar;
    keel_ar_member m;
    keel_error err = {0};
    uint64_t pos = 0, count = 0;
    int rc = keel_ar_open(&ar, data, size, &err);
    int depth = r->j.depth;
    if (r->json) {
        json_obj(&r->j);
        json_kstr(&r->j, "file", file);
        json_key(&r->j, "archive");
        json_obj(&r->j);
        if (rc)
            goto fail;
        json_key(&r->j, "thin");
        json_bool(&r->j, ar.thin);
        json_kstr(&r->j, "symtab_kind", symtab_kind_name(ar.symtab_kind));
        if ((r->parts & PART_ARCHIVE_INDEX) && (rc = archive_index(r, &ar, file, &err)))
            goto fail;
        json_key(&r->j, "members");
        json_arr(&r->j);
    } else {
        if (rc)
            goto fail;
        while ((rc = keel_ar_next(&ar, &pos, &m, &err)) == 1)
            count += !m.special;
        if (rc)
            goto fail;
        if (r->parts & PART_ARCHIVE_MEMBERS) {
            out_str(&r->o, "\nArchive: ");
            out_str(&r->o, file);
            out_str(&r->o, ar.thin ? " (thin, " : " (");
            out_dec(&r->o, count, 0);
            out_str(&r->o, " members, symbol table: ");
            out_str(&r->o, symtab_kind_name(ar.symtab_kind));
            out_str(&r->o, ")\n  Header     Size       Name\n");
            pos = 0;
            while (keel_ar_next(&ar, &pos, &m, &err) == 1) {
                out_str(&r->o, "  ");
                out_0x(&r->o, m.header_offset, 8);
                out_chr(&r->o, ' ');
                out_dec(&r->o, m.size, 10);
                out_chr(&r->o, ' ');
                out_write(&r->o, m.name, m.name_len);
                out_str(&r->o, m.special ? "  (archive table)\n" : "\n");
            }
        }
        if ((r->parts & PART_ARCHIVE_INDEX) && (rc = archive_index(r, &ar, file, &err)))
            goto fail;
    }
    pos = 0;
    while ((rc = keel_ar_next(&ar, &pos, &m, &err)) == 1) {
        char name[4096];
        if (m.special)
            continue;
        snprintf(name, sizeof name, "%.*s", (int)m.name_len, m.name);
        if (r->json && !(r->parts & ~(unsigned)(PART_ARCHIVE_INDEX | PART_ARCHIVE_MEMBERS))) {
            json_obj(&r->j);
            json_kstr(&r->j, "name", name);
            json_ku64(&r->j, "offset", m.header_offset);
            json_ku64(&r->j, "size", m.size);
            json_end(&r->j);
            continue;
        }
        if (ar.thin) {
            mapped_file f;
            const char *why = strerror(ENOMEM);
            char *path = thin_member_path(file, m.name, m.name_len);
            if (!path || mapped_file_open(&f, path, &why) < 0) {
                char msg[4200];
                snprintf(msg, sizeof msg, "thin archive member %s: %s", path ? path : name, why);
                report(r, file, name, msg);
                free(path);
                continue;
            }
            if (keel_is_elf(f.data, f.size))
                show_elf(r, file, name, f.data, f.size);
            mapped_file_close(&f);
            free(path);
        } else if (keel_is_elf(m.data, m.size)) {
            show_elf(r, file, name, m.data, m.size);
        } else if (!r->json && (r->parts & PART_ARCHIVE_MEMBERS)) {
            out_str(&r->o, "\nFile: ");
            out_str(&r->o, file);
            out_chr(&r->o, '(');
            out_str(&r->o, name);
            out_str(&r->o, ")\n  (not an ELF file: ");
            out_dec(&r->o, m.size, 0);
            out_str(&r->o, " bytes)\n");
        }
    }
    if (rc)
        goto fail;
    if (r->json)
        json_unwind(&r->j, depth);
    return;
fail:
    if (r->json) {
        json_unwind(&r->j, depth + 1);
        json_kstr(&r->j, "error", err.msg);
        json_unwind(&r->j, depth);
    }
    report(r, file, NULL, err.msg);
}

static void show_file(info_run *r, const char *path, bool many)
{
    mapped_file f;
    const char *why;
    int rc = mapped_file_open(&f, path, &why);
    if (rc < 0) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s%s", rc == -1 ? "cannot open: " : "", why);
        if (r->json) {
            json_obj(&r->j);
            json_kstr(&r->j, "file", path);
            json_kstr(&r->j, "error", msg);
            json_end(&r->j);
        }
        report(r, path, NULL, msg);
        return;
    }
    if (keel_is_archive(f.data, f.size)) {
        show_archive(r, path, f.data, f.size);
    } else {
        if (many && !r->json) {
            out_str(&r->o, "\nFile: ");
            out_str(&r->o, path);
            out_chr(&r->o, '\n');
        }
        show_elf(r, path, NULL, f.data, f.size);
    }
    mapped_file_close(&f);
}

static const struct {
    const char *name;
    char letter;
    unsigned parts;
} options[] = {
    {"all", 'a', PART_ALL},
    {"file-header", 'h', PART_HEADER},
    {"sections", 'S', PART_SECTIONS},
    {"section-headers", 0, PART_SECTIONS},
    {"segments", 'l', PART_SEGMENTS},
    {"program-headers", 0, PART_SEGMENTS},
    {"symbols", 's', PART_SYMBOLS},
    {"syms", 0, PART_SYMBOLS},
    {"relocs", 'r', PART_RELOCS},
    {"notes", 'n', PART_NOTES},
    {"dynamic", 'd', PART_DYNAMIC},
    {"section-groups", 'g', PART_GROUPS},
    {"groups", 0, PART_GROUPS},
    {"archive-index", 'c', PART_ARCHIVE_INDEX},
    {"members", 'A', PART_ARCHIVE_MEMBERS},
};

static void usage(FILE *to)
{
    fputs("usage: keel info [options] FILE...\n"
          "Show what ELF files and ar archives contain (all parts when none is chosen).\n"
          "  -h, --file-header       the ELF file header\n"
          "  -S, --sections          section headers (alias --section-headers)\n"
          "  -l, --segments          program headers and the section-to-segment mapping\n"
          "  -s, --symbols           symbol tables, with versions (alias --syms)\n"
          "  -r, --relocs            REL, RELA and RELR relocations\n"
          "  -n, --notes             notes\n"
          "  -d, --dynamic           the dynamic section\n"
          "  -g, --section-groups    section groups (COMDAT)\n"
          "  -c, --archive-index     an archive's symbol index\n"
          "  -A, --members           an archive's member list\n"
          "  -a, --all               everything above\n"
          "  -W, --wide              accepted for readelf compatibility (output is always wide)\n"
          "      --json              one JSON document (an array of files)\n",
          to);
}

int cmd_info(int argc, char **argv)
{
    static info_run r;
    int nfiles = 0;
    char **files = calloc((size_t)argc + 1, sizeof *files);
    if (!files)
        return 2;
    r.parts = 0;
    r.json = false;
    r.failures = 0;
    bool opts_done = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts_done || a[0] != '-' || a[1] == 0) {
            files[nfiles++] = argv[i];
            continue;
        }
        if (strcmp(a, "--") == 0) {
            opts_done = true;
            continue;
        }
        if (a[1] == '-') {
            const char *n = a + 2;
            bool found = false;
            if (strcmp(n, "json") == 0) {
                r.json = true;
                continue;
            }
            if (strcmp(n, "wide") == 0)
                continue;
            if (strcmp(n, "help") == 0) {
                usage(stdout);
                free(files);
                return 0;
            }
            for (size_t k = 0; k < sizeof options / sizeof options[0]; k++)
                if (strcmp(n, options[k].name) == 0) {
                    r.parts |= options[k].parts;
                    found = true;
                }
            if (!found) {
                fprintf(stderr, "keel info: unknown option '%s'\n", a);
                usage(stderr);
                free(files);
                return 2;
            }
            continue;
        }
        for (const char *c = a + 1; *c; c++) {
            bool found = *c == 'W';
            for (size_t k = 0; k < sizeof options / sizeof options[0]; k++)
                if (options[k].letter == *c) {
                    r.parts |= options[k].parts;
                    found = true;
                }
            if (!found) {
                fprintf(stderr, "keel info: unknown option '-%c'\n", *c);
                usage(stderr);
                free(files);
                return 2;
            }
        }
    }
    if (nfiles == 0) {
        fprintf(stderr, "keel info: no input files\n");
        usage(stderr);
        free(files);
        return 2;
    }
    if (r.parts == 0)
        r.parts = PART_ALL;
    out_init(&r.o, STDOUT_FILENO);
    json_init(&r.j, &r.o);
    if (r.json)
        json_arr(&r.j);
    for (int i = 0; i < nfiles; i++)
        show_file(&r, files[i], nfiles > 1);
    if (r.json)
        json_end(&r.j);
    out_flush(&r.o);
    free(files);
    if (r.o.failed) {
        fprintf(stderr, "keel info: write error: %s\n", strerror(errno));
        return 1;
    }
    return r.failures ? 1 : 0;
}
