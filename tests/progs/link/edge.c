/* Corners a static link must get right: a .tbss more aligned than the end
 * of .tdata (the TLS block and what follows it in the data segment), and,
 * compiled with -g -ffunction-sections -fdata-sections, an unused global
 * that --gc-sections removes while the debug information still names it. */
#include <stdint.h>
#include <stdio.h>

__thread int small_tls = 7;
__thread _Alignas(64) char aligned_tls[64];
int unused_global = 42;
int used_global = 5;

static void bump(void) { aligned_tls[3] = (char)(small_tls + used_global); }

int main(void)
{
    bump();
    printf("small %d, aligned[3] %d, 64-aligned %d\n", small_tls, aligned_tls[3],
           (int)((uintptr_t)aligned_tls % 64 == 0));
    return 0;
}
