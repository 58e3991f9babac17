// tests/run.t: C++ exceptions across two loaded objects, with no static
// objects (no __cxa_atexit, no <iostream>): cxx_eh_main.cc and this file.
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

struct EhError : std::runtime_error {
    int depth;
    EhError(const std::string &w, int d) : std::runtime_error(w), depth(d) {}
};

struct Noisy {
    int id;
    explicit Noisy(int i) : id(i) {}
    ~Noisy() { std::printf("unwound Noisy %d\n", id); }
};

int eh_recurse(int depth)
{
    Noisy n(depth);
    if (depth == 0)
        throw EhError("thrown from cxx_eh_lib.cc", depth);
    return eh_recurse(depth - 1) + 1;
}

int eh_call(int (*fn)(int), int arg)
{
    Noisy n(100 + arg);
    std::vector<std::string> v{"keeps", "a", "vector"};
    try {
        return fn(arg) + static_cast<int>(v.size());
    } catch (const std::logic_error &e) {
        std::printf("cxx_eh_lib.cc caught logic_error: %s\n", e.what());
        return -1;
    }
}
