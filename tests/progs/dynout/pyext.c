/* A small Python C extension module with a few functions and a type,
 * linked by keel (gcc -shared: the C library's symbols imported from
 * libc.so.6, the Py* ones the dynamic linker's to bind, from the
 * python3.11 that imports it). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

static PyObject *add(PyObject *self, PyObject *args)
{
    long a, b;
    (void)self;
    if (!PyArg_ParseTuple(args, "ll", &a, &b))
        return NULL;
    return PyLong_FromLong(a + b);
}

static PyObject *greet(PyObject *self, PyObject *name)
{
    (void)self;
    return PyUnicode_FromFormat("hello, %U", name);
}

typedef struct {
    PyObject_HEAD long count;
} Counter;

static PyObject *counter_bump(Counter *c, PyObject *unused)
{
    (void)unused;
    return PyLong_FromLong(++c->count);
}

static PyMethodDef counter_methods[] = {{"bump", (PyCFunction)counter_bump, METH_NOARGS, "count one more"},
                                       {NULL, NULL, 0, NULL}};

static PyTypeObject CounterType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "keelext.Counter",
    .tp_basicsize = sizeof(Counter),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = PyType_GenericNew,
    .tp_methods = counter_methods,
};

static PyMethodDef methods[] = {{"add", add, METH_VARARGS, "a + b"},
                                {"greet", greet, METH_O, "a greeting"},
                                {NULL, NULL, 0, NULL}};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "keelext", "linked by keel", -1, methods,
                                    NULL,                 NULL,      NULL,             NULL};

PyMODINIT_FUNC PyInit_keelext(void)
{
    if (PyType_Ready(&CounterType) < 0)
        return NULL;
    PyObject *m = PyModule_Create(&module);
    Py_INCREF(&CounterType);
    if (m && PyModule_AddObject(m, "Counter", (PyObject *)&CounterType) < 0) {
        Py_DECREF(&CounterType);
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
