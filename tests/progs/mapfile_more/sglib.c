/* tests/mapfile_more.t: a library whose call_who() calls its own who();
 * the program defines who() too.  Under -Bsymbolic the library's call
 * binds to its own who() (1); a singleton or NODIRECT who() stays
 * preemptible: the program's (2), the one instance in the process. */
int who(void) { return 1; }
int other(void) { return 10; }
int call_who(void) { return who(); }
int call_other(void) { return other(); }
