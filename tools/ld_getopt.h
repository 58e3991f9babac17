/* GNU ld's reading of its command line (getopt_long_only over ld.bfd's own
 * option table), as a first pass that rewrites the words into one spelling
 * for tools/ld.c's parser:
 *   - a long option, with one dash or two, exact or abbreviated, becomes
 *     --NAME (or --NAME=VALUE when the value was joined); its value, if
 *     any, stays the next word;
 *   - a short option becomes -X, or -XVALUE when the value was joined; a
 *     cluster of short options (-sx) becomes one word each, with ld.bfd's
 *     warning;
 *   - anything else is an input, untouched.
 * So -emit-relocs is --emit-relocs, -omagic is -o magic, -export-dynamic
 * is --export-dynamic, -lc is -l c: what ld.bfd makes of the same words.
 * An option ld.bfd does not know is refused here in ld.bfd's words; one
 * it knows and tools/ld.c does not take is refused there by name. */
#ifndef KEEL_TOOLS_LD_GETOPT_H
#define KEEL_TOOLS_LD_GETOPT_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ld_words {
    char **v;          /* the rewritten words */
    const char **orig; /* per word: the argument it came from (messages name it) */
    size_t n;
} ld_words;

/* Rewrite args[0..n).  Messages go to report (error true: the link fails);
 * returns the number of errors. */
int ld_normalize(char **args, size_t n, ld_words *out, void (*report)(bool error, const char *fmt, ...));

#endif
