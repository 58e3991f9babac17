/* The process-wide diagnostics callback (keel/diag.h).  It lives in the
 * reader, the layer every other part stands on, and needs no libc. */
#include <keel/diag.h>

#include "../diag.h"

static keel_diag_fn *diag_fn;
static void *diag_ctx;

void keel_diag_set(keel_diag_fn *fn, void *ctx)
{
    diag_fn = fn;
    diag_ctx = ctx;
}

void kd_emit(keel_diag_fn *fn, void *ctx, int level, const char *msg)
{
    if (!fn) {
        fn = diag_fn;
        ctx = diag_ctx;
    }
    if (fn)
        fn(ctx, level, msg);
}
