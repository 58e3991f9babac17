/* ld_args.t: a member for the test libraries (libfoo.a, libbar.a, ...). */
int ld_args_foo(void);

int ld_args_foo(void)
{
    return 1;
}
