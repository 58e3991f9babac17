/* -r test: the program's main; strings, a local static, a weak, a common,
 * TLS, and calls into the other object. */
#include <stdio.h>

extern int add(int, int);
extern const char *greet(void);
extern __thread int counter;
extern int shared_common;
int shared_common; /* a common (built with -fcommon) */
int weak_value(void);

static int local_static = 5;

__attribute__((weak)) int weak_value(void) { return 1; }

static int bump(void) { return ++counter; }

int main(void)
{
    local_static += add(2, 3);
    shared_common = 7;
    bump();
    bump();
    printf("%s %d %d %d %d\n", greet(), local_static, shared_common, counter, weak_value());
    puts("a string literal, merged");
    return 0;
}
