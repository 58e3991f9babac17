/* The other half of strings_a.c's merged strings. */
#include <wchar.h>

const char *b_names(int i)
{
    static const char *const v[] = {"shared two", "only in b", "shared one", "a tail"};
    return v[i & 3];
}

const wchar_t *b_wide(void) { return L"wide shared"; }
