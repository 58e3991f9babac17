#include <stdio.h>
#include <dlfcn.h>
#include <string.h>
#include <stdlib.h>
int host_data = 4;
int host_value(void) { return 3; }
void *copy(void *d, const void *s, size_t n) { return memcpy(d, s, n); }
__asm__(".symver old_memcpy, memcpy@GLIBC_2.2.5");
extern void *old_memcpy(void *, const void *, size_t);
int main(int argc, char **argv) {
  void *h = dlopen(argv[1], RTLD_NOW);
  if (!h) { printf("dlopen: %s\n", dlerror()); return 1; }
  int (*f)(void) = (int (*)(void))dlsym(h, "plugin_run");
  printf("plugin %d\n", f());
  char b[8]; old_memcpy(b, "abc", 4); copy(b+4, "de", 3); printf("%s %s\n", b, b+4);
  printf("getenv %s\n", getenv("ZZ") ? getenv("ZZ") : "none");
  dlclose(h);
  return 0;
}
