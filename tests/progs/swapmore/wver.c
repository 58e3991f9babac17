/* tests/swap_watch_deps.t's object swapped under keel run --watch.  With
 * SUFFIX, version() calls wmain_suffix in wmain.c: an edge between the
 * objects that the old version does not have. */
#include <string.h>
static int counter;
int tick(void) { return ++counter; }
#ifdef SUFFIX
extern const char *wmain_suffix(void);
const char *version(void) { return strcmp(wmain_suffix(), "!") == 0 ? VERSION : "?"; }
#else
const char *version(void) { return VERSION; }
#endif
