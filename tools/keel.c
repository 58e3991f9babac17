/* keel: the command-line front end. */
#include <keel/diag.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "diag.h"

#ifndef KEEL_VERSION
#define KEEL_VERSION "0.1.0"
#endif

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *what;
} commands[] = {
    {"info", cmd_info,
     "show the sections, segments, symbols, relocations, notes and dynamic\n"
     "             entries of ELF files and archives (like readelf -W)"},
    {"exec", cmd_exec, "run an executable in this process; --layout, --image: other clients"},
    {"run", cmd_run, "load relocatable objects and archives into this process and call main"},
    {"link", cmd_link, "link objects and archives into a static executable (GNU ld's options)"},
    {"map", cmd_map, "where addresses are: sections, symbols; a PDB's original and output addresses"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: keel COMMAND [ARGS...]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-10s %s\n", commands[i].name, commands[i].what);
    fprintf(to, "\n'keel COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
    keel_diag_set(diag_print, "keel"); /* what libkeel says, printed here */
    /* Invoked under another name, keel is that one command. */
    const char *self = strrchr(argv[0], '/');
    self = self ? self + 1 : argv[0];
    if (strcmp(self, "keel-run") == 0)
        return cmd_run(argc, argv);
    /* as ld: gcc -B<dir> and clang -fuse-ld=<path> run it by that name */
    if (strcmp(self, "ld") == 0 || strcmp(self, "ld.keel") == 0 || strncmp(self, "ld.keel-", 8) == 0)
        return cmd_link(argc, argv);
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("keel %s\n", KEEL_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "keel: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
