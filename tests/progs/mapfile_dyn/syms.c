/* mapfile_dyn.t: a shared library whose exports a mapfile's SYMBOL_SCOPE
 * and SYMBOL_VERSION choose (and the equivalent version script). */
int sym_kept(int x)
{
    return x + 1;
}

int sym_hidden(int x)
{
    return x + 2;
}

int sym_gone(int x)
{
    return x + 3;
}

int sym_v2(int x)
{
    return x + 4;
}

int sym_data = 3;

/* lib_call calls lib_val: through the PLT, unless lib_val binds in the
 * library (protected), whatever the program defines */
int lib_val(void)
{
    return 1;
}

int lib_call(void)
{
    return lib_val();
}
