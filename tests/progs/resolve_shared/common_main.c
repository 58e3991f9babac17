/* foo is a common here (built with -fcommon); an archive member defines it
 * with data, which GNU ld takes the member for */
#include <stdio.h>
int foo;
int main(void)
{
    printf("foo=%d\n", foo);
    return 0;
}
