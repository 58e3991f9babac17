/* Names none of the link-editor's symbols (tests/link_dynifunc.t): an
 * executable's -E exports _edata, _end and __bss_start anyway, a shared
 * object none. */
int plain_var;
int plain_get(void) { return plain_var; }
