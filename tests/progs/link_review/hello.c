#include <stdio.h>
const char *p[] = {"a", "b"};
int main(void) { puts(p[1]); return 0; }
