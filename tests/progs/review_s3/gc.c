/* review_s3.t: a program whose unused function --gc-sections drops, so
 * that keel link writes its address map unless told otherwise. */
#include <stdio.h>

int unused_function(int x)
{
    return x * 3 + 1;
}

int used_function(int x)
{
    return x + 41;
}

int main(void)
{
    printf("%d\n", used_function(1));
    return 0;
}
