/* keel run OBJ|ARCHIVE... [-- ARGS]: load relocatable objects into this
 * process with the runtime loader and call their main, as if they had been
 * linked into a program.  --list and --deps show what was loaded instead. */
#include <dlfcn.h>
#include <errno.h>
#include <glob.h>
#include <keel/load.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "commands.h"
#include "json.h"
#include "mapped_file.h"
#include "out.h"
#include "run_watch.h"

extern char **environ;

static keel_ns *loaded_ns;

/* At exit, after every handler the loaded code registered: their
 * destructors (.fini_array) in the linked program's order.  The code stays
 * mapped: the libraries' destructors and stdio's last flush run after this
 * and may still reach it (a buffer given to setvbuf, a streambuf). */
static void unload_all(void) { keel_ns_finalize(loaded_ns); }

static const char *type_name(int t)
{
    static const char *const names[] = {"text",       "rodata",    "data",     "bss",
                                        "tls-data",   "tls-bss",   "eh_frame", "gcc_except_table",
                                        "init_array", "fini_array"};
    return t >= 0 && t < (int)(sizeof names / sizeof names[0]) ? names[t] : "?";
}

/* --list and --deps: text (as keel info prints), or one JSON array through
 * the tools' JSON writer, to fd (stdout; stderr under --watch, after each
 * swap, the program's stdout being its own). */
static void list_sections(const keel_ns *ns, bool as_json, int fd)
{
    out o;
    json j;
    out_init(&o, fd);
    json_init(&j, &o);
    if (as_json)
        json_arr(&j);
    for (const keel_object *obj = keel_ns_next_object(ns, NULL); obj; obj = keel_ns_next_object(ns, obj)) {
        const keel_section *const *secs;
        size_t n = keel_object_sections(obj, &secs);
        if (as_json) {
            json_obj(&j);
            json_kstr(&j, "object", keel_object_name(obj));
            json_key(&j, "sections");
            json_arr(&j);
        } else {
            out_str(&o, keel_object_name(obj));
            out_str(&o, ":\n");
        }
        for (size_t i = 0; i < n; i++) {
            const keel_section *s = secs[i];
            if (as_json) {
                json_obj(&j);
                json_kstr(&j, "name", keel_section_name(s));
                json_kstr(&j, "type", type_name(keel_section_type(s)));
                json_key(&j, "global");
                json_bool(&j, keel_section_global(s));
                json_ku64(&j, "address", keel_section_addr(s));
                json_ku64(&j, "size", keel_section_size(s));
                json_end(&j);
            } else {
                out_spaces(&o, 2);
                char addr[24];
                snprintf(addr, sizeof addr, "%#llx", (unsigned long long)keel_section_addr(s));
                out_rpad(&o, addr, 14);
                out_chr(&o, ' ');
                out_dec(&o, keel_section_size(s), 8);
                out_chr(&o, ' ');
                out_pad(&o, type_name(keel_section_type(s)), 16);
                out_chr(&o, ' ');
                out_str(&o, keel_section_name(s));
                out_str(&o, keel_section_global(s) ? " (global)\n" : "\n");
            }
        }
        if (as_json) {
            json_end(&j);
            json_end(&j);
        }
    }
    if (as_json) {
        json_end(&j);
        out_chr(&o, '\n');
    }
    out_flush(&o);
}

static void list_deps(const keel_ns *ns, bool as_json, int fd)
{
    out o;
    json j;
    out_init(&o, fd);
    json_init(&j, &o);
    if (as_json)
        json_arr(&j);
    for (const keel_object *obj = keel_ns_next_object(ns, NULL); obj; obj = keel_ns_next_object(ns, obj)) {
        const keel_section *const *secs;
        size_t n = keel_object_sections(obj, &secs);
        for (size_t i = 0; i < n; i++) {
            const keel_dep *d;
            size_t nd = keel_section_deps(secs[i], &d);
            for (size_t k = 0; k < nd; k++) {
                const keel_section *t = d[k].section;
                if (as_json) {
                    json_obj(&j);
                    json_kstr(&j, "from", keel_object_name(obj));
                    json_kstr(&j, "from_section", keel_section_name(secs[i]));
                    json_kstr(&j, "to", keel_object_name(keel_section_object(t)));
                    json_kstr(&j, "to_section", keel_section_name(t));
                    json_ku64(&j, "type", d[k].type);
                    json_ku64(&j, "offset", d[k].offset);
                    json_key(&j, "addend");
                    json_i64(&j, d[k].addend);
                    json_end(&j);
                } else {
                    out_str(&o, keel_object_name(obj));
                    out_chr(&o, ':');
                    out_str(&o, keel_section_name(secs[i]));
                    out_str(&o, "+");
                    out_0x(&o, d[k].offset, 1);
                    out_str(&o, " -> ");
                    out_str(&o, keel_object_name(keel_section_object(t)));
                    out_chr(&o, ':');
                    out_str(&o, keel_section_name(t));
                    out_str(&o, " (type ");
                    out_dec(&o, d[k].type, 0);
                    out_str(&o, ", addend ");
                    out_sdec(&o, d[k].addend, 0);
                    out_str(&o, ")\n");
                }
            }
        }
    }
    if (as_json) {
        json_end(&j);
        out_chr(&o, '\n');
    }
    out_flush(&o);
}

/* --watch with --list or --deps: after each swap, from the watcher */
static bool after_list, after_deps, after_json;
static void after_swap(const keel_ns *ns)
{
    if (after_list)
        list_sections(ns, after_json, 2);
    if (after_deps)
        list_deps(ns, after_json, 2);
}

/* ------------------------------------------------- -l: host libraries */

/* Where -lNAME looks after the -L directories: the multiarch and classic
 * system directories, as ld does for this target. */
static const char *const system_dirs[] = {
    "/usr/local/lib/x86_64-linux-gnu",
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/usr/local/lib",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
};

static bool find_in(const char *dir, const char *file, char *found, size_t size)
{
    snprintf(found, size, "%s/%s", dir, file);
    return access(found, R_OK) == 0;
}

/* A GNU ld script in place of a library (libm.so, libc.so): open the
 * shared objects it names by absolute path. */
static bool open_script(const char *path)
{
    int fd = open_regular(path, NULL, NULL);
    FILE *f = fd >= 0 ? fdopen(fd, "r") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        return false;
    }
    char text[4096];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    if (!strstr(text, "GROUP") && !strstr(text, "INPUT"))
        return false;
    bool any = false;
    for (char *t = strtok(text, " \t\n()"); t; t = strtok(NULL, " \t\n()"))
        if (t[0] == '/' && strstr(t, ".so") && dlopen(t, RTLD_NOW | RTLD_GLOBAL))
            any = true;
    return any;
}

/* Make the shared library -l SPEC names part of the host, so that loaded
 * code resolves against it. */
static int open_library(const char *spec, char **dirs, int ndirs)
{
    char file[512], path[1024];
    if (spec[0] == ':')
        snprintf(file, sizeof file, "%s", spec + 1);
    else
        snprintf(file, sizeof file, "lib%s.so", spec);
    bool found = false;
    for (int i = 0; i < ndirs && !found; i++)
        found = find_in(dirs[i], file, path, sizeof path);
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0] && !found; i++)
        found = find_in(system_dirs[i], file, path, sizeof path);
    /* Without the development package, only the run-time name is there
     * (libstdc++.so.6): a loader may take it, where a linker would not. */
    for (size_t i = 0; i < sizeof system_dirs / sizeof system_dirs[0] && !found && spec[0] != ':'; i++) {
        char pattern[1024];
        glob_t g;
        snprintf(pattern, sizeof pattern, "%s/%s.[0-9]*", system_dirs[i], file);
        if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc) {
            snprintf(path, sizeof path, "%s", g.gl_pathv[0]);
            found = true;
        }
        globfree(&g);
    }
    if (!found) {
        fprintf(stderr, "keel run: cannot find -l%s (%s)\n", spec, file);
        return 1;
    }
    /* dlopen would hang on a FIFO: check first (a file swapped in after
     * this check is dlopen's to meet, as with any program's dlopen). */
    const char *refused;
    int fd = open_regular(path, NULL, &refused);
    if (fd < 0) {
        fprintf(stderr, "keel run: -l%s: %s: %s\n", spec, path, refused);
        return 1;
    }
    close(fd);
    if (dlopen(path, RTLD_NOW | RTLD_GLOBAL))
        return 0;
    const char *why = dlerror();
    if (open_script(path))
        return 0;
    fprintf(stderr, "keel run: -l%s: %s\n", spec, why ? why : path);
    return 1;
}

static void usage(FILE *to)
{
    fputs("usage: keel run [--list | --deps] [--json] [--watch] [--argv0 NAME] [--no-export-dynamic] [--perf-map]\n"
          "                [-L DIR] [-l NAME] OBJ|ARCHIVE... [-- ARGS...]\n"
          "Load relocatable objects and archives into this process and call main.\n"
          "Archive members are loaded when they define a symbol the objects need;\n"
          "what none of them defines comes from this process (libc) and the\n"
          "shared libraries -l names.\n"
          "  -l NAME  open libNAME.so (-l:FILE: FILE) from the -L directories or the\n"
          "           system's, for the loaded code to use\n"
          "  -L DIR   look for -l libraries in DIR first\n"
          "  --argv0 NAME  the program's argv[0] (default: the first input without its\n"
          "           .o, the name 'cc -o NAME NAME.o' gives the linked program)\n"
          "  --no-export-dynamic  keep the program's global symbols from the shared\n"
          "           libraries it dlopens (by default they are lent to them, as a\n"
          "           program linked with -E lends its own: a C module calling back\n"
          "           into its interpreter); -E, --export-dynamic: the default\n"
          "  --perf-map  write /tmp/perf-PID.map, a line per loaded function, for perf\n"
          "           report (gdb needs nothing: the loader registers its objects\n"
          "           through gdb's JIT interface while a debugger traces it)\n"
          "  --list   print the loaded sections instead of running\n"
          "  --deps   print the dependency edges between objects instead of running\n"
          "  --json   with --list or --deps: one JSON array\n"
          "  --watch  swap an input object in when it changes on disk or on SIGUSR1 (keel_swap);\n"
          "           with --list or --deps, run, and print them to stderr after each swap\n",
          to);
}

typedef int (*main_fn)(int, char **, char **);

/* The loaded program's own name: its first input without the .o, the
 * name `cc -o NAME NAME.o` gives the linked program.  Not keel-run's path,
 * although /proc/self/exe is keel-run: running keel-run again with the
 * program's arguments would not run the program, so that name would help
 * no re-exec and would name the program wrongly in every message. */
static char *program_name(const char *first)
{
    size_t n = strlen(first);
    const char *base = strrchr(first, '/');
    base = base ? base + 1 : first;
    if (strlen(base) > 2 && strcmp(first + n - 2, ".o") == 0)
        n -= 2;
    return strndup(first, n);
}

/* What a process started with ARGV0 from the file NAME would show: glibc
 * sets program_invocation_name (error(), perror-style messages) and
 * program_invocation_short_name (warn(), err()) from argv[0] at start-up
 * and the loaded code shares this libc, which set them from keel-run's
 * own argv[0]; the kernel names the thread (/proc/self/comm) after the
 * file, whatever argv[0] says. */
static void name_process(char *argv0, const char *name)
{
    const char *slash = strrchr(argv0, '/');
    program_invocation_name = argv0;
    program_invocation_short_name = (char *)(slash ? slash + 1 : argv0);
    slash = strrchr(name, '/');
    prctl(PR_SET_NAME, slash ? slash + 1 : name, 0, 0, 0);
}

/* The command line: options and inputs mix, as on a linker's, up to "--". */
typedef struct run_args {
    bool list, deps, json;
    bool watch;      /* --watch: swap inputs in as they change */
    bool after_swap; /* --watch with --list or --deps: print_* after each swap */
    bool print_list, print_deps;
    bool no_export;    /* --no-export-dynamic */
    bool perf_map;     /* --perf-map: /tmp/perf-PID.map for perf report */
    const char *argv0; /* --argv0, or NULL */
    char **inputs, **libs, **dirs;
    int ninputs, nlibs, ndirs;
    int rest; /* index of "--", or argc */
} run_args;

static void free_args(run_args *a)
{
    free(a->inputs);
    free(a->libs);
    free(a->dirs);
}

/* 0, or the exit status of a usage error (or of --help: -1 for 0). */
static int parse_args(int argc, char **argv, run_args *a)
{
    a->inputs = calloc((size_t)argc, sizeof *a->inputs);
    a->libs = calloc((size_t)argc, sizeof *a->libs);
    a->dirs = calloc((size_t)argc, sizeof *a->dirs);
    if (!a->inputs || !a->libs || !a->dirs) {
        fprintf(stderr, "keel run: out of memory\n");
        return 1;
    }
    int i = 1;
    for (; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *o = argv[i];
        if (o[0] != '-' || o[1] == 0)
            a->inputs[a->ninputs++] = argv[i];
        else if (strcmp(o, "--list") == 0)
            a->list = true;
        else if (strcmp(o, "--deps") == 0)
            a->deps = true;
        else if (strcmp(o, "--json") == 0)
            a->json = true;
        else if (strcmp(o, "--watch") == 0)
            a->watch = true;
        else if (strcmp(o, "--export-dynamic") == 0 || strcmp(o, "-E") == 0)
            a->no_export = false;
        else if (strcmp(o, "--no-export-dynamic") == 0)
            a->no_export = true;
        else if (strcmp(o, "--perf-map") == 0)
            a->perf_map = true;
        else if (strcmp(o, "--argv0") == 0 && i + 1 < argc)
            a->argv0 = argv[++i];
        else if (strncmp(o, "--argv0=", 8) == 0) /* as keel exec takes it */
            a->argv0 = o + 8;
        else if (strcmp(o, "--help") == 0)
            return usage(stdout), -1;
        else if ((o[1] == 'l' || o[1] == 'L') && (o[2] || i + 1 < argc)) {
            char *v = o[2] ? argv[i] + 2 : argv[++i];
            if (o[1] == 'l')
                a->libs[a->nlibs++] = v;
            else
                a->dirs[a->ndirs++] = v;
        } else {
            fprintf(stderr, "keel run: unknown option '%s'\n", o);
            usage(stderr);
            return 2;
        }
    }
    a->rest = i;
    /* --watch with --list or --deps: the program runs, and they are
     * printed after each swap (the edges as the swaps left them) */
    a->after_swap = a->watch && (a->list || a->deps);
    if (a->after_swap) {
        a->print_list = a->list, a->print_deps = a->deps;
        a->list = a->deps = false;
    }
    if (a->argv0 && (a->list || a->deps))
        fprintf(stderr, "keel run: --argv0 ignored: --list and --deps run nothing\n");
    if (a->no_export && (a->list || a->deps))
        fprintf(stderr, "keel run: --no-export-dynamic ignored: --list and --deps run nothing\n");
    if (a->perf_map && (a->list || a->deps))
        fprintf(stderr, "keel run: --perf-map ignored: --list and --deps run nothing\n");
    if (a->ninputs == 0) {
        fprintf(stderr, "keel run: no input files\n");
        usage(stderr);
        return 2;
    }
    return 0;
}

int cmd_run(int argc, char **argv)
{
    run_args a = {0};
    int rc = parse_args(argc, argv, &a);
    for (int k = 0; k < a.nlibs && !rc; k++)
        rc = open_library(a.libs[k], a.dirs, a.ndirs);
    keel_input *in = rc ? NULL : calloc((size_t)a.ninputs, sizeof *in);
    if (!rc && !in)
        rc = 1;
    if (rc) {
        free_args(&a);
        return rc < 0 ? 0 : rc;
    }
    for (int k = 0; k < a.ninputs; k++) {
        in[k].path = a.inputs[k];
        /* --watch: from memory, as each later version (run_watch.c) */
        if (a.watch && run_watch_read(a.inputs[k], &in[k]))
            in[k].data = NULL;
    }
    /* Registered before anything is loaded, so that it runs after every
     * handler the loaded code registers: a program's .fini_array runs after
     * its atexit handlers. */
    if (!a.list && !a.deps)
        atexit(unload_all);
    keel_error err = {0};
    /* Listing loads without running anything.  A program run lends its
     * globals to the libraries it dlopens, as with ld -E: an interpreter's
     * C modules call back into it. */
    unsigned flags = KEEL_NS_HOST | (a.list || a.deps ? KEEL_NS_INERT
                                     : a.no_export    ? 0
                                                      : KEEL_NS_EXPORT | KEEL_NS_EXPORT_LAZY);
    if (a.perf_map && !a.list && !a.deps && keel_perf_map_open(NULL, &err)) {
        fprintf(stderr, "keel run: %s\n", err.msg);
        free(in);
        free_args(&a);
        return 1;
    }
    keel_ns *ns = keel_ns_create(NULL, flags, &err);
    keel_object *first = NULL;
    if (!ns || keel_load(ns, in, (size_t)a.ninputs, &first, &err)) {
        fprintf(stderr, "keel: %s\n", err.msg);
        free(in);
        free_args(&a);
        keel_ns_destroy(ns);
        return 1;
    }
    free(in);
    if (a.list || a.deps) {
        if (a.list)
            list_sections(ns, a.json, 1);
        if (a.deps)
            list_deps(ns, a.json, 1);
        keel_ns_destroy(ns);
        free_args(&a);
        return 0;
    }
    /* the batch is one program: its main may be hidden (-fvisibility=hidden) */
    void *mp = first ? keel_program_symbol(first, "main") : keel_symbol(ns, "main");
    if (!mp) {
        fprintf(stderr, "keel: no 'main' in the loaded objects\n");
        keel_ns_destroy(ns);
        free_args(&a);
        return 1;
    }
    /* main must be code: 'int main;' (a variable) would be jumped into */
    uint64_t moff;
    const keel_section *ms = keel_section_at(ns, (uintptr_t)mp, &moff);
    keel_error merr = {0};
    void *mfn = NULL;
    if (!ms || keel_section_function(ms, moff, &mfn, &merr)) {
        fprintf(stderr, "keel run: 'main' is not a function: it is in %s%s%s\n", ms ? "section " : "no loaded section",
                ms ? keel_section_name(ms) : "", ms ? ", which is not executable" : "");
        keel_ns_destroy(ns);
        free_args(&a);
        return 1;
    }
    main_fn m = (main_fn)mfn;
    /* argv: --argv0 or the program's name (program_name), then what
     * follows "--"; they live as long as the program */
    int nargs = a.rest < argc ? argc - a.rest - 1 : 0;
    static char **args;
    args = calloc((size_t)nargs + 2, sizeof *args);
    char *name = program_name(a.inputs[0]);
    if (!args || !name) {
        keel_ns_destroy(ns);
        free_args(&a);
        return 1;
    }
    args[0] = a.argv0 ? (char *)a.argv0 : name;
    name_process(args[0], name);
    if (a.argv0)
        free(name); /* (--argv0 replaced it; name_process keeps no pointer to it) */
    for (int k = 0; k < nargs; k++)
        args[1 + k] = argv[a.rest + 1 + k];
    after_list = a.print_list, after_deps = a.print_deps, after_json = a.json;
    if (a.watch && run_watch_start(ns, a.inputs, a.ninputs, a.after_swap ? after_swap : NULL)) {
        free_args(&a);
        return 1;
    }
    free_args(&a);
    loaded_ns = ns;
    /* exit(), not return: the program's atexit handlers run as in a program */
    exit(m(nargs + 1, args, environ));
}
