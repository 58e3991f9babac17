int val(void) { return 42; }
