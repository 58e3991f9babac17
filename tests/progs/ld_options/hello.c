/* A libc program for gcc -s, -g -S, and the options that must not change
 * what it does. */
#include <stdio.h>

static int counter = 3;

__attribute__((hot)) int hot(int x) { return x + counter; }
__attribute__((cold)) int cold(int x) { return x * 3; }

int main(int argc, char **argv)
{
    (void)argv;
    printf("hello %d\n", hot(argc) + cold(argc));
    return 0;
}
