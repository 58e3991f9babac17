/* the member of libu.a that libbad.so's reference pulls */
int undef_in_lib(void) { return 3; }
