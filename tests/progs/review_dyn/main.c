#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <getopt.h>
extern int b_val(int);
extern int a_counter;
extern char **environ;
__attribute__((weak)) void not_there(void);
int (*pa)(int);
extern int a_val(int);
int main(int argc, char **argv) {
  int c; while ((c = getopt(argc, argv, "x:")) != -1) if (c=='x') printf("opt %s\n", optarg);
  printf("%d %d\n", b_val(3), a_counter);
  if (&not_there) not_there(); else puts("no not_there");
  errno = 0; strtol("99999999999999999999", 0, 10); printf("errno %d\n", errno);
  printf("env %d\n", environ[0] != 0);
  pa = a_val; printf("peq %d\n", pa == &a_val);
  fprintf(stdout, "stdout ok\n");
  char buf[4096]; printf("rp %d\n", realpath("/tmp", buf) != 0);
  return 0;
}
