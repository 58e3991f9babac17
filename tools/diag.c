/* Printing the library's diagnostics: the library itself writes nothing
 * (tests/lib_no_stderr.t), so the tools choose the streams here. */
#include <keel/diag.h>
#include <stdio.h>

#include "diag.h"

void diag_print(void *ctx, int level, const char *msg)
{
    if (level == KEEL_DIAG_OUTPUT) { /* ld's -t list: on stdout, as ld.bfd prints it */
        fputs(msg, stdout);
        fputc('\n', stdout);
        return;
    }
    fprintf(stderr, "%s: %s\n", ctx ? (const char *)ctx : "keel", msg);
}
