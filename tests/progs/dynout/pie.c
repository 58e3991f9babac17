/* A position-independent executable's relocations, checked by running:
 * absolute words in data (pointers to data, functions, strings), a
 * pointer in the TLS image, an IFUNC called and taken by address, an
 * undefined weak function (0, whatever the base), __ehdr_start.  With
 * an argument "addr" it prints where a global is, which ASLR moves. */
#include <stdio.h>
#include <string.h>

static int counter = 3;
int global = 40;
static const char *names[] = {"alpha", "beta", "gamma"};
static int *ptrs[] = {&counter, &global};
static __thread int *tls_ptr = &global;

static int add_one(int x) { return x + 1; }
static int twice(int x) { return 2 * x; }
static int (*const ops[])(int) = {add_one, twice};

static int impl(void) { return 7; }
static int (*resolve(void))(void) { return impl; }
int chosen(void) __attribute__((ifunc("resolve")));
int (*chosen_ptr)(void) = chosen;

extern void not_linked(void) __attribute__((weak));
extern const char __ehdr_start[];

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "addr") == 0) {
        printf("%p\n", (void *)&global);
        return 0;
    }
    int sum = *ptrs[0] + *ptrs[1] + *tls_ptr;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        sum = ops[i](sum);
    printf("%s %s %s %d\n", names[0], names[1], names[2], sum);
    printf("ifunc %d %d\n", chosen(), chosen_ptr());
    printf("weak %s, ehdr %.3s\n", not_linked ? "linked" : "null", __ehdr_start + 1);
    return sum & 0x7f;
}
