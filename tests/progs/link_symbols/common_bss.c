/* a definition in .bss (-fno-common) is data too: taken */
int foo = 0;
