/* The unload test's user of ulib.o. */
void note(const char *);
int ulib_value(void);
int uuser_value(void) { return ulib_value() * 2; }
__attribute__((constructor)) static void uuser_ctor(void) { note("+uuser "); }
__attribute__((destructor)) static void uuser_dtor(void) { note("-uuser "); }
