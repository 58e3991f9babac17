/* an inline function's static: g++ makes it STB_GNU_UNIQUE, so that the
 * dynamic linker keeps one across modules loaded RTLD_LOCAL */
inline int &shared_counter() { static int c; return c; }
