/* A program with main, for keel run and for keel exec (built dynamic, its
 * PT_INTERP pointed elsewhere by tests/tools_files.t). */
#include <stdio.h>

int main(void)
{
    puts("hello");
    return 0;
}
