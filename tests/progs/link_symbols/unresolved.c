/* missing is never defined: a link that lets it through runs */
#include <stdio.h>
extern int missing(void);
int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 5)
        return missing();
    puts("ran");
    return 0;
}
