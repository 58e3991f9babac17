/* --gc-sections drops unused(): its .debug_ranges entry must not end the
 * list that main's entry follows. */
int unused(int x) { return x * 3 + 1; }
int used(int x) { return x + 2; }
int main(void) { return used(-2); }
