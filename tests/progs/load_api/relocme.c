/* Damaged copies of this object (load_api.t edits its .rela.text) test
 * relocation sections the loader cannot attach: each must be refused,
 * never loaded with its code unrelocated. */
int relocme_data = 5;
__attribute__((noinline)) int relocme_helper(int x) { return x * relocme_data; }
int relocme_fn(int x) { return relocme_helper(x) + 1; }
