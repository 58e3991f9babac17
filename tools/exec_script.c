/* keel exec of a #! script: what the kernel's binfmt_script does before
 * the ELF loader runs (fs/binfmt_script.c, Linux 5.1 and later).  The
 * first line names an interpreter and at most one argument (everything
 * after the name, spaces and all); the interpreter runs with argv
 * [interpreter, argument?, script path, the script's argv[1...]], the
 * script's argv[0] dropped.  The interpreter may be a script in turn, up to
 * execve's limit. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exec_clients.h"
#include "mapped_file.h"

static bool spacetab(char c) { return c == ' ' || c == '\t'; }

/* The first in [first, last] that is not a space or tab, or NULL. */
static char *next_non_spacetab(char *first, const char *last)
{
    for (; first <= last; first++)
        if (!spacetab(*first))
            return first;
    return NULL;
}

/* The first in [first, last] that ends a name: a space, a tab or a NUL. */
static char *next_terminator(char *first, const char *last)
{
    for (; first <= last; first++)
        if (spacetab(*first) || !*first)
            return first;
    return NULL;
}

/* The kernel's parse of the #! line in the first SCRIPT_LINE_MAX bytes
 * (BINPRM_BUF_SIZE, zero-padded): the interpreter's name must end inside
 * them (a newline, or a space, tab or NUL after it), the argument may be
 * cut there.  0 with *name and *arg (NULL if none) pointing into buf, or
 * -1: execve's ENOEXEC. */
static int parse_line(char buf[SCRIPT_LINE_MAX + 1], char **name, char **arg)
{
    char *buf_end = buf + SCRIPT_LINE_MAX - 1, *i_end = memchr(buf, '\n', SCRIPT_LINE_MAX);
    if (!i_end) {
        i_end = next_non_spacetab(buf + 2, buf_end);
        if (!i_end || !next_terminator(i_end, buf_end))
            return -1; /* all blanks, or the name is cut */
        i_end = buf_end;
    }
    while (spacetab(i_end[-1]))
        i_end--;
    char *i_name = next_non_spacetab(buf + 2, i_end);
    if (!i_name || i_name == i_end)
        return -1; /* no interpreter */
    char *i_arg = NULL, *i_sep = next_terminator(i_name, i_end);
    if (i_sep && *i_sep)
        i_arg = next_non_spacetab(i_sep, i_end);
    *i_end = 0;
    if (i_arg)
        *i_sep = 0;
    *name = i_name;
    *arg = i_arg;
    return 0;
}

void exec_script_free(script_chain *c)
{
    while (c->nowned > 0)
        free(c->owned[--c->nowned]);
}

/* Keep P with the chain; false (and P freed) if it is NULL. */
static bool own(script_chain *c, void *p)
{
    if (!p || c->nowned == (int)(sizeof c->owned / sizeof c->owned[0])) {
        free(p);
        return false;
    }
    c->owned[c->nowned++] = p;
    return true;
}

static int follow(const char *path, script_chain *c)
{
    const char *file = path;
    for (;;) {
        /* execve's checks on each file of the chain: a regular file the
         * caller may execute (the later ones are the interpreters). */
        const char *why;
        int fd = open_regular(file, NULL, &why);
        if (fd < 0) {
            int e = errno;
            if (c->depth)
                fprintf(stderr, "keel: %s: its interpreter %s: %s%s\n", path, file, fd == -1 ? "cannot open: " : "",
                        why);
            else
                fprintf(stderr, "keel: %s: %s%s\n", file, fd == -1 ? "cannot open: " : "", why);
            return e == ENOENT ? 127 : 126;
        }
        if (faccessat(AT_FDCWD, file, X_OK, AT_EACCESS)) {
            fprintf(stderr, "keel: %s: cannot execute%s%s: %s\n", c->depth ? path : file,
                    c->depth ? " its interpreter " : "", c->depth ? file : "", strerror(errno));
            close(fd);
            return 126;
        }
        /* The kernel opens an interpreter before it counts the level:
         * execve's ELOOP comes after a missing interpreter's ENOENT. */
        if (c->depth > SCRIPT_DEPTH_MAX) {
            fprintf(stderr, "keel: %s: too many levels of #! interpreters (execve's limit is %d scripts)\n", path,
                    SCRIPT_DEPTH_MAX);
            close(fd);
            return 126;
        }
        char *buf = calloc(1, SCRIPT_LINE_MAX + 1);
        size_t got = 0;
        int rc = own(c, buf) ? exec_pread(&fd, 0, buf, SCRIPT_LINE_MAX, &got) : KEEL_E_NOMEM;
        close(fd);
        if (rc) {
            fprintf(stderr, "keel: %s: cannot read: %s\n", file, strerror(rc == KEEL_E_NOMEM ? ENOMEM : EIO));
            return 126;
        }
        if (got < 2 || buf[0] != '#' || buf[1] != '!') {
            c->file = file; /* an ELF or a.out file, or nothing execve runs: load_image says which */
            return 0;
        }
        char *name, *arg;
        if (parse_line(buf, &name, &arg)) {
            fprintf(stderr,
                    "keel: %s: not executable: its #! line names no interpreter within the first %d bytes "
                    "(execve's limit)\n",
                    file, SCRIPT_LINE_MAX);
            return 126;
        }
        c->depth++;
        /* An empty name ("#!" and a NUL, or a file of two bytes): the
         * kernel's lookup of "" finds the working directory, which it
         * refuses (EACCES). */
        if (!*name)
            name = ".";
        /* [name, arg?, file, argv[1...]], pointing into the #! lines: all
         * live until the jump (exec_script_free after a failure). */
        int n = 2 + (arg != NULL) + (c->argc > 1 ? c->argc - 1 : 0);
        char **v = calloc((size_t)n + 1, sizeof *v);
        if (!own(c, v)) {
            fprintf(stderr, "keel: %s: out of memory\n", file);
            return 126;
        }
        int k = 0;
        v[k++] = name;
        if (arg)
            v[k++] = arg;
        v[k++] = (char *)file;
        for (int i = 1; i < c->argc; i++)
            v[k++] = c->argv[i];
        c->argc = k;
        c->argv = v;
        file = name;
    }
}

int exec_script(const char *path, int argc, char **argv, script_chain *c)
{
    c->file = path;
    c->argc = argc;
    c->argv = argv;
    c->depth = 0;
    c->nowned = 0;
    int status = follow(path, c);
    if (status)
        exec_script_free(c);
    return status;
}
