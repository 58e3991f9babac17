/* keel_link: the link's driver.  It reads the inputs in command-line
 * order, takes archive members by GNU ld's rules (groups searched again
 * until nothing changes, --whole-archive), resolves every global symbol,
 * reports undefined references as ld.bfd does, writes the first
 * part of GNU ld's map, lays the sections out by segments and writes the
 * executable (layout.c, relocate.c, output.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../diag.h"
#include "../regular_file.h"
#include "export_policy.h"
#include "dso.h"
#include "image.h"
#include "mapfile.h"

/* A thread working ahead of the link's order (fill.c's helper) holds its
 * messages back: lk_fail and lk_diag only note that one came, and the
 * main thread does that work again, in order, saying them. */
static _Thread_local bool *held;

void lk_hold_messages(bool *met) { held = met; }

int lk_fail(lk_link *l, int code, const char *fmt, ...)
{
    if (held) {
        *held = true;
        return code ? code : KEEL_E_FORMAT;
    }
    char msg[sizeof l->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return keel_error_set(l->err, code, 0, "%s", msg);
}

void lk_diag(const lk_link *l, int level, const char *fmt, ...)
{
    /* whole, however long (a .gnu.warning's text is the input's) */
    if (held) {
        *held = true;
        return;
    }
    char buf[1024], *msg = buf;
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    if (n >= (int)sizeof buf && (msg = malloc((size_t)n + 1)))
        vsnprintf(msg, (size_t)n + 1, fmt, again);
    va_end(again);
    va_end(ap);
    if (level == KEEL_DIAG_WARNING && l->warnings)
        ++*l->warnings;
    kd_emit(l->opt->diag, l->opt->diag_ctx, level, msg ? msg : buf);
    if (msg != buf)
        free(msg);
}

int lk_map_file(lk_link *l, const char *path, const uint8_t **data, size_t *size)
{
    struct stat st;
    int fd = kf_open_regular(path, &st); /* a FIFO must not hang the link */
    if (fd == -2)
        return lk_fail(l, KEEL_E_IO, "%s: not a regular file (%s)", path, kf_file_kind(st.st_mode));
    if (fd < 0)
        return lk_fail(l, KEEL_E_IO, "%s: cannot open: %s", path, strerror(errno));
    if (l->out_known && st.st_dev == (dev_t)l->out_dev && st.st_ino == (ino_t)l->out_ino) {
        close(fd); /* ld.bfd's words; the input stays as it was */
        return lk_fail(l, KEEL_E_IO, "input file '%s' is the same as output file", path);
    }
    *size = (size_t)st.st_size;
    void *m = *size ? mmap(NULL, *size, PROT_READ, MAP_PRIVATE, fd, 0) : NULL;
    close(fd);
    if (m == MAP_FAILED)
        return lk_fail(l, KEEL_E_IO, "%s: cannot map: %s", path, strerror(errno));
    if (l->nmaps == l->capmaps) {
        size_t cap = l->capmaps ? 2 * l->capmaps : 64;
        void *v = realloc(l->maps, cap * sizeof *l->maps);
        if (!v) {
            munmap(m, *size);
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        }
        l->maps = v;
        l->capmaps = cap;
    }
    l->maps[l->nmaps].map = m;
    l->maps[l->nmaps++].size = *size;
    *data = m;
    return 0;
}

/* The archives of one group, searched again until a whole pass takes
 * nothing. */
int lk_close_group(lk_link *l, uint32_t group)
{
    bool again = true;
    while (again) {
        again = false;
        for (size_t i = 0; i < l->narchives; i++)
            if (l->archives[i].group == group) {
                int rc = lk_scan_archive(l, &l->archives[i], &again);
                if (rc)
                    return rc;
            }
        int rc = l->ndsos ? lk_dso_rescan(l, group, &again) : 0; /* dso.c: unused --as-needed libraries */
        if (rc)
            return rc;
    }
    return 0;
}

int lk_add_input(lk_link *l, const char *path, uint32_t group, bool whole, int depth)
{
    const uint8_t *data = NULL;
    size_t size = 0;
    if (depth > 8)
        return lk_fail(l, KEEL_E_FORMAT, "%s: linker scripts nested too deep", path);
    int rc = lk_map_file(l, path, &data, &size);
    if (rc)
        return rc;
    if (size == 0)
        return 0; /* an empty linker script to ld.bfd, which links it as nothing (and it is not mapped: NULL) */
    if (keel_is_archive(data, size)) {
        lk_archive *a;
        bool taken = false;
        rc = lk_open_archive(l, path, data, size, group, &a);
        if (!rc)
            rc = whole ? lk_take_all(l, a) : lk_scan_archive(l, a, &taken);
        return rc;
    }
    if (size >= 4 && memcmp(data, "\177ELF", 4) == 0) {
        if (size >= 18 && data[16] == 3 && data[17] == 0) /* ET_DYN (little-endian, as every x86-64 file) */
            return lk_add_dso(l, path, data, size, l->in_as_needed, group);
        return lk_add_object(l, path, NULL, data, size, NULL);
    }
    if (size >= 4 && memcmp(data, "BC\xc0\xde", 4) == 0)
        return lk_fail(l, KEEL_E_UNSUPPORTED,
                       "%s: LLVM bitcode (an LTO object): keel does not link LTO objects; "
                       "build without -flto",
                       path);
    if (memchr(data, 0, size) == NULL && (memmem(data, size, "GROUP", 5) || memmem(data, size, "INPUT", 5)))
        return lk_add_script(l, path, (const char *)data, size, group, whole, depth);
    return lk_fail(l, KEEL_E_NOT_ELF, "%s: file format not recognized (neither ELF, an archive nor a linker script)",
                   path);
}

static int read_inputs(lk_link *l)
{
    const keel_link_options *opt = l->opt;
    uint32_t open_group = 0;
    for (size_t i = 0; i < opt->ninputs; i++)
        if (opt->inputs[i].group > l->next_group)
            l->next_group = opt->inputs[i].group; /* scripts' groups come after */
    for (size_t i = 0; i < opt->ninputs; i++) {
        const keel_link_input *in = &opt->inputs[i];
        if (open_group && in->group != open_group) {
            int rc = lk_close_group(l, open_group);
            if (rc)
                return rc;
        }
        open_group = in->group;
        l->in_as_needed = in->as_needed, l->in_static = in->bstatic; /* for a shared library, or a script's */
        l->in_searched = in->searched;
        int rc = lk_add_input(l, in->path, in->group, in->whole_archive, 0);
        if (rc)
            return rc;
    }
    return open_group ? lk_close_group(l, open_group) : 0;
}

/* .gnu.warning.SYM: its text is a warning for whoever uses SYM (glibc's
 * "Using 'getservbyport' in statically linked applications..."), printed
 * once, naming the first file that references it. */
static void link_warnings(lk_link *l)
{
    for (size_t fi = 0; fi < l->nfiles; fi++) {
        lk_file *f = l->files[fi];
        for (uint32_t i = 1; i < f->elf.shnum; i++) {
            keel_shdr sh;
            const char *name = f->sections[i].name; /* (the names read once, by kr_input_sections) */
            const uint8_t *data;
            uint64_t size;
            if (!(f->sections[i].names & KR_NAME_GNU) || !name || strncmp(name, ".gnu.warning", 12) != 0 ||
                keel_elf_shdr(&f->elf, i, &sh, NULL) || keel_elf_section_data(&f->elf, &sh, &data, &size, NULL))
                continue;
            const char *who = f->name;
            if (name[12] == '.') {
                lk_sym *s = lk_sym_find(&l->syms, name + 13, lk_hash(name + 13));
                if (!s || !s->ref || s->ref == f)
                    continue;
                who = s->ref->name;
            }
            lk_diag(l, KEEL_DIAG_WARNING, "%s: warning: %.*s", who, (int)strnlen((const char *)data, size),
                    (const char *)data);
        }
    }
}

/* Names the link-editor itself defines (static-link-needs.md): they are
 * not undefined, though no input defines them. */
static bool linker_defined(const lk_link *l, const char *name)
{
    static const char *const names[] = {
        "__ehdr_start",
        "__executable_start",
        "_end",
        "end",
        "_etext",
        "etext",
        "__etext",
        "_edata",
        "edata",
        "__bss_start",
        "__preinit_array_start",
        "__preinit_array_end",
        "__init_array_start",
        "__init_array_end",
        "__fini_array_start",
        "__fini_array_end",
        "_GLOBAL_OFFSET_TABLE_",
        "__rela_iplt_start",
        "__rela_iplt_end",
        "_TLS_MODULE_BASE_",
        "__GNU_EH_FRAME_HDR",
        "_DYNAMIC",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return true;
    if (lk_seg_size_symbol(l, name, NULL))
        return true;
    /* __start_SEC and __stop_SEC, for a section SEC some input has */
    const char *sec = strncmp(name, "__start_", 8) == 0 ? name + 8 : strncmp(name, "__stop_", 7) == 0 ? name + 7 : NULL;
    for (size_t i = 0; sec && i < l->nfiles; i++)
        for (uint32_t k = 1; k < l->files[i]->elf.shnum; k++) {
            const char *sn = l->files[i]->sections[k].name; /* (read once, by kr_input_sections) */
            if (sn && strcmp(sn, sec) == 0)
                return true;
        }
    return false;
}

/* Undefined references, after the layout: an undefined symbol is an error
 * only where a relocation of a linked section uses it, as in ld.bfd (a
 * symbol only declared, or used only by a section --gc-sections dropped,
 * or named by -u, is not).  The relocations are walked only when some
 * symbol is undefined.  Each reference is said as ld.bfd says it
 * (undefined.c), the error keeping the first; --warn-unresolved-symbols
 * and --noinhibit-exec go on (the references become 0), and
 * --unresolved-symbols=ignore-all says nothing. */
static int check_undefined(lk_link *l)
{
    const keel_link_options *opt = l->opt;
    size_t candidates = 0;
    for (size_t i = 0; i < l->syms.cap; i++) {
        lk_sym *s = l->syms.v[i];
        if (!s)
            continue;
        /* __tls_get_addr is reached only by the TLS sequences a static
         * link relaxes to local-exec; a reference left is reported where
         * it is relocated */
        s->mark = s->state == LK_UNDEF && !linker_defined(l, s->name) && strcmp(s->name, "__tls_get_addr") != 0;
        candidates += s->mark;
    }
    if (!candidates)
        return 0;
    if (opt->shared && !opt->no_undefined) { /* the dynamic linker's to bind (ld.bfd's default) */
        l->undef_ok = true;
        return 0;
    }
    if (opt->ignore_unresolved || opt->warn_unresolved || opt->noinhibit_exec)
        l->undef_ok = true;
    if (opt->ignore_unresolved)
        return 0;
    return lk_report_undefined(l); /* undefined.c: each reference, in ld.bfd's words */
}

/* GNU ld's map: why each archive member is in, then the memory map. */
static int write_map(lk_link *l)
{
    FILE *f = fopen(l->opt->map_file, "w");
    if (!f)
        return lk_fail(l, KEEL_E_IO, "%s: cannot write the map: %s", l->opt->map_file, strerror(errno));
    fputs("Archive member included to satisfy reference by file (symbol)\n\n", f);
    for (size_t i = 0; i < l->ntaken; i++) {
        const lk_taken *t = &l->taken[i];
        int len = fprintf(f, "%s", t->member->name);
        if (len >= 29) {
            fputc('\n', f);
            len = 0;
        }
        if (t->by)
            fprintf(f, "%*s%s (%s)\n", 30 - len, "", t->by->name, t->symbol);
        else /* -u: no file asked for it */
            fprintf(f, "%*s(%s)\n", 30 - len, "", t->symbol ? t->symbol : "");
    }
    /* the memory map: each output section, and the inputs in it */
    if (lk_seg_role(l, LK_ROLE_TEXT)->nsecs) {
        fputs("\nMemory map\n\n", f);
        for (size_t s = 0; s < l->nsegs; s++)
            for (size_t i = 0; i < l->segs[s]->nsecs; i++) {
                const lk_osec *o = l->segs[s]->secs[i];
                fprintf(f, "%-15s%s0x%016llx %#10llx\n", o->name, strlen(o->name) >= 15 ? "\n               " : "",
                        (unsigned long long)o->addr, (unsigned long long)o->size);
                for (size_t k = 0; k < o->npieces; k++) {
                    const lk_piece *p = &o->pieces[k];
                    keel_shdr sh;
                    const char *in = o->pool ? "(merged strings)"
                                             : "COMMON"; /* a piece of no input: strings or TLS commons */
                    if (p->file && !keel_elf_shdr(&p->file->elf, p->shndx, &sh, NULL))
                        keel_elf_section_name(&p->file->elf, &sh, &in, NULL);
                    fprintf(f, " %-14s%s0x%016llx %#10llx %s\n", in, strlen(in) >= 14 ? "\n               " : "",
                            (unsigned long long)(o->addr + p->offset), (unsigned long long)p->size,
                            p->file ? p->file->name : "");
                }
            }
    }
    if (fclose(f))
        return lk_fail(l, KEEL_E_IO, "%s: cannot write the map: %s", l->opt->map_file, strerror(errno));
    return 0;
}

/* --wrap and -y, as tables the inputs' symbols are looked up in: --wrap=X
 * sends undefined X to __wrap_X and undefined __real_X to X (defsym holds
 * the name it goes to). */
static int symbol_options(lk_link *l)
{
    const keel_link_options *opt = l->opt;
    for (size_t i = 0; i < opt->nwrap; i++) {
        const char *x = opt->wrap[i];
        size_t n = strlen(x);
        char *wrap = lk_alloc(&l->arena, n + 8), *real = lk_alloc(&l->arena, n + 8);
        if (!wrap || !real)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        memcpy(wrap, "__wrap_", 7);
        memcpy(real, "__real_", 7);
        memcpy(wrap + 7, x, n + 1);
        memcpy(real + 7, x, n + 1);
        lk_sym *w = lk_sym_intern(&l->wraps, &l->arena, x, lk_hash(x));
        lk_sym *r = lk_sym_intern(&l->wraps, &l->arena, real, lk_hash(real));
        if (!w || !r)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        w->defsym = wrap;
        r->defsym = x;
    }
    for (size_t i = 0; i < opt->ntrace_symbols; i++)
        if (!lk_sym_intern(&l->traces, &l->arena, opt->trace_symbols[i], lk_hash(opt->trace_symbols[i])))
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    return 0;
}

/* The passes after setup, in order, over the one context; each is its own
 * function, most in a file of their own.  The order is mold's main.cc's
 * and lld's Writer::run's: inputs read and symbols resolved, dead
 * sections dropped, input sections placed, relocations scanned (what
 * each symbol needs: GOT slots, IPLT entries, the TLS model), the
 * synthetic sections those needs size, undefined references checked,
 * addresses assigned, symbols given their final values, the file
 * written, its build ID computed, the map, the file renamed into place.
 * A pass returns 0 or the link's error (lk_fail); the first error stops
 * the link and nothing is left of the output.  docs/design.md says how
 * to add one. */
static int pass_read(lk_link *l)
{
    int rc = read_inputs(l);
    if (!rc && l->ndsos)
        rc = lk_dso_load_needed(l); /* dso_needed.c: what the shared libraries need */
    if (!rc)
        rc = lk_dyn_join(l); /* dyn_import.c: -no-pie with a shared library is dynamic */
    if (!rc)
        link_warnings(l);
    return rc;
}

/* the symbol policy of a dynamic output (export_policy.c); a static
 * executable has no dynamic symbols */
static int pass_policy(lk_link *l)
{
    enum lk_out_kind kind = lk_output_kind(l);
    int rc = kind == LK_OUT_STATIC ? 0 : lk_policy_apply(l, kind);
    return rc ? rc : lk_import_exports(l); /* what shared libraries reference (dyn_import.c) */
}

static int pass_gc(lk_link *l) { return l->opt->gc_sections ? lk_gc_sections(l) : 0; }

static int pass_map(lk_link *l) { return l->opt->map_file ? write_map(l) : 0; }

static const struct lk_pass {
    const char *name; /* for KEEL_TIME_PASSES */
    int (*run)(lk_link *);
} passes[] = {
    {"read inputs, resolve", pass_read},              /* link.c, object.c, archive.c, lib/resolve */
    {"symbol policy", pass_policy},                   /* export_policy.c: .dynsym's, versions */
    {"garbage-collect", pass_gc},                     /* gc.c (--gc-sections) */
    {"place input sections", lk_place_sections},      /* layout.c, merge.c, ehedit.c */
    {"scan relocations", lk_scan_relocs},             /* scan.c: per-symbol needs */
    {"place synthetic sections", lk_place_synthetic}, /* layout.c: .got, .iplt, commons... */
    {"check undefined", check_undefined},             /* link.c */
    {"shared libraries", lk_dso_check},               /* dso_needed.c: their undefined references */
    {"assign addresses", lk_pass_addresses},          /* assign.c, layout.c, phdrs.c */
    {"finalize symbols", lk_pass_symbols},            /* symtab.c */
    {"write", lk_pass_write},                         /* output.c, relocate.c */
    {"build ID", lk_pass_build_id},                   /* build_id.c */
    {"map", pass_map},                                /* link.c (-Map): before the commit, so a map */
    {"commit", lk_pass_commit},                       /* that fails leaves no output, as in ld.bfd */
};

/* -r: the inputs read and resolved as for an executable, then one pass
 * writes the relocatable object (relocatable.c). */
static const struct lk_pass relocatable_passes[] = {
    {"read inputs, resolve", pass_read},
    {"write relocatable", lk_write_relocatable},
};

/* KEEL_TIME_PASSES set (to anything but 0): each pass's wall-clock time,
 * as a note through the link's diagnostics callback. */
static bool time_passes(void)
{
    const char *v = getenv("KEEL_TIME_PASSES");
    return v && *v && strcmp(v, "0") != 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Setup: the context, the options' symbols (-u, --defsym, --wrap, -y)
 * and the segment model with the options' edits.  Nothing is read yet. */
static int setup(lk_link *l)
{
    const keel_link_options *opt = l->opt;
    if (opt->relocatable) {
        int rc = lk_relocatable_options(l);
        if (rc)
            return rc;
    }
    /* the output as it stands, if it does: no input may be it (whatever
     * path, archive or script names it), or writing would destroy it */
    struct stat out;
    if (stat(opt->output ? opt->output : "a.out", &out) == 0)
        l->out_known = true, l->out_dev = out.st_dev, l->out_ino = out.st_ino;
    for (size_t i = 0; i < opt->nundefined; i++) { /* -u: as if referenced */
        lk_sym *s = lk_sym_intern(&l->syms, &l->arena, opt->undefined[i], lk_hash(opt->undefined[i]));
        if (!s)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        s->state = LK_UNDEF;
    }
    for (size_t i = 0; i < opt->ndefsyms; i++) {
        lk_sym *s = lk_sym_intern(&l->syms, &l->arena, opt->defsyms[i].name, lk_hash(opt->defsyms[i].name));
        if (!s)
            return lk_fail(l, KEEL_E_NOMEM, "out of memory");
        s->defsym = opt->defsyms[i].expr, s->state = LK_DEFINED;
    }
    int rc = symbol_options(l);
    if (!rc) /* version scripts and dynamic lists: read and checked in every link, as ld.bfd */
        rc = lk_policy_read(l);
    if (rc)
        return rc;
    if (!(l->img = lk_zalloc(&l->arena, sizeof *l->img)))
        return lk_fail(l, KEEL_E_NOMEM, "out of memory");
    if ((rc = lk_dyn_setup(l))) /* -pie, -static-pie (dyn_scan.c) */
        return rc;
    rc = lk_segments_default(l); /* the segment model, with the options' edits */
    if (!rc && opt->nmapfiles)   /* then the mapfiles' (mapfile_link.c) */
        rc = lk_read_mapfiles(l);
    if (!rc && opt->print_mapfile) /* --print-mapfile (mapfile_apply_print.c) */
        rc = lk_print_mapfile(l, opt->print_mapfile);
    return rc;
}

static int open_link(const keel_link_options *opt, keel_error *err, lk_link **out)
{
    lk_link *l = calloc(1, sizeof *l); /* the context itself; all else in its arena */
    *out = NULL;
    if (!l)
        return keel_error_set(err, KEEL_E_NOMEM, 0, "out of memory");
    l->opt = opt;
    l->err = err;
    l->warnings = &l->nwarnings;
    int rc = setup(l);
    if (rc)
        keel_link_close(l);
    else
        *out = l;
    return rc;
}

keel_linker *keel_link_open(const keel_link_options *opt, keel_error *err)
{
    lk_link *l;
    open_link(opt, err, &l);
    return l;
}

int keel_link_run(keel_linker *l)
{
    if (l->ran)
        return lk_fail(l, KEEL_E_UNSUPPORTED, "keel_link_run: the link has run already");
    l->ran = true;
    bool timed = time_passes();
    /* the one switch of the output's kind */
    const struct lk_pass *list = l->opt->relocatable ? relocatable_passes : passes;
    size_t n = l->opt->relocatable ? sizeof relocatable_passes / sizeof relocatable_passes[0]
                                   : sizeof passes / sizeof passes[0];
    for (size_t i = 0; i < n; i++) {
        double t0 = timed ? now_ms() : 0;
        int rc = list[i].run(l);
        if (timed)
            lk_diag(l, KEEL_DIAG_NOTE, "time: %-26s %9.3f ms", list[i].name, now_ms() - t0);
        if (rc) {
            lk_eh_frame_abandon(l); /* (a failed scan: the .eh_frame parse's messages still come) */
            lk_image_free(l);       /* an output opened is removed */
            return rc;
        }
    }
    l->linked = true;
    return 0;
}

void keel_link_close(keel_linker *l)
{
    if (!l)
        return;
    lk_eh_frame_join(l); /* (a parse still running when a pass failed) */
    lk_image_free(l);
    lk_mapfile_free(l); /* a mapfile's regular expressions */
    for (size_t s = 0; s < l->nsegs; s++)
        for (size_t i = 0; i < l->segs[s]->nsecs; i++)
            lk_merge_free(l->segs[s]->secs[i]);
    for (size_t i = 0; i < l->nmaps; i++)
        munmap(l->maps[i].map, l->maps[i].size);
    free(l->maps);
    free(l->archives);
    lk_arena_free(&l->arena);
    free(l);
}

int keel_link(const keel_link_options *opt, keel_error *err) { return lk_link_edited(opt, err, NULL, NULL); }

int lk_link_edited(const keel_link_options *opt, keel_error *err, int (*edit)(lk_link *, void *), void *ctx)
{
    keel_linker *l;
    int rc = open_link(opt, err, &l);
    if (rc)
        return rc;
    rc = edit ? edit(l, ctx) : 0; /* the caller's edits of the segment model (a mapfile's) */
    if (!rc)
        rc = keel_link_run(l);
    keel_link_close(l);
    return rc;
}
