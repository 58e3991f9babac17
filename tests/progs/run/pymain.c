/* tests/run.t: Python in loaded objects: libpython3.11-pic.a does the rest. */
extern int Py_BytesMain(int, char **);
int main(int c, char **v) { return Py_BytesMain(c, v); }
