/* bench/swap.sh's "beside libpython" case: this object's reference to
 * Py_BytesMain pulls what python's main needs from libpython3.11-pic.a
 * (177 of its 179 members) into the namespace, with no main of its own. */
extern int Py_BytesMain(int, char **);
int (*const anchor_python)(int, char **) = Py_BytesMain;
