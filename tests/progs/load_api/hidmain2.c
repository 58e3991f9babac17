/* The second program beside hidmain1.o: its own hidden main. */
__attribute__((visibility("hidden"))) int main(void) { return 22; }
