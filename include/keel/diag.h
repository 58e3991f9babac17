/*
 * keel/diag.h - diagnostics: what the library says that is not an error.
 *
 * Library code never writes to standard output or standard error.  An
 * error is a value (keel_error, keel/elf.h); anything else worth saying --
 * the link-editor's warnings, the lines -t and -y ask for, a message
 * before the loader aborts -- is handed to a callback, and the caller
 * decides where it goes.  The keel tools install one that prints exactly
 * GNU ld's lines ("keel ld: " and the message on standard error, -t's
 * list on standard output).  With no callback installed, diagnostics are
 * dropped.
 */
#ifndef KEEL_DIAG_H
#define KEEL_DIAG_H

#ifdef __cplusplus
extern "C" {
#endif
/* The public API: libkeel.so is built -fvisibility=hidden and exports
 * what is declared here, nothing else (tests/api_exports.t). */
#pragma GCC visibility push(default)

enum keel_diag_level {
    KEEL_DIAG_OUTPUT = 0,  /* output the caller asked for, printed as it is (-t's inputs: ld prints them on stdout) */
    KEEL_DIAG_NOTE = 1,    /* information the caller asked for (-y's references and definitions) */
    KEEL_DIAG_WARNING = 2, /* the message says "warning: " itself where GNU ld's does */
    KEEL_DIAG_ERROR = 3,   /* an error that does not stop the call (--noinhibit-exec, a bad .eh_frame kept as it
                            * is), or that has nobody to be returned to (the loader's, before it aborts) */
};

/* One message: no trailing newline, no program name (the callback adds
 * its own, e.g. "keel ld: ").  ctx is the pointer given with fn. */
typedef void keel_diag_fn(void *ctx, int level, const char *msg);

/* The process-wide callback, used where no narrower one is given (a link
 * takes its own in keel_link_options).  NULL drops diagnostics (the
 * default).  Set it before other threads call into keel: the pair is
 * read without a lock. */
void keel_diag_set(keel_diag_fn *fn, void *ctx);

#pragma GCC visibility pop
#ifdef __cplusplus
}
#endif

#endif
