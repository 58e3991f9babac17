/* keel run --watch (run_watch.c). */
#ifndef KEEL_TOOLS_RUN_WATCH_H
#define KEEL_TOOLS_RUN_WATCH_H

#include <keel/load.h>

/* A file's bytes into memory, as a keel_input (kept for good); -1 if it
 * cannot be read. */
int run_watch_read(const char *path, keel_input *in);
/* Watch these inputs of ns (paths live as long as the program): swap each
 * in when it changes, or on SIGUSR1, then call after (if not NULL), from
 * the watcher's thread.  0, or an exit status. */
int run_watch_start(keel_ns *ns, char **paths, int n, void (*after)(const keel_ns *));

#endif
