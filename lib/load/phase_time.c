/* KEEL_LOAD_TIMES (phase_time.h): a line per load phase, "load: PHASE
 * US" with the microseconds since the mark before, through the
 * diagnostics callback as a note (keel run prints "keel: load: ..." on
 * stderr); the library itself prints nothing (tests/lib_no_stderr.t). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../diag.h"
#include "phase_time.h"

int rl_phase_on = -1;
static struct timespec last;

static double since_last(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double us = (double)(now.tv_sec - last.tv_sec) * 1e6 + (double)(now.tv_nsec - last.tv_nsec) / 1e3;
    last = now;
    return us;
}

void rl_phase_mark_slow(const char *what)
{
    if (rl_phase_on < 0) {
        const char *v = getenv("KEEL_LOAD_TIMES");
        rl_phase_on = v && *v && *v != '0';
        if (rl_phase_on)
            since_last(); /* the first mark starts the clock */
        return;
    }
    char line[96];
    snprintf(line, sizeof line, "load: %-26s %9.1f us", what, since_last());
    kd_emit(NULL, NULL, KEEL_DIAG_NOTE, line);
}

void rl_phase_note(const char *what, size_t value)
{
    if (rl_phase_on > 0) {
        char line[96];
        snprintf(line, sizeof line, "load: %-26s %9zu", what, value);
        kd_emit(NULL, NULL, KEEL_DIAG_NOTE, line);
    }
}
