/* --sort-section=name moves the input sections of .rodata: these tables
 * (.rodata.zz_*, .rodata.aa_*) sort around the merged strings
 * (.rodata.str1.1) and 16-byte constants (.rodata.cst16), which must
 * still be found where they went. */
#include <stdio.h>
#include <string.h>

const char zz_table_a[37] = "zz table of file a, 37 bytes long...";
const char aa_table_a[21] = "aa table of file a..";
extern const char *b_strings(int);
extern double b_scale(double);

__attribute__((noinline)) static void scale4(float *v)
{
    static const float k[4] = {1.5f, 2.5f, 3.5f, 4.5f}; /* a 16-byte constant */
    for (int i = 0; i < 4; i++)
        v[i] *= k[i];
}

int main(void)
{
    float v[4] = {1, 1, 1, 1};
    scale4(v);
    printf("a: %s / %s / %s\n", "first merged string", zz_table_a, aa_table_a);
    printf("b: %s / %s\n", b_strings(0), b_strings(1));
    printf("v: %g %g %g %g %g\n", v[0], v[1], v[2], v[3], b_scale(2.0));
    return (int)strlen("first merged string") == 19 ? 0 : 1;
}
