/* An object whose main does nothing: the fixed cost of each loader. */
int main(void) { return 0; }
