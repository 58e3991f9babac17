/* a library's initialized variable that programs built with -fcommon
 * also declare tentatively: ld.bfd binds their commons to it */
int verbose_level = 3;
int cvar_get(void) { return verbose_level; }
