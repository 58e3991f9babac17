#include <stdio.h>
int from_a(void), from_b(void);
const char *text_a(void), *text_b(void);
int main(void)
{
    printf("%d %d %s %s\n", from_a(), from_b(), text_a(), text_b());
    return 0;
}
