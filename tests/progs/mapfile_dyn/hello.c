/* mapfile_dyn.t: a C program that writes its data and prints it. */
#include <stdio.h>

int counter = 3;
const char greeting[] = "hello";

int main(void)
{
    counter++;
    printf("%s %d\n", greeting, counter);
    return 0;
}
