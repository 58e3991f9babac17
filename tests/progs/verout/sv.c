/* .symver'd definitions: foo@V1 the old one, foo@@V2 the default. */
int foo_old(void) { return 1; }
int foo_new(void) { return 2; }
__asm__(".symver foo_old,foo@V1");
__asm__(".symver foo_new,foo@@V2");
int *ptrs[] = {0, 0};
