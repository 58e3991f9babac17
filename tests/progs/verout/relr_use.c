/* A program using the packed library: its pointers were relocated. */
#include <stdio.h>
int *get(int i);
int main(void)
{
    int ok = get(399) - get(0) == 7 && get(63) - get(0) == 4 && get(130) - get(1) == 5;
    printf("relr %s\n", ok ? "ok" : "WRONG");
    return !ok;
}
