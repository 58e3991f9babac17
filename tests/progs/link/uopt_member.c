/* Pulled from its archive by -u uopt_entry alone. */
#include <stdio.h>

int uopt_entry(void) { return 1; }

__attribute__((constructor)) static void announce(void) { puts("uopt member linked"); }
