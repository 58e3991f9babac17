/* -fno-pic: a read-only word of a library's variable's address, taken
 * by a copy of it, before (in the link order) rw.c's writable words,
 * which keep relocations by symbol */
extern int lib_a;
int *const ro_ptr = &lib_a;
