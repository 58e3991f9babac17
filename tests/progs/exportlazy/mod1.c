/* dlopen'd by prog.c: calls back into the program keel run loaded. */
extern int prog_value;
int prog_cb(int x);
int mod1_run(void) { return prog_cb(prog_value) * 10 + 1; }
