int target(void) { return 42; }
