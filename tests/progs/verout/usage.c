#include <stdio.h>
int open_target(void);
int main(void)
{
    printf("target %d\n", open_target());
    return 0;
}
