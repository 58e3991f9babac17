#include <wchar.h>

static const char *const names[] = {"gamma", "alpha beta gamma", "epsilon", "delta epsilon", "unique to b"};
static const char long_one[] __attribute__((aligned(16))) = "a long aligned string that both objects hold";

const char *names_b(int i) { return i == 4 ? long_one + 2 : names[i % 5]; }
double scale_b(double x) { return 3.25 * x + 1.5; }
const wchar_t *wide_b(void) { return L"wider"; }
