/* The tools' diagnostics callback (keel/diag.h): it prints what the
 * library says exactly as GNU ld prints it. */
#ifndef KEEL_TOOLS_DIAG_H
#define KEEL_TOOLS_DIAG_H

/* ctx is the program name for the prefix ("keel ld"): KEEL_DIAG_OUTPUT
 * goes to stdout as it is, everything else to stderr as "PREFIX: msg". */
void diag_print(void *ctx, int level, const char *msg);

#endif
