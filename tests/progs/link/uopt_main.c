/* -u NAME takes an archive member that nothing else references
 * (uopt_member.c announces itself from a constructor). */
#include <stdio.h>

int main(void)
{
    puts("main");
    return 0;
}
