/* undefined references, with the C library and libm present */
#include <math.h>
#include <stdio.h>
extern int missing_fn(int);
extern int missing_var;
int main(void)
{
    printf("%f\n", sqrt(2.0));
    return missing_fn(missing_var) + missing_fn(1);
}
