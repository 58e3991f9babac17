/* Section names (-ffunction-sections -fdata-sections): .text.foo is named
 * foo, and so are the data, bss, rodata and .data.rel.local sections of
 * variables; merged string sections keep their ELF names.  The sections
 * named like Rust's legacy mangling check keel_section_name_without_hash:
 * only a final "::h" with exactly 16 lower-case hex digits goes. */
#define IN(name) __attribute__((section(name), noinline))

IN(".text.mycrate::thing::h0123456789abcdef") int rust_hashed(void) { return 1; }
IN(".text.m::nonhex::h0123456789abcdeg") int rust_nonhex(void) { return 2; }
IN(".text.m::short::h0123456789abcde") int rust_short(void) { return 3; }
IN(".text.m::long::h0123456789abcdef0") int rust_long(void) { return 4; }
IN(".text.m::h0123456789abcdef::inner") int rust_middle(void) { return 5; }
IN(".text.a::h0123456789abcdef::b::hfedcba9876543210") int rust_twice(void) { return 6; }

int plain_c_name(void) { return 7; }
__attribute__((cold, noinline)) int cold_fn(int x) { return x * 7; }

int data_var = 3;
int bss_var;
const int ro_var[4] = {1, 2, 3, 4};
static int local_static = 9;
int *ptr_var = &local_static;
const char *str_ptr = "a string in a merged section";
/* names that start like merged-constant sections (.rodata.str1.1,
 * .rodata.cst8) but are ordinary symbols */
int string_len(const char *s) { int n = 0; while (s[n]) n++; return n; }
int cst_table[2] = {1, 2};
