#include <stdio.h>

const char *secsym_abs(void);
const char *secsym_pc(void);
/* the same strings here too: the other object's become duplicates */
const char *mine[] = {"first", "second string", "third", "string"};

int main(void)
{
    printf("[%s] [%s] [%s]\n", secsym_abs(), secsym_pc(), mine[3]);
    return 0;
}
