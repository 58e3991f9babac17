/* A function address 16 TiB away from anything the loader maps: a call
 * to it goes through a stub (the namespace is inert: it is never run). */
__asm__(".globl far_fn\n\t.set far_fn, 0x100000000000\n\t");
int far_marker = 1;
