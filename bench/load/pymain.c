/* The python program of bench/load.sh, compiled -O2 -fPIC: the one object
 * that, with libpython3.11-pic.a, makes python. */
extern int Py_BytesMain(int, char **);
int main(int c, char **v) { return Py_BytesMain(c, v); }
