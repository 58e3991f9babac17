/* String literals reached through a section symbol plus an addend (the
 * pointer table: R_X86_64_64 against .rodata.str1.1), strings that end
 * others (suffix merge), aligned strings, wide strings (.rodata.str4.4)
 * and constants (.rodata.cst8/16): each also in strings_b.c. */
#include <stdio.h>
#include <wchar.h>

const char *names_b(int i);
double scale_b(double x);
const wchar_t *wide_b(void);

static const char *const names[] = {"alpha beta gamma", "beta gamma", "gamma", "delta epsilon", "unique to a"};
static const char long_one[] __attribute__((aligned(16))) = "a long aligned string that both objects hold";

const char *names_a(int i) { return names[i % 5]; }

int main(int argc, char **argv)
{
    (void)argv;
    for (int i = 0; i < 5; i++)
        printf("%s|%s\n", names_a(i), names_b(i));
    printf("%s %zu\n", long_one, (size_t)((unsigned long)long_one % 16));
    printf("%.3f %.3f\n", 3.25 * argc, scale_b(argc));
    printf("%ls %ls\n", L"wide and wider", wide_b());
    return 0;
}
