/* A pointer table in .data (its relocations met before the code's) naming
 * library objects the code also reaches directly (non-PIC: copies of
 * environ and stdout, puts' canonical PLT entry) and one it does not
 * (stderr): ld.bfd writes the copies' and the entry's addresses into the
 * table with no relocation, and binds stderr's word by symbol. */
#include <stdio.h>
#include <unistd.h>
extern char **environ;
void *tab[] = {&environ, &stdout, &stderr, (void *)puts};
int main(void)
{
    int (*volatile p)(const char *) = puts;
    printf("%d %d %d %d\n", tab[0] == (void *)&environ, tab[1] == (void *)&stdout, *(FILE **)tab[1] == stdout,
           tab[3] == (void *)p);
    fprintf(*(FILE **)tab[2], "env %d\n", *(char ***)tab[0] == environ);
    return ((int (*)(const char *))tab[3])("ok") < 0;
}
