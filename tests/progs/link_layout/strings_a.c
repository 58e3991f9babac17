/* Merged strings: literals this file and strings_b.c share, and some of
 * their own, in .rodata.str1.1 (and wide ones in .rodata.str4.4). */
#include <stdio.h>
#include <wchar.h>

const char *b_names(int i);
const wchar_t *b_wide(void);

const char *a_names(int i)
{
    static const char *const v[] = {"shared one", "shared two", "only in a", "tail"};
    return v[i & 3];
}

int main(int argc, char **argv)
{
    (void)argv;
    for (int i = 0; i < 4; i++)
        printf("%s|%s\n", a_names(i + argc - 1), b_names(i + argc - 1));
    printf("%ls %ls\n", L"wide shared", b_wide());
    return 0;
}
