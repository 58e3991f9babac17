/* KEEL_LOAD_TIMES=1: each load phase's wall time, to find where
 * a load's time goes without a profiler (docs/loader.md, "Where a load's
 * time goes").  Off (the variable unset), a mark costs one load of a
 * flag. */
#ifndef KEEL_LOAD_PHASE_TIME_H
#define KEEL_LOAD_PHASE_TIME_H

#include <stddef.h>

#pragma GCC visibility push(hidden)
extern int rl_phase_on; /* -1 not yet read, 0 off, 1 on */
void rl_phase_mark_slow(const char *what);
/* The time since the last mark, said (as a diagnostics note) under the
 * name of what it took. */
static inline void rl_phase_mark(const char *what)
{
    if (rl_phase_on)
        rl_phase_mark_slow(what);
}
/* A figure beside the times (bytes, counts). */
void rl_phase_note(const char *what, size_t value);
#pragma GCC visibility pop

#endif
