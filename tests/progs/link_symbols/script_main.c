#include <stdio.h>
int val(void);
int main(void)
{
    printf("val=%d\n", val());
    return 0;
}
