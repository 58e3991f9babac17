/* trunc_f's member has a .data section that runs past the member's end */
int trunc_f(void);
int main(void) { return trunc_f(); }
