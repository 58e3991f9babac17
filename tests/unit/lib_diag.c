/* lib_diag OBJ OUT LOG MODE: link OBJ (with -t) into OUT through the
 * library, as a client that is not the keel tool would, and write what
 * reaches a diagnostics callback to LOG, one "LEVEL MESSAGE" line each.
 * MODE "link" gives the callback in keel_link_options, "global" through
 * keel_diag_set, "none" gives none.  tests/lib_no_stderr.t checks the
 * lines against ld.bfd's and that this process's stdout and stderr stay
 * empty: the library itself prints nothing. */
#include <keel/diag.h>
#include <keel/link.h>
#include <stdio.h>
#include <string.h>

static void collect(void *ctx, int level, const char *msg) { fprintf((FILE *)ctx, "%d %s\n", level, msg); }

int main(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    FILE *log = fopen(argv[3], "w");
    if (!log)
        return 2;
    keel_link_input in = {.path = argv[1]};
    keel_link_options opt = {.output = argv[2], .inputs = &in, .ninputs = 1, .trace = true};
    if (strcmp(argv[4], "link") == 0) {
        opt.diag = collect;
        opt.diag_ctx = log;
    } else if (strcmp(argv[4], "global") == 0) {
        keel_diag_set(collect, log);
    }
    keel_error err = {0};
    int rc = keel_link(&opt, &err);
    fclose(log);
    if (rc) {
        /* the error is the caller's to print: on stdout, so that the test
         * still sees the library's own stderr empty */
        printf("keel_link: %s\n", err.msg);
        return 1;
    }
    return 0;
}
