/* keel link ARGS... (and keel invoked as ld, ld.keel, ld.keel-*): GNU ld's
 * command line, as gcc's collect2 and clang pass it for static links, turned
 * into keel_link_options for keel_link().
 *
 * What is GNU's and what is keel's:
 *   - options take one or two dashes and "=VALUE" or a separate VALUE, and
 *     abbreviations, as GNU ld's getopt_long_only reads them over ld.bfd's
 *     own option table (ld_getopt.c rewrites the words first: the parser
 *     below sees --NAME for every long option and -X for a short one);
 *   - -M prints the map on standard output, as GNU ld's -M; Solaris mapfiles
 *     come through --mapfile FILE, and --print-mapfile prints the layout as one;
 *   - -lNAME searches the -L directories, then ld.bfd's own default
 *     directories for x86-64 Debian in ld.bfd's order (not with -nostdlib);
 *   - messages are ld.bfd's ("unrecognized option", "cannot find -lfoo"),
 *     prefixed "keel ld:", exit status 1;
 *   - --keel-print-plan prints the resolved inputs and options and stops
 *     (tests/ld_args.t checks the parse against ld.bfd --trace with it). */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "diag.h"
#include "ld_args.h"
#include "ld_getopt.h"
#include "mapped_file.h"

#ifndef KEEL_VERSION
#define KEEL_VERSION "0.1.0"
#endif

/* ld.bfd's SEARCH_DIR list for elf_x86_64 on Debian (ld --verbose), so a
 * -l finds the file ld.bfd would. */
static const char *const default_dirs[] = {
    "/usr/local/lib/x86_64-linux-gnu",
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu64",
    "/usr/local/lib64",
    "/lib64",
    "/usr/lib64",
    "/usr/local/lib",
    "/lib",
    "/usr/lib",
    "/usr/x86_64-linux-gnu/lib64",
    "/usr/x86_64-linux-gnu/lib",
};

static int nerrors;

static void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("keel ld: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    nerrors++;
}

static void warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("keel ld: warning: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Grow an array by one zeroed element; the process is short-lived and an
 * allocation failure ends it, so callers need no error path. */
static void *push(void *arr, size_t *n, size_t size)
{
    char *p = realloc(arr, (*n + 1) * size);
    if (!p) {
        fputs("keel ld: out of memory\n", stderr);
        exit(1);
    }
    memset(p + *n * size, 0, size);
    (*n)++;
    return p;
}

static char *xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) {
        fputs("keel ld: out of memory\n", stderr);
        exit(1);
    }
    return d;
}

/* What -v and --version print.  Configure scripts read it: "GNU" makes
 * libtool take keel for GNU ld; libtool then drops the first parenthesis
 * (and the blanks after it) and reads what is left as GNU ld's version:
 * " 0." or " 1." anywhere is a GNU ld older than 2.11, which it thinks
 * cannot take version scripts, so a library built with -export-symbols
 * exported every global.  keel's own version goes in the parenthesis,
 * where GNU ld has its package's name. */
#define VERSION_LINE "keel ld (keel %s) GNU-compatible link-editor\n"

static void usage(FILE *to)
{
    fputs("usage: keel link [OPTIONS] FILE...   (or: ld, ld.keel [OPTIONS] FILE...)\n"
          "GNU ld's command line for x86-64 executables (static, PIE, dynamic), shared\n"
          "libraries and relocatable objects:\n"
          "  -o FILE  -e SYM  -L DIR  -l NAME  -l :FILE  -u SYM  --defsym NAME=EXPR\n"
          "  -static -Bstatic -Bdynamic -dn -dy  -m elf_x86_64  -nostdlib\n"
          "  --start-group ... --end-group  -( ... -)  --whole-archive  --no-whole-archive\n"
          "  --as-needed  --no-as-needed  --push-state  --pop-state\n"
          "  -rpath DIR  -rpath-link DIR  --allow-shlib-undefined  --no-allow-shlib-undefined\n"
          "  --build-id[=sha1|md5|uuid|0xHEX|none]  --eh-frame-hdr  --gc-sections\n"
          "  -z noexecstack|execstack|relro|norelro|now|lazy|muldefs  -t (--trace)  --verbose\n"
          "  -z separate-code|noseparate-code  -z max-page-size=N  -z common-page-size=N\n"
          "  -Ttext-segment ADDR (--image-base)  -Ttext ADDR  -Tdata ADDR  -Tbss ADDR\n"
          "  --section-start NAME=ADDR\n"
          "  --allow-multiple-definition  --unresolved-symbols=ignore-all|report-all|...\n"
          "  --warn-unresolved-symbols  --noinhibit-exec  --wrap SYM  -y SYM (--trace-symbol)\n"
          "  --warn-common (ld.bfd's warnings of commons meeting commons and definitions)\n"
          "  -Map FILE (a map file)  -M (the map on standard output, as GNU ld)\n"
          "  -s (--strip-all)  -S (--strip-debug)  -x (--discard-all)  -X (--discard-locals)\n"
          "  --discard-none  -q (--emit-relocs)  --print-gc-sections  --no-gc-sections\n"
          "  --sort-section=name|alignment  --sysroot=DIR  -O LEVEL  -v  --version  @FILE\n"
          "  --symbol-ordering-file FILE  --no-warn-symbol-ordering  --[no-]address-map (.keel.addrmap)\n"
          "  --mapfile FILE  a Solaris mapfile (version 2) that edits the layout (docs/linker.md)\n"
          "  --print-mapfile  the layout's segments and criteria, as a mapfile, on standard output\n"
          "  -r (-i, --relocatable)  a relocatable object, as ld.bfd -r (docs/linker.md)\n"
          "  --version-script FILE  --dynamic-list FILE  --dynamic-list-data  --dynamic-list-cpp-new\n"
          "  --dynamic-list-cpp-typeinfo  --export-dynamic-symbol GLOB  -E (--export-dynamic)\n"
          "  --no-export-dynamic  -Bsymbolic  -Bsymbolic-functions  -Bno-symbolic: read and checked\n"
          "    as ld.bfd does; a static executable and -r have no dynamic symbols for them to change\n"
          "  -pie  -static-pie  --no-dynamic-linker  -dynamic-linker FILE  -no-pie\n"
          "  --hash-style=sysv|gnu|both  -z text|notext\n"
          "  -shared  -soname NAME (-h)  --no-undefined  -z defs\n"
          "Options read as ld.bfd reads them: one dash or two, abbreviations.\n"
          "Accepted, nothing to do in a static executable: -plugin, -plugin-opt, -d,\n"
          "  --no-warn-mismatch, -Qy, -g (docs/linker.md lists them all).\n"
          "  --fatal-warnings  --no-fatal-warnings\n"
          "Accepted, ignored with a warning: --sort-common,\n"
          "  --demangle, --no-relax, -init, -fini, -z KEYWORD keel does not know.\n"
          "Not yet: linker scripts (but for GNU ld's input scripts as libc.so), LTO inputs.\n"
          /* GNU ld's last two lines: libtool's configure greps ": supported
             targets:.* elf" to decide that the linker can make shared
             libraries, and builds none without it. */
          "keel ld: supported targets: elf64-x86-64\n"
          "keel ld: supported emulations: elf_x86_64\n",
          to);
}

/* ----------------------------------------------------- response files */

typedef struct argvec {
    char **v;
    size_t n;
} argvec;

static void argvec_add(argvec *a, char *s)
{
    a->v = push(a->v, &a->n, sizeof *a->v);
    a->v[a->n - 1] = s;
}

/* libiberty's buildargv, which GNU ld uses: whitespace separates, quotes
 * group (the other quote is literal inside), a backslash takes the next
 * character literally anywhere, even inside single quotes. */
static void split_response(const char *text, argvec *out)
{
    const char *p = text;
    size_t len = strlen(text);
    for (;;) {
        while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\f' || *p == '\v')
            p++;
        if (!*p)
            return;
        char *arg = malloc(len + 1), *a = arg;
        if (!arg)
            exit(1);
        bool sq = false, dq = false, bs = false;
        for (; *p; p++) {
            char c = *p;
            if (!sq && !dq && !bs && (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'))
                break;
            if (bs) {
                bs = false;
                *a++ = c;
            } else if (c == '\\')
                bs = true;
            else if (sq) {
                if (c == '\'')
                    sq = false;
                else
                    *a++ = c;
            } else if (dq) {
                if (c == '"')
                    dq = false;
                else
                    *a++ = c;
            } else if (c == '\'')
                sq = true;
            else if (c == '"')
                dq = true;
            else
                *a++ = c;
        }
        *a = 0;
        argvec_add(out, arg);
        /* kept for the process's life, as the command line is (an argument
         * naming a nested response file is replaced, not kept in out) */
        static argvec owned;
        argvec_add(&owned, arg);
    }
}

/* Replace each @FILE by the arguments it holds, nested files too.  A FILE
 * that cannot be opened stays a plain argument, as in GNU ld (where it is
 * then an input file that is not found); a directory is an error, as in
 * GNU ld ("@-file refers to a directory"), and so is any other file that
 * is not regular (GNU ld hangs on a FIFO). */
static int expand(char **args, size_t n, argvec *out, int depth)
{
    for (size_t i = 0; i < n; i++) {
        const char *a = args[i], *why;
        int fd = a[0] == '@' ? open_regular(a + 1, NULL, &why) : -1;
        if (fd == -2) {
            fail("%s: %s", a, why);
            return -1;
        }
        FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
        if (fd >= 0 && !f)
            close(fd);
        if (!f) {
            argvec_add(out, args[i]);
            continue;
        }
        if (depth >= 64) {
            fclose(f);
            fail("%s: response files nested too deeply", a);
            return -1;
        }
        char *text = NULL;
        size_t size = 0;
        FILE *m = open_memstream(&text, &size);
        char buf[8192];
        size_t got;
        while (m && (got = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, got, m);
        fclose(f);
        if (!m || fclose(m) != 0) {
            fail("%s: cannot read", a);
            return -1;
        }
        argvec inner = {0};
        split_response(text, &inner);
        free(text);
        int rc = expand(inner.v, inner.n, out, depth + 1);
        free(inner.v);
        if (rc)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------ parsing */

typedef struct parser {
    char **v;
    const char **orig; /* per word: the argument as given (for messages) */
    size_t n, i;
    ld_plan *plan;
    /* the positional state (-Bstatic, --whole-archive, --as-needed), and
     * --push-state's saved copies */
    bool dynamic, whole, as_needed;
    uint32_t group, ngroups;
    struct {
        bool dynamic, whole, as_needed;
    } saved[16];
    int nsaved;
} parser;

/* The option name without its one or two dashes, or NULL if arg is not
 * an option. */
static const char *undash(const char *arg)
{
    if (arg[0] != '-' || !arg[1])
        return NULL;
    return arg[1] == '-' ? arg + 2 : arg + 1;
}

/* The name of an option word as ld_normalize writes them: NAME of
 * --NAME[=VALUE], X of -X; "" for a short option with its value joined. */
static const char *name_of(const char *arg) { return arg[1] == '-' ? arg + 2 : arg[2] ? "" : arg + 1; }

/* A flag: -X for a letter, --NAME for a long option (however it was
 * spelled: ld_normalize wrote it so). */
static bool flag(const char *arg, const char *name)
{
    return arg[0] == '-' && (name[1] ? arg[1] == '-' && strcmp(arg + 2, name) == 0 : arg[1] == name[0] && !arg[2]);
}

/* A long option with a value: --NAME VALUE or --NAME=VALUE.  *val is set
 * when arg is this option (an error is counted when the value is
 * missing). */
static bool with_value(parser *p, const char *name, const char **val)
{
    const char *a = p->v[p->i], *s = a + 2;
    size_t len = strlen(name);
    if (a[0] != '-' || a[1] != '-' || strncmp(s, name, len) != 0)
        return false;
    if (s[len] == '=') {
        *val = s + len + 1;
        return true;
    }
    if (s[len])
        return false;
    if (p->i + 1 >= p->n) {
        fail("option '%s' requires an argument", p->v[p->i]);
        *val = NULL;
        return true;
    }
    *val = p->v[++p->i];
    return true;
}

/* A one-letter option with its value joined (-lc) or next (-l c). */
static bool short_value(parser *p, char letter, const char **val)
{
    const char *a = p->v[p->i];
    if (a[0] != '-' || a[1] != letter)
        return false;
    if (a[2]) {
        *val = a + 2;
        return true;
    }
    if (p->i + 1 >= p->n) {
        fail("option requires an argument -- '%c'", letter);
        *val = NULL;
        return true;
    }
    *val = p->v[++p->i];
    return true;
}

static void add_input(parser *p, const char *arg, bool is_lib)
{
    ld_plan *pl = p->plan;
    pl->pending = push(pl->pending, &pl->npending, sizeof *pl->pending);
    ld_pending *in = &pl->pending[pl->npending - 1];
    in->arg = arg;
    in->is_lib = is_lib;
    in->dynamic = p->dynamic;
    in->in.path = is_lib ? NULL : arg;
    in->in.group = p->group;
    in->in.whole_archive = p->whole;
    in->in.as_needed = p->as_needed;
    in->in.bstatic = !p->dynamic;
    in->in.searched = is_lib;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void build_id(keel_link_options *o, const char *style)
{
    if (!style || strcmp(style, "sha1") == 0 || strcmp(style, "tree") == 0)
        o->build_id = KEEL_BUILD_ID_SHA1;
    else if (strcmp(style, "md5") == 0)
        o->build_id = KEEL_BUILD_ID_MD5;
    else if (strcmp(style, "uuid") == 0)
        o->build_id = KEEL_BUILD_ID_UUID;
    else if (strcmp(style, "none") == 0)
        o->build_id = KEEL_BUILD_ID_NONE;
    else if (style[0] == '0' && (style[1] == 'x' || style[1] == 'X')) {
        /* GNU ld takes the digits in pairs; an odd or empty string is
         * refused rather than padded. */
        const char *h = style + 2;
        size_t nd = strlen(h);
        uint8_t *bytes = malloc(nd / 2 + 1);
        bool ok = bytes && nd && nd % 2 == 0;
        for (size_t k = 0; ok && k < nd; k += 2) {
            int hi = hexval(h[k]), lo = hexval(h[k + 1]);
            ok = hi >= 0 && lo >= 0;
            if (ok)
                bytes[k / 2] = (uint8_t)(hi << 4 | lo);
        }
        if (!ok) {
            free(bytes);
            fail("invalid build-id style: %s", style);
            return;
        }
        o->build_id = KEEL_BUILD_ID_HEX;
        o->build_id_hex = bytes;
        o->build_id_hex_len = nd / 2;
    } else
        fail("invalid build-id style: %s", style);
}

/* -z max-page-size=N, common-page-size=N: a power of two (N in C's
 * notation, as GNU ld reads it); else GNU ld's message. */
static void page_size(uint64_t *to, const char *text, const char *what)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 0);
    if (!*text || *end || errno || (v & (v - 1)) || v > (1ull << 30))
        fail("invalid %s page size `%s'", what, text);
    else
        *to = v; /* 0: the default, as ld.bfd takes it */
}

/* An address of -Ttext, -Tdata, -Tbss, -Ttext-segment, --section-start:
 * hexadecimal, with or without 0x, as GNU ld reads it. */
static bool hex_address(const char *text, uint64_t *to)
{
    const char *h = text[0] == '0' && (text[1] == 'x' || text[1] == 'X') ? text + 2 : text;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(h, &end, 16);
    if (!*h || *end || errno || *h == '-' || *h == '+' || *h == ' ') {
        fail("invalid hex number `%s'", text);
        return false;
    }
    *to = v;
    return true;
}

/* --section-start NAME=ADDR, and -Ttext/-Tdata/-Tbss for .text/.data/.bss */
static void section_start(keel_link_options *o, const char *name, size_t len, const char *addr)
{
    uint64_t a;
    if (!hex_address(addr, &a))
        return;
    size_t n = o->nsection_starts;
    keel_link_section_start *v = push((void *)o->section_starts, &n, sizeof *v);
    char *nm = xstrdup(name);
    nm[len] = 0;
    v[n - 1].name = nm;
    v[n - 1].addr = a;
    o->section_starts = v;
    o->nsection_starts = n;
}

/* The link's messages, as diag_print says them; the first error is
 * kept, so that the error value returned with it is not said again. */
static char first_error[1024];

static void ld_diag(void *ctx, int level, const char *msg)
{
    if (level == KEEL_DIAG_ERROR && !first_error[0])
        snprintf(first_error, sizeof first_error, "%s", msg);
    diag_print(ctx, level, msg);
}

/* -z KEYWORD.  The ones below the handled ones change nothing in a static
 * executable; any other is ignored with ld.bfd's warning. */
static void z_keyword(keel_link_options *o, const char *kw)
{
    static const char *const quiet[] = {"textoff", "nodefs", "combreloc", "nocombreloc"};
    if (!kw)
        return;
    if (strcmp(kw, "noexecstack") == 0)
        o->exec_stack = false;
    else if (strcmp(kw, "text") == 0)
        o->z_text = true;
    else if (strcmp(kw, "nodelete") == 0)
        o->z_nodelete = true;
    else if (strcmp(kw, "origin") == 0)
        o->z_origin = true;
    else if (strcmp(kw, "nodlopen") == 0)
        o->z_nodlopen = true;
    else if (strcmp(kw, "global") == 0)
        o->z_global = true;
    else if (strcmp(kw, "notext") == 0)
        o->z_text = false;
    else if (strcmp(kw, "nocopyreloc") == 0 || strcmp(kw, "copyreloc") == 0)
        o->z_nocopyreloc = kw[0] == 'n';
    else if (strcmp(kw, "execstack") == 0)
        o->exec_stack = true;
    else if (strcmp(kw, "relro") == 0)
        o->relro = true;
    else if (strcmp(kw, "norelro") == 0)
        o->relro = false;
    else if (strcmp(kw, "pack-relative-relocs") == 0 || strcmp(kw, "nopack-relative-relocs") == 0)
        o->pack_relative_relocs = kw[0] == 'p'; /* .relr.dyn (relr.c) */
    else if (strcmp(kw, "now") == 0)
        o->now = true;
    else if (strcmp(kw, "lazy") == 0)
        o->now = false;
    else if (strcmp(kw, "separate-code") == 0)
        o->no_separate_code = false;
    else if (strcmp(kw, "noseparate-code") == 0)
        o->no_separate_code = true;
    else if (strncmp(kw, "max-page-size=", 14) == 0)
        page_size(&o->max_page_size, kw + 14, "maximum");
    else if (strncmp(kw, "common-page-size=", 17) == 0)
        page_size(&o->common_page_size, kw + 17, "common");
    else if (strcmp(kw, "muldefs") == 0)
        o->allow_multiple_definition = true;
    else if (strcmp(kw, "defs") == 0) /* --unresolved-symbols=report-all, as in ld.bfd (the last one wins) */
        o->ignore_unresolved = false, o->no_undefined = true;
    else if (strcmp(kw, "undefs") == 0) /* ignore-in-object-files: all a static link has */
        o->ignore_unresolved = true;
    else {
        for (size_t k = 0; k < sizeof quiet / sizeof quiet[0]; k++)
            if (strcmp(kw, quiet[k]) == 0)
                return;
        warn("-z %s ignored", kw);
    }
}

/* Options accepted without a word (docs/linker.md, "Front end"): what they
 * ask for is already so in a static executable keel makes (no dynamic
 * section, no interpreter, no shared library to consult, undefined
 * references already errors, commons always allocated (-d), warnings keel
 * never gives), or ld.bfd itself ignores them (-Qy, -g). */
static const char *const quiet_flags[] = {
    "d",
    "dc",
    "dp",
    "no-warn-mismatch",
    "no-warn-rwx-segments",
    "warn-rwx-segments",
    "no-warn-execstack",
    "warn-execstack",
    "Qy",
    "g",
    "no-copy-dt-needed-entries",
    "relax",
    "no-demangle",
};

/* Options accepted and ignored, with a warning each time: keel does not
 * do what they ask. */
static const char *const ignored_flags[] = {
    "sort-common",
    "demangle",
    "no-relax",
};

static bool in_list(const char *const *list, size_t n, const char *s)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(list[k], s) == 0)
            return true;
    return false;
}

static void add_undefined(keel_link_options *o, const char *name)
{
    size_t n = o->nundefined;
    const char **u = push((void *)o->undefined, &n, sizeof *u);
    u[n - 1] = name;
    o->undefined = u;
    o->nundefined = n;
}

/* One more name in a list of names (--wrap, -y). */
static void add_name(const char *const **list, size_t *count, const char *name)
{
    size_t n = *count;
    const char **v = push((void *)*list, &n, sizeof *v);
    v[n - 1] = name;
    *list = v;
    *count = n;
}

/* The options of symbol resolution; false if p->v[p->i] is none of them. */
static bool parse_symbol_option(parser *p)
{
    keel_link_options *o = &p->plan->opt;
    const char *a = p->v[p->i], *val;
    if (flag(a, "allow-multiple-definition"))
        o->allow_multiple_definition = true;
    else if (flag(a, "noinhibit-exec"))
        o->noinhibit_exec = true;
    else if (flag(a, "warn-common"))
        o->warn_common = true;
    else if (flag(a, "fatal-warnings"))
        o->fatal_warnings = true;
    else if (flag(a, "no-fatal-warnings"))
        o->fatal_warnings = false;
    else if (flag(a, "warn-unresolved-symbols"))
        o->warn_unresolved = true;
    else if (flag(a, "error-unresolved-symbols"))
        o->warn_unresolved = false;
    else if (with_value(p, "unresolved-symbols", &val)) {
        /* the objects' part, and the shared libraries' (ld.bfd's
         * --allow-shlib-undefined is the same switch) */
        if (val && (!strcmp(val, "ignore-all") || !strcmp(val, "ignore-in-object-files")))
            o->ignore_unresolved = true;
        else if (val && (!strcmp(val, "report-all") || !strcmp(val, "ignore-in-shared-libs")))
            o->ignore_unresolved = false;
        if (val && (!strcmp(val, "ignore-all") || !strcmp(val, "ignore-in-shared-libs")))
            o->allow_shlib_undefined = 1;
        else if (val && (!strcmp(val, "report-all") || !strcmp(val, "ignore-in-object-files")))
            o->allow_shlib_undefined = 2;
        else if (val)
            fail("bad --unresolved-symbols option: %s", val);
    } else if (with_value(p, "version-script", &val)) {
        if (val)
            add_name(&o->version_scripts, &o->nversion_scripts, val);
    } else if (with_value(p, "dynamic-list", &val)) {
        if (val)
            add_name(&o->dynamic_lists, &o->ndynamic_lists, val);
    } else if (with_value(p, "export-dynamic-symbol", &val)) {
        if (val)
            add_name(&o->export_dynamic_symbols, &o->nexport_dynamic_symbols, val);
    } else if (flag(a, "dynamic-list-data"))
        o->dynamic_list_data = true;
    else if (flag(a, "dynamic-list-cpp-new"))
        o->dynamic_list_cpp_new = true;
    else if (flag(a, "dynamic-list-cpp-typeinfo"))
        o->dynamic_list_cpp_typeinfo = true;
    else if (flag(a, "E") || flag(a, "export-dynamic"))
        o->export_dynamic = true;
    else if (flag(a, "no-export-dynamic"))
        o->export_dynamic = false;
    else if (flag(a, "Bsymbolic"))
        o->symbolic = KEEL_SYMBOLIC;
    else if (flag(a, "Bsymbolic-functions"))
        o->symbolic = KEEL_SYMBOLIC_FUNCTIONS;
    else if (flag(a, "Bno-symbolic"))
        o->symbolic = KEEL_SYMBOLIC_UNSET;
    else if (with_value(p, "wrap", &val)) {
        if (val)
            add_name(&o->wrap, &o->nwrap, val);
    } else if (with_value(p, "trace-symbol", &val) || short_value(p, 'y', &val)) {
        if (val)
            add_name(&o->trace_symbols, &o->ntrace_symbols, val);
    } else
        return false;
    return true;
}

/* The long options (one or two dashes), flags and with a value; false if
 * p->v[p->i] is none of them. */
static bool parse_long(parser *p)
{
    ld_plan *pl = p->plan;
    keel_link_options *o = &pl->opt;
    const char *a = p->v[p->i], *val;
    const char *s = name_of(a);

    /* input order and search */
    if (flag(a, "start-group") || strcmp(a, "-(") == 0) {
        if (p->group)
            fail("may not nest groups (--help for usage)");
        p->group = ++p->ngroups;
    } else if (flag(a, "end-group") || strcmp(a, "-)") == 0) {
        if (!p->group)
            fail("group ended before it began (--help for usage)");
        p->group = 0;
    } else if (flag(a, "whole-archive"))
        p->whole = true;
    else if (flag(a, "no-whole-archive"))
        p->whole = false;
    else if (flag(a, "as-needed"))
        p->as_needed = true;
    else if (flag(a, "no-as-needed"))
        p->as_needed = false;
    else if (flag(a, "static") || flag(a, "Bstatic") || flag(a, "dn") || flag(a, "non_shared"))
        p->dynamic = false;
    else if (flag(a, "Bdynamic") || flag(a, "dy") || flag(a, "call_shared"))
        p->dynamic = true;
    else if (flag(a, "push-state")) {
        if (p->nsaved == (int)(sizeof p->saved / sizeof p->saved[0]))
            fail("--push-state nested too deeply");
        else {
            p->saved[p->nsaved].dynamic = p->dynamic;
            p->saved[p->nsaved].whole = p->whole;
            p->saved[p->nsaved++].as_needed = p->as_needed;
        }
    } else if (flag(a, "pop-state")) {
        if (!p->nsaved)
            fail("no state pushed before popping");
        else {
            p->nsaved--;
            p->dynamic = p->saved[p->nsaved].dynamic;
            p->whole = p->saved[p->nsaved].whole;
            p->as_needed = p->saved[p->nsaved].as_needed;
        }
    } else if (flag(a, "nostdlib"))
        pl->nostdlib = true;
    else if (with_value(p, "library-path", &val)) {
        if (val) {
            pl->dirs = push(pl->dirs, &pl->ndirs, sizeof *pl->dirs);
            pl->dirs[pl->ndirs - 1] = val;
        }
    } else if (with_value(p, "library", &val)) {
        if (val)
            add_input(p, val, true);
    }
    /* output */
    else if (with_value(p, "output", &val))
        o->output = val;
    else if (with_value(p, "entry", &val))
        o->entry = val;
    else if (with_value(p, "undefined", &val)) {
        if (val)
            add_undefined(o, val);
    } else if (with_value(p, "defsym", &val)) {
        const char *eq = val ? strchr(val, '=') : NULL;
        if (val && (!eq || eq == val))
            fail("--defsym: expected NAME=EXPR, got '%s'", val);
        else if (val) {
            size_t n = o->ndefsyms;
            keel_link_defsym *d = push((void *)o->defsyms, &n, sizeof *d);
            char *name = xstrdup(val);
            name[eq - val] = 0;
            d[n - 1].name = name;
            d[n - 1].expr = eq + 1;
            o->defsyms = d;
            o->ndefsyms = n;
        }
    } else if (with_value(p, "Map", &val))
        o->map_file = val;
    else if (flag(a, "M") || flag(a, "print-map"))
        o->map_file = "/dev/stdout";           /* GNU's -M: the map on standard output */
    else if (with_value(p, "mapfile", &val)) { /* keel_link reads them, in order (o->mapfiles) */
        if (val) {
            size_t n = o->nmapfiles;
            const char **m = push((void *)o->mapfiles, &n, sizeof *m);
            m[n - 1] = val;
            o->mapfiles = m;
            o->nmapfiles = n;
        }
    } else if (flag(a, "print-mapfile"))  /* the segment model, as a mapfile */
        o->print_mapfile = "/dev/stdout"; /* as -M's map */
    /* layout (GNU ld's -T options: hexadecimal addresses) */
    else if (with_value(p, "Ttext-segment", &val) || with_value(p, "image-base", &val)) {
        if (val && hex_address(val, &o->text_segment))
            o->has_text_segment = true;
    } else if (with_value(p, "Ttext", &val)) {
        if (val)
            section_start(o, ".text", 5, val);
    } else if (with_value(p, "Tdata", &val)) {
        if (val)
            section_start(o, ".data", 5, val);
    } else if (with_value(p, "Tbss", &val)) {
        if (val)
            section_start(o, ".bss", 4, val);
    } else if (with_value(p, "section-start", &val)) {
        const char *eq = val ? strchr(val, '=') : NULL;
        if (val && !eq)
            fail("invalid argument to option \"--section-start\"");
        else if (val && (eq == val || !eq[1]))
            fail("missing argument(s) to option \"--section-start\"");
        else if (val)
            section_start(o, val, (size_t)(eq - val), eq + 1);
    } else if (flag(a, "build-id"))
        build_id(o, NULL);
    else if (strncmp(s, "build-id=", 9) == 0)
        build_id(o, s + 9);
    else if (flag(a, "eh-frame-hdr"))
        o->eh_frame_hdr = true;
    else if (flag(a, "no-eh-frame-hdr"))
        o->eh_frame_hdr = false;
    else if (flag(a, "gc-sections"))
        o->gc_sections = true;
    else if (flag(a, "no-gc-sections"))
        o->gc_sections = false;
    else if (flag(a, "print-gc-sections"))
        o->print_gc_sections = true;
    else if (flag(a, "no-print-gc-sections"))
        o->print_gc_sections = false;
    else if (with_value(p, "symbol-ordering-file", &val)) /* lld's: lib/link/symbol_order.c */
        o->symbol_ordering_file = val;
    else if (flag(a, "no-warn-symbol-ordering"))
        o->no_warn_symbol_ordering = true;
    else if (flag(a, "warn-symbol-ordering"))
        o->no_warn_symbol_ordering = false;
    else if (flag(a, "address-map"))
        o->address_map = true, o->no_address_map = false;
    else if (flag(a, "no-address-map"))
        o->no_address_map = true, o->address_map = false;
    /* the symbol table and what is kept */
    else if (flag(a, "s") || flag(a, "strip-all"))
        o->strip_all = true;
    else if (flag(a, "S") || flag(a, "strip-debug"))
        o->strip_debug = true;
    else if (flag(a, "x") || flag(a, "discard-all"))
        o->discard = KEEL_DISCARD_ALL;
    else if (flag(a, "X") || flag(a, "discard-locals"))
        o->discard = KEEL_DISCARD_LOCALS;
    else if (flag(a, "discard-none"))
        o->discard = KEEL_DISCARD_NONE;
    else if (flag(a, "q") || flag(a, "emit-relocs"))
        o->emit_relocs = true;
    else if (with_value(p, "sort-section", &val)) {
        if (val && strcmp(val, "name") == 0)
            o->sort_section = KEEL_SORT_NAME;
        else if (val && strcmp(val, "alignment") == 0)
            o->sort_section = KEEL_SORT_ALIGNMENT;
        else if (val)
            fail("invalid section sorting option: %s", val);
    } else if (with_value(p, "sysroot", &val)) {
        /* ld.bfd reads its sysroot from "--sysroot=DIR" words before it
         * parses (ldmain.c); any other spelling takes a value it drops */
        if (strncmp(p->orig[p->i], "--sysroot=", 10) == 0)
            o->sysroot = val;
        else
            warn("%s %s ignored, as ld.bfd ignores it: write --sysroot=DIR", p->orig[p->i], val ? val : "");
    } else if (flag(a, "t") || flag(a, "trace"))
        o->trace = true;
    else if (flag(a, "verbose") || strncmp(s, "verbose=", 8) == 0)
        o->verbose = true;
    else if (flag(a, "v") || flag(a, "V")) {
        printf(VERSION_LINE, KEEL_VERSION);
        if (flag(a, "V"))
            printf("  Supported emulations:\n   elf_x86_64\n");
        pl->version_only = true;
    } else if (flag(a, "version")) {
        printf(VERSION_LINE, KEEL_VERSION);
        exit(0);
    } else if (flag(a, "help")) {
        usage(stdout);
        exit(0);
    } else if (flag(a, "keel-print-plan"))
        pl->print_plan = true;
    /* not yet */
    else if (flag(a, "pie") || flag(a, "pic-executable"))
        o->pie = true;
    else if (flag(a, "static-pie")) /* as gcc -static-pie asks: -static -pie --no-dynamic-linker */
        o->pie = o->no_dynamic_linker = true;
    else if (flag(a, "no-pie"))
        o->pie = false;
    else if (flag(a, "no-dynamic-linker"))
        o->no_dynamic_linker = true;
    else if (with_value(p, "dynamic-linker", &val)) {
        if (val)
            o->dynamic_linker = val, o->no_dynamic_linker = false;
    } else if (with_value(p, "hash-style", &val)) {
        if (val && !strcmp(val, "sysv"))
            o->hash_style = 1;
        else if (val && !strcmp(val, "gnu"))
            o->hash_style = 2;
        else if (val && !strcmp(val, "both"))
            o->hash_style = 3;
        else if (val)
            fail("invalid --hash-style `%s'", val);
    } else if (flag(a, "shared") || flag(a, "Bshareable"))
        o->shared = true;
    else if (flag(a, "no-undefined"))
        o->no_undefined = true;
    else if (flag(a, "enable-new-dtags") || flag(a, "disable-new-dtags"))
        o->new_dtags = a[2] == 'e' ? 1 : 2; /* DT_RUNPATH or DT_RPATH (dyn_runpath.c) */
    else if (flag(a, "undefined-version") || flag(a, "no-undefined-version"))
        o->no_undefined_version = a[2] == 'n';
    else if (flag(a, "default-symver"))
        o->default_symver = true; /* (version_sections.c) */
    else if (flag(a, "default-imported-symver"))
        fail("%s is not supported: give the versions in a version script", a);
    else if (with_value(p, "soname", &val) || short_value(p, 'h', &val))
        o->soname = val;
    else if (flag(a, "r") || flag(a, "relocatable") || flag(a, "i"))
        o->relocatable = true;
    else if (with_value(p, "script", &val))
        fail("linker scripts are not supported: %s", val ? val : "");
    /* accepted, no effect on a static executable */
    else if (flag(a, "d") || flag(a, "dc") || flag(a, "dp"))
        o->define_common = true; /* commons are always allocated in an executable; -r reads it */
    else if (in_list(quiet_flags, sizeof quiet_flags / sizeof quiet_flags[0], s))
        ;
    else if (in_list(ignored_flags, sizeof ignored_flags / sizeof ignored_flags[0], s) ||
             (strncmp(s, "sort-common=", 12) == 0 || strncmp(s, "demangle=", 9) == 0))
        warn("%s ignored", p->orig[p->i]);
    else if (with_value(p, "compress-debug-sections", &val)) {
        if (val && strcmp(val, "none") != 0)
            warn("--compress-debug-sections=%s ignored: debugging sections are written uncompressed", val);
    } else if (with_value(p, "init", &val) || with_value(p, "fini", &val)) {
        /* ld.bfd sets DT_INIT/DT_FINI, in a dynamic section a static
         * executable does not have: nothing changes in its output */
        if (val)
            warn("-%s %s: no effect in a static executable (it sets DT_%s, and there is no dynamic section)",
                 a[2] == 'i' ? "init" : "fini", val, a[2] == 'i' ? "INIT" : "FINI");
    }
    /* gcc passes -plugin and its options on every link; keel refuses the
     * LTO inputs the plugin would read (check_input), so nothing is lost */
    else if (with_value(p, "plugin-opt", &val) || with_value(p, "plugin", &val))
        ;
    /* where the libraries shared libraries need are searched (lib/link/dso_needed.c) */
    else if (with_value(p, "rpath-link", &val)) {
        if (val)
            add_name(&o->rpath_link, &o->nrpath_link, val);
    } else if (with_value(p, "rpath", &val)) {
        if (val)
            add_name(&o->rpath, &o->nrpath, val);
    } else if (short_value(p, 'R', &val) || with_value(p, "just-symbols", &val)) {
        struct stat st; /* -R DIR is -rpath DIR, as in ld.bfd; -R FILE reads a file's symbols only */
        if (val && a[1] == 'R' && stat(val, &st) == 0 && S_ISDIR(st.st_mode))
            add_name(&o->rpath, &o->nrpath, val);
        else if (val)
            fail("%s %s: --just-symbols is not supported", a[1] == 'R' ? "-R" : "--just-symbols", val);
    } else if (flag(a, "allow-shlib-undefined"))
        o->allow_shlib_undefined = 1;
    else if (flag(a, "no-allow-shlib-undefined"))
        o->allow_shlib_undefined = 2;
    else
        return false;
    return true;
}

/* The one-letter options whose value may be joined (-lc, -L/usr/lib,
 * -znow); ld_normalize made every long option --NAME, so -export-dynamic
 * cannot come here as -e. */
static bool parse_short(parser *p)
{
    ld_plan *pl = p->plan;
    keel_link_options *o = &pl->opt;
    const char *val;
    if (short_value(p, 'L', &val)) {
        if (val) {
            pl->dirs = push(pl->dirs, &pl->ndirs, sizeof *pl->dirs);
            pl->dirs[pl->ndirs - 1] = val;
        }
    } else if (short_value(p, 'l', &val)) {
        if (val)
            add_input(p, val, true);
    } else if (short_value(p, 'o', &val))
        o->output = val;
    else if (short_value(p, 'e', &val))
        o->entry = val;
    else if (short_value(p, 'u', &val)) {
        if (val)
            add_undefined(o, val);
    } else if (short_value(p, 'z', &val))
        z_keyword(o, val);
    else if (short_value(p, 'm', &val)) {
        if (val && strcmp(val, "elf_x86_64") != 0)
            fail("unrecognised emulation mode: %s (keel links elf_x86_64 only)", val);
    } else if (short_value(p, 'T', &val))
        fail("linker scripts are not supported: %s", val ? val : "");
    else if (short_value(p, 'O', &val))
        ;                                 /* -O LEVEL: ld.bfd optimises only shared libraries' hash tables */
    else if (short_value(p, 'I', &val)) { /* -I PROGRAM: -dynamic-linker */
        if (val)
            o->dynamic_linker = val, o->no_dynamic_linker = false;
    } else
        return false;
    return true;
}

/* One option or input at p->v[p->i]; p->i is left on its last word.
 * Every option word is one ld.bfd knows (ld_normalize refused the rest in
 * its words): one that no parser here takes is GNU ld's and not keel's. */
static void parse_one(parser *p)
{
    const char *a = p->v[p->i];
    if (!undash(a))
        add_input(p, a, false);
    else if (!parse_symbol_option(p) && !parse_long(p) && !parse_short(p)) {
        if (a[1] == '-')
            fail("%s: GNU ld's --%.*s is not supported by keel", p->orig[p->i], (int)strcspn(a + 2, "="), a + 2);
        else
            fail("%s: GNU ld's -%c is not supported by keel", p->orig[p->i], a[1]);
    }
}

/* ld_normalize's messages */
static void report(bool error, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("keel ld: ", stderr); /* (a warning says "Warning:", in ld.bfd's words) */
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    nerrors += error;
}

/* ------------------------------------------------------ -l resolution */

static bool readable_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, R_OK) == 0;
}

/* DIR/NAME as ld.bfd spells it (its -t output shows the same path). */
static char *join(const char *dir, const char *name)
{
    size_t dl = strlen(dir);
    bool slash = dl && dir[dl - 1] == '/';
    char *s = malloc(dl + strlen(name) + 2);
    if (!s)
        exit(1);
    sprintf(s, "%s%s%s", dir, slash ? "" : "/", name);
    return s;
}

static char *search_dir(const char *dir, const ld_pending *in)
{
    const char *name = in->arg;
    char file[4096];
    if (name[0] == ':') {
        char *path = join(dir, name + 1);
        if (readable_file(path))
            return path;
        free(path);
        return NULL;
    }
    /* -Bdynamic: the shared library first, in each directory */
    for (int shared = in->dynamic ? 1 : 0; shared >= 0; shared--) {
        snprintf(file, sizeof file, "lib%s.%s", name, shared ? "so" : "a");
        char *path = join(dir, file);
        if (readable_file(path))
            return path;
        free(path);
    }
    return NULL;
}

/* ROOT + REST, kept for the process's life (the plan points at it). */
static const char *rooted(const char *root, const char *rest)
{
    size_t n = strlen(root) + strlen(rest) + 1;
    char *s = malloc(n);
    if (!s)
        exit(1);
    snprintf(s, n, "%s%s", root, rest);
    return s;
}

/* The directories under the sysroot, once the whole line is read (ld.bfd
 * reads --sysroot first, wherever it stands): -L=DIR and -L$SYSROOTDIR,
 * and the default directories (SEARCH_DIR("=/usr/lib") in ld.bfd's
 * script).  Debian's ld.bfd has no sysroot built in: without --sysroot
 * the names stay as they are. */
static const char *defaults[sizeof default_dirs / sizeof default_dirs[0]];

static void apply_sysroot(ld_plan *pl)
{
    const char *root = pl->opt.sysroot ? pl->opt.sysroot : "";
    if (strspn(root, "/") == strlen(root))
        root = ""; /* ld.bfd writes /usr/lib under --sysroot=/, not //usr/lib (but keeps DIR//usr/lib) */
    for (size_t d = 0; d < pl->ndirs; d++) {
        const char *dir = pl->dirs[d];
        if (dir[0] == '=')
            pl->dirs[d] = rooted(root, dir + 1);
        else if (strncmp(dir, "$SYSROOT", 8) == 0)
            pl->dirs[d] = rooted(root, dir + 8);
    }
    for (size_t d = 0; d < sizeof default_dirs / sizeof default_dirs[0]; d++)
        defaults[d] = *root ? rooted(root, default_dirs[d]) : default_dirs[d];
}

/* -lNAME: the -L directories in order, then the default ones. */
static void resolve_one(ld_plan *pl, ld_pending *in)
{
    char *path = NULL;
    for (size_t d = 0; d < pl->ndirs && !path; d++)
        path = search_dir(pl->dirs[d], in);
    for (size_t d = 0; !pl->nostdlib && d < sizeof default_dirs / sizeof default_dirs[0] && !path; d++)
        path = search_dir(defaults[d], in);
    if (!path)
        fail("cannot find -l%s: No such file or directory", in->arg);
    in->in.path = path;
}

/* ----------------------------------------------------- input checks */

/* An input keel_link cannot take, found before linking: a missing file, a
 * shared library, and LTO inputs (the plugin is ignored, so their code
 * would silently be missing): LLVM bitcode (raw 'BC' 0xC0DE, or the
 * 0x0B17C0DE wrapper), and gcc's slim LTO objects, ELF files with
 * .gnu.lto_* sections and nothing allocated with contents (a fat LTO
 * object carries real code and links as a normal object). */
static void check_input(const ld_pending *in)
{
    const char *path = in->in.path;
    if (!path)
        return;
    struct stat st;
    if (!in->is_lib && stat(path, &st) != 0) {
        fail("cannot find %s: %s", path, strerror(errno));
        return;
    }
    if (!in->is_lib && S_ISDIR(st.st_mode)) {
        fail("cannot find %s: Is a directory", path);
        return;
    }
    mapped_file f;
    const char *why;
    int rc = mapped_file_open(&f, path, &why);
    if (rc == -2) {
        fail("%s: %s", path, why); /* a FIFO would hang ld.bfd; keel says so */
        return;
    }
    if (rc != 0) {
        fail("cannot open %s: %s", path, why);
        return;
    }
    const uint8_t *b = f.data;
    if (f.size >= 4 && ((b[0] == 'B' && b[1] == 'C' && b[2] == 0xc0 && b[3] == 0xde) ||
                        (b[0] == 0xde && b[1] == 0xc0 && b[2] == 0x17 && b[3] == 0x0b)))
        fail("%s: LLVM bitcode (an LTO object) cannot be linked: keel does no link-time optimisation "
             "(compile without -flto)",
             path);
    else if (keel_is_elf(f.data, f.size)) {
        keel_elf e;
        keel_error err;
        if (keel_elf_open(&e, f.data, f.size, &err) == 0) {
            bool lto = false, contents = false;
            for (uint32_t k = 1; k < e.shnum; k++) {
                keel_shdr sh;
                const char *name;
                if (keel_elf_shdr(&e, k, &sh, &err) || keel_elf_section_name(&e, &sh, &name, &err))
                    break;
                if (strncmp(name, ".gnu.lto_", 9) == 0)
                    lto = true;
                else if ((sh.flags & 2 /* SHF_ALLOC */) && sh.type != 8 /* NOBITS */ && sh.size)
                    contents = true;
            }
            if (lto && !contents)
                fail("%s: a GCC LTO object (.gnu.lto_* sections only) cannot be linked: keel does no "
                     "link-time optimisation (compile without -flto, or with -ffat-lto-objects)",
                     path);
        }
        /* any other fault in the file is keel_link's to report */
    }
    mapped_file_close(&f);
}

/* Check one resolved input and add it.  A GNU ld input script (glibc's
 * libm.a) goes to keel_link as it is: lib/link expands GROUP and INPUT. */
static void add_resolved(ld_plan *pl, ld_pending *in)
{
    if (!in->in.path)
        return;
    check_input(in);
    pl->inputs = push(pl->inputs, &pl->ninputs, sizeof *pl->inputs);
    pl->inputs[pl->ninputs - 1] = in->in;
}

/* ------------------------------------------------------------- plan */

static const char *yes(bool b) { return b ? "yes" : "no"; }

static void print_plan(const ld_plan *pl)
{
    const keel_link_options *o = &pl->opt;
    for (size_t k = 0; k < o->ninputs; k++)
        printf("input group=%u whole-archive=%s as-needed=%s %s\n", (unsigned)o->inputs[k].group,
               yes(o->inputs[k].whole_archive), yes(o->inputs[k].as_needed), o->inputs[k].path);
    printf("output %s\n", o->output);
    printf("entry %s\n", o->entry ? o->entry : "(default)");
    for (size_t k = 0; k < o->nundefined; k++)
        printf("undefined %s\n", o->undefined[k]);
    for (size_t k = 0; k < o->ndefsyms; k++)
        printf("defsym %s=%s\n", o->defsyms[k].name, o->defsyms[k].expr);
    if (o->map_file)
        printf("map-file %s\n", o->map_file);
    for (size_t k = 0; k < o->nmapfiles; k++)
        printf("mapfile %s\n", o->mapfiles[k]);
    static const char *const ids[] = {"none", "sha1", "md5", "uuid", "0x"};
    printf("build-id %s", ids[o->build_id]);
    for (size_t k = 0; k < o->build_id_hex_len; k++)
        printf("%02x", o->build_id_hex[k]);
    printf("\ngc-sections %s\neh-frame-hdr %s\nexec-stack %s\nrelro %s\nnow %s\ntrace %s\nverbose %s\n",
           yes(o->gc_sections), yes(o->eh_frame_hdr), yes(o->exec_stack), yes(o->relro), yes(o->now), yes(o->trace),
           yes(o->verbose));
}

int cmd_link(int argc, char **argv)
{
    /* The command line and the plan live as long as the process (a link is
     * its last act): static, so that nothing of them counts as leaked. */
    static argvec args;
    static ld_words words;
    static ld_plan plan;
    if (expand(argv + 1, argc > 0 ? (size_t)argc - 1 : 0, &args, 0))
        return 1;
    if (ld_normalize(args.v, args.n, &words, report))
        return 1;
    plan.opt.output = "a.out";
    plan.opt.relro = true; /* GNU ld's default on Debian; -z norelro turns it off */
    /* entry stays NULL: keel_link's default (_start) */
    parser p = {.v = words.v, .orig = words.orig, .n = words.n, .plan = &plan, .dynamic = true};
    for (p.i = 0; p.i < p.n; p.i++)
        parse_one(&p);
    if (plan.opt.max_page_size && plan.opt.common_page_size > plan.opt.max_page_size) /* both given: ld.bfd's error */
        fail("common page size (0x%llx) > maximum page size (0x%llx)", (unsigned long long)plan.opt.common_page_size,
             (unsigned long long)plan.opt.max_page_size);
    /* GNU ld's warning; the first segment then starts on the page below */
    uint64_t maxp = plan.opt.max_page_size ? plan.opt.max_page_size : 0x1000;
    if (plan.opt.common_page_size > maxp)
        maxp = plan.opt.common_page_size;
    if (plan.opt.has_text_segment && plan.opt.text_segment & (maxp - 1))
        warn("address of `text-segment' isn't multiple of maximum page size");
    if (nerrors)
        return 1;
    apply_sysroot(&plan);
    if (!plan.npending) {
        if (plan.version_only)
            return 0;
        fail("no input files");
        return 1;
    }
    for (size_t k = 0; k < plan.npending; k++) {
        if (plan.pending[k].is_lib)
            resolve_one(&plan, &plan.pending[k]);
        add_resolved(&plan, &plan.pending[k]);
    }
    if (nerrors)
        return 1;
    plan.opt.inputs = plan.inputs;
    plan.opt.ninputs = plan.ninputs;
    /* where a script's INPUT and GROUP names are searched: -L, then the
     * default directories, as for -l */
    for (size_t d = 0; d < plan.ndirs; d++)
        add_name(&plan.opt.search_dirs, &plan.opt.nsearch_dirs, plan.dirs[d]);
    plan.opt.nsearch_dirs_given = plan.opt.nsearch_dirs;
    for (size_t d = 0; !plan.nostdlib && d < sizeof default_dirs / sizeof default_dirs[0]; d++)
        add_name(&plan.opt.search_dirs, &plan.opt.nsearch_dirs, defaults[d]); /* under --sysroot */
    if (plan.print_plan) {
        print_plan(&plan);
        return 0;
    }
    fflush(stdout);
    keel_error err = {0};
    plan.opt.diag = ld_diag; /* warnings, -t and -y: ld.bfd's lines */
    plan.opt.diag_ctx = "keel ld";
    if (keel_link(&plan.opt, &err) != 0) {
        /* an error the link already said (its undefined references) is
         * not said twice: the message is the first said, maybe cut */
        if (!err.msg[0] || strncmp(first_error, err.msg, strlen(err.msg)) != 0)
            fprintf(stderr, "keel ld: %s\n", err.msg[0] ? err.msg : "link failed");
        return 1;
    }
    return 0;
}
