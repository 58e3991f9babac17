/* calls only libl1.so: libm is libl1.so's need */
extern double lib1(double);
int needs_from_main(void) { return 1; }
int main(void)
{
    volatile double x = 4;
    return (int)lib1(x);
}
