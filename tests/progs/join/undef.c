/* a library that references a function nothing defines */
void nowhere(void);
void lib_undef(void) { nowhere(); }
