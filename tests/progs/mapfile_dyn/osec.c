/* mapfile_dyn.t: sections whose output type and flags a mapfile sets.
 * .mybuf has bytes (zeros) in the object: as NOBITS it takes none in the
 * file; .myzero is NOBITS: as PROGBITS its zeros are in the file; .mycode
 * holds a function in a section without EXECUTE ("a"), made executable. */
#include <stdio.h>

__attribute__((section(".mybuf"))) char buf[65536] = {0};
__attribute__((section(".myzero,\"aw\",@nobits#"))) char zero[4096];
int twice(int);
__asm__(".section .mycode,\"a\",@progbits\n"
        ".globl twice\n"
        ".type twice,@function\n"
        "twice: lea (%rdi,%rdi), %eax\n"
        "ret\n"
        ".previous\n");

int main(void)
{
    buf[100] = 7;
    zero[10] = 5;
    printf("%d %d %d\n", buf[100] + buf[99], zero[10] + zero[11], twice(21));
    return 0;
}
