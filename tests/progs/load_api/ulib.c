/* The unload test's library: uuser.o depends on it. */
void note(const char *);
int ulib_value(void) { return 7; }
__attribute__((constructor)) static void ulib_ctor(void) { note("+ulib "); }
__attribute__((destructor)) static void ulib_dtor(void) { note("-ulib "); }
