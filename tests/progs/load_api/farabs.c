/* An absolute symbol far (16 TiB) from anything the loader maps. */
__asm__(".globl far_abs\n\t.set far_abs, 0x100000000000\n\t");
int farabs_marker = 1;
