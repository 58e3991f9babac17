/* The library the join tests link against: an array (copied into the
 * executable with its size), a function whose address it hands back
 * (pointer equality with the executable's canonical PLT entry), and a
 * function it calls that the executable defines too (preempted). */
int lib_table[40] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
int lib_func(int x) { return x * 3; }
int (*lib_func_address(void))(int) { return lib_func; }
int lib_hook(void) { return 1; }
int lib_call_hook(void) { return lib_hook(); }
int lib_sum(void)
{
    int s = 0;
    for (int i = 0; i < 40; i++)
        s += lib_table[i];
    return s;
}
