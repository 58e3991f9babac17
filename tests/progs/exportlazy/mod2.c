/* dlopen'd by prog.c, in a thread of its own beside mod1.so. */
extern int prog_value;
int prog_cb(int x);
int mod2_run(void) { return prog_cb(prog_value) * 10 + 2; }
