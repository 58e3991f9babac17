/* The small object of tests/swap_scale.t, in versions (VER): swapped in a
 * namespace that also holds libpython3.11-pic.a, whose members it pulls
 * (the reference to Py_BytesMain pulls what python's main needs, as
 * bench/load/pymain.c does, without a main of its own) and calls.  A
 * static counter is carried over by each swap. */
typedef struct _object PyObject;
extern int Py_BytesMain(int, char **);
extern PyObject *PyLong_FromLong(long);
extern long PyLong_AsLong(PyObject *);
extern PyObject *PyNumber_Multiply(PyObject *, PyObject *);
extern void Py_DecRef(PyObject *);

int (*const s_anchor)(int, char **) = Py_BytesMain;
static long calls;

int s_version(void) { return VER; }
long s_count(void) { return __atomic_load_n(&calls, __ATOMIC_RELAXED); }
int s_tick(void)
{
    __atomic_fetch_add(&calls, 1, __ATOMIC_RELAXED);
    return VER;
}

/* x * VER * 1000003, computed by python's integers (beyond the small-int
 * cache); called with the GIL held */
long s_calc(long x)
{
    PyObject *a = PyLong_FromLong(x), *b = PyLong_FromLong(VER * 1000003L);
    PyObject *r = a && b ? PyNumber_Multiply(a, b) : 0;
    long v = r ? PyLong_AsLong(r) : -1;
    Py_DecRef(a);
    Py_DecRef(b);
    if (r)
        Py_DecRef(r);
    return v;
}
