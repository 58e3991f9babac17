/* tests/mapfile_more.t: the notes' example C, a shared object with its
 * own bss segment and a versioned interface (MYLIB_1.0: mylib_open and
 * mylib_read; the rest local). */
int mylib_state = 1;
static char buf[4096];
int mylib_helper(int x) { return x + mylib_state; }
int mylib_open(const char *p)
{
    buf[0] = p[0];
    return mylib_helper(1);
}
int mylib_read(void) { return buf[0]; }
