/* Calls the library's IFUNCs (lib.c) directly, through its pointers and
 * by the addresses it returns. */
#include <stdio.h>
int bump(int);
int callall(int);
extern int (*ptr_bump)(int), (*ptr_hbump)(int);
int (*addr_bump(void))(int);
int (*addr_hbump(void))(int);
int main(void)
{
    printf("%d %d %d %d %d %d\n", bump(1), callall(2), ptr_bump(3), ptr_hbump(4), addr_hbump()(5), addr_bump()(6));
    printf("same %d\n", addr_bump() == bump);
    return 0;
}
