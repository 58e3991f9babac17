#include <stdio.h>
#include <stdlib.h>
volatile unsigned long sink;
void __attribute__((noinline)) spin_loaded(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i * i; }
int main(int argc, char **argv) { spin_loaded(argc > 1 ? strtoul(argv[1], 0, 10) : 300000000UL); printf("%lu\n", sink != 0); return 0; }
