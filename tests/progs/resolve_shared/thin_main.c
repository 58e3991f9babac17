#include <stdio.h>
int thin_value(void);
int main(void) { printf("thin=%d\n", thin_value()); return 0; }
