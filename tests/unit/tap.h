/* The Test Anything Protocol lines every unit test prints: one `ok N - ...`
 * or `not ok N - ...` per check, then (or first, when the test knows its
 * count) the plan.  One copy, so that every test reports alike. */
#ifndef KEEL_TESTS_TAP_H
#define KEEL_TESTS_TAP_H

#include <stdarg.h>
#include <stdio.h>

static int tap_count, tap_failed;

/* One check: its line, flushed at once so that a crash after it still
 * shows how far the test got.  Returns cond. */
__attribute__((format(printf, 2, 3), unused)) static int ok(int cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s %d - ", cond ? "ok" : "not ok", ++tap_count);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    fflush(stdout);
    tap_failed += !cond;
    return cond;
}

/* One check named what, with detail (may be NULL or empty) after a colon:
 * the form of the swap tests' lines.  Returns cond. */
__attribute__((unused)) static int ok_why(int cond, const char *what, const char *detail)
{
    return ok(cond, "%s%s%s", what, detail && *detail ? ": " : "", detail ? detail : "");
}

/* The plan after the checks, and the exit status: 1 if one failed. */
__attribute__((unused)) static int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed != 0;
}

#endif
