/* a weak definition: not taken */
__attribute__((weak)) int foo = 7;
