/* References the link-editor's symbols: the script's (_edata, _end,
 * __bss_start, etext), a section's bounds (__start_/__stop_), the GOT and
 * .dynamic (which ld.bfd keeps local); tests/link_dynifunc.t compares the
 * .dynsym ld.bfd and keel give them. */
__attribute__((section("keelsec"), used)) static int in_sec[2] = {1, 2};
extern int __start_keelsec[], __stop_keelsec[];
extern char _edata[], _end[], __bss_start[], etext[], _GLOBAL_OFFSET_TABLE_[], _DYNAMIC[];
int bss_var;

long sec_words(void) { return __stop_keelsec - __start_keelsec; }
long data_span(void) { return _end - _edata + (__bss_start - etext); }
void *tables(int i) { return i ? (void *)_GLOBAL_OFFSET_TABLE_ : (void *)_DYNAMIC; }
