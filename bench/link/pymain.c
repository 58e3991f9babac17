/* The static python of bench/link.sh (as tests/link.t links it), compiled
 * -O2: with libpython3.11.a -lexpat -lz -lm -lutil, it makes python. */
extern int Py_BytesMain(int, char **);
int main(int c, char **v) { return Py_BytesMain(c, v); }
