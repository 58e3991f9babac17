/* foo is a common here (-fcommon); an archive member defines it */
#include <stdio.h>
int foo;
int main(void)
{
    printf("foo=%d\n", foo);
    return 0;
}
