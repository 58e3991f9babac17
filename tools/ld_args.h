/* The link-editor's command line (tools/ld.c): GNU ld's options as gcc's
 * collect2 and clang pass them, turned into keel_link_options.  Parsing and
 * checking the inputs are kept apart from keel_link() so that the plan can
 * be printed (--keel-print-plan) and tested without linking. */
#ifndef KEEL_TOOLS_LD_ARGS_H
#define KEEL_TOOLS_LD_ARGS_H

#include <keel/link.h>
#include <stdbool.h>
#include <stddef.h>

/* One input as the command line gave it, before -l is resolved: all -L
 * options apply to every -l, wherever they stand, so resolution waits for
 * the whole line. */
typedef struct ld_pending {
    const char *arg; /* a file name, or the NAME of -lNAME (":FILE" for -l:FILE) */
    bool is_lib;
    bool dynamic;       /* -Bdynamic was in force: a -l may find a .so */
    keel_link_input in; /* group, whole_archive, as_needed; path once resolved */
} ld_pending;

typedef struct ld_plan {
    keel_link_options opt;
    ld_pending *pending;
    size_t npending;
    keel_link_input *inputs; /* resolved, in order */
    size_t ninputs;
    const char **dirs; /* -L, in order */
    size_t ndirs;
    bool nostdlib;     /* -nostdlib: only the -L directories are searched */
    bool print_plan;   /* --keel-print-plan */
    bool version_only; /* -v/-V without inputs: print and stop, as ld does */
} ld_plan;

#endif
