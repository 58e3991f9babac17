/* a library of a tentative definition (-fcommon) of the other
 * library's variable */
int verbose_level;
int cvar_user_get(void) { return verbose_level; }
