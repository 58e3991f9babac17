/* libcommon.so: defines bar_common as data */
int bar_common = 5;
int foo(void) { return bar_common; }
