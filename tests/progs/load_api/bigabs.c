/* An absolute symbol above 4 GiB: no 32-bit relocation can hold it. */
__asm__(".globl big_abs\n\t.set big_abs, 0x123456789\n\t");
int bigabs_marker = 1;
