/* mapfile_dyn.t: a shared library's data and code. */
int counter = 5;
int lib_next(void)
{
    return ++counter;
}
