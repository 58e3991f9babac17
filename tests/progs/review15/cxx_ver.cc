// The C++ object swapped twice: a global with a destructor (registered
// by its constructor, at load and at each swap) and a function-local
// static with one (registered at its first use, before any swap; its
// guard is carried over, so the new code never registers it again).
// Each destructor must run once at exit, on the state carried over.
#include <cstdio>

struct Log {
    int lines = 0;
    ~Log() { std::printf("local static destroyed by %s after %d\n", VERSION, lines); }
};
struct Global {
    ~Global() { std::printf("global destroyed by %s\n", VERSION); }
} global;

static Log &log()
{
    static Log l;
    return l;
}
int tick() { return ++log().lines; }
const char *version() { return VERSION; }
