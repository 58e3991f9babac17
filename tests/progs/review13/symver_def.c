/* xz's liblzma (common.h's LZMA_SYMVER_API): the function is defined
 * under an internal name and given its default version by .symver. */
int foo_v1(void) { return 1; }
__asm__(".symver foo_v1,foo@@V1");
int var_v1 = 5;
__asm__(".symver var_v1,var@@V1");
