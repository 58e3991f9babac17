/* Saying something that is not an error, from any part of libkeel: to
 * the given callback, or else to keel_diag_set's, or nowhere.  The kd_
 * prefix is the library-wide one (lib/elf/diag.c defines it); no part
 * writes to stdout or stderr itself (tests/lib_no_stderr.t). */
#ifndef KEEL_LIB_DIAG_H
#define KEEL_LIB_DIAG_H

#include <keel/diag.h>

void kd_emit(keel_diag_fn *fn, void *ctx, int level, const char *msg);

#endif
