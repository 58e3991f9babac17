/* load_times.t: a program of two objects, one from an archive. */
#include <stdio.h>

int twice(int);

int main(int argc, char **argv)
{
    printf("%s: %d\n", argc > 1 ? argv[1] : "none", twice(21));
    fprintf(stderr, "the program's own stderr line\n");
    return 0;
}
