/* The object recompiled under keel run --watch: VERSION changes, the
 * counter carries over. */
static int counter;
int tick(void) { return ++counter; }
const char *version(void) { return VERSION; }
