/* -r test: functions in their own sections, TLS, a strong override of a weak */
__thread int counter = 40;
__thread int scratch; /* .tbss */
static const char *names[] = {"hello", "from", "lib"};
int shared_common;

int add(int a, int b) { scratch = a; return a + b + scratch - a; }
const char *greet(void) { return names[0]; }
int weak_value(void) { return 2; }
