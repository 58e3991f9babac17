#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

struct EhError : std::runtime_error {
    int depth;
    EhError(const std::string &w, int d) : std::runtime_error(w), depth(d) {}
};
int eh_recurse(int depth);
int eh_call(int (*fn)(int), int arg);

static int thrower(int x)
{
    if (x == 1)
        throw std::invalid_argument("invalid " + std::to_string(x)); // a logic_error: caught in cxx_eh_lib.cc
    if (x == 2)
        throw std::runtime_error("runtime " + std::to_string(x));    // not caught there
    return x * 3;
}

int main(int argc, char **argv)
{
    try {
        eh_recurse(3);
    } catch (const EhError &e) {
        std::printf("main caught EhError '%s' depth %d\n", e.what(), e.depth);
    }
    for (int i = 0; i < 3; i++) {
        try {
            std::printf("eh_call(thrower, %d) = %d\n", i, eh_call(thrower, i));
        } catch (const std::exception &e) {
            std::printf("main caught '%s'\n", e.what());
        }
    }
    std::fputs("done\n", stderr);
    return argc > 1 ? std::atoi(argv[1]) : 0;
}
