#include <dlfcn.h>
#include <stdio.h>
int main(int argc, char **argv) {
  (void)argc;
  void *a = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL), *b = dlopen(argv[2], RTLD_NOW | RTLD_LOCAL);
  if (!a || !b) { printf("dlopen: %s\n", dlerror()); return 1; }
  int (*fa)(void) = (int (*)(void))dlsym(a, "plug_a_bump"), (*fb)(void) = (int (*)(void))dlsym(b, "plug_b_bump");
  fa(); fa();
  printf("counter seen by b: %d\n", fb());
  return 0;
}
