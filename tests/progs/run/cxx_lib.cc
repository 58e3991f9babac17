#include "cxx.h"
#include <iostream>
#include <sstream>

namespace {
struct Global {
    std::string name;
    explicit Global(const char *n) : name(n) { std::cout << "construct lib global " << name << std::endl; }
    ~Global() { std::cout << "destroy lib global " << name << std::endl; }
};
Global lib_global("in cxx_lib.cc");
}

int lib_parse(const std::string &s)
{
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            throw LibError("not a digit in '" + s + "'", c);
        v = v * 10 + (c - '0');
    }
    return v;
}

std::vector<std::string> lib_split(const std::string &s, char sep)
{
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string part; std::getline(in, part, sep);)
        out.push_back(part);
    return out;
}

int lib_call(int (*fn)(int), int arg)
{
    std::vector<int> guard{1, 2, 3}; // destroyed while unwinding through here
    return fn(arg) + static_cast<int>(guard.size());
}

int lib_catch(int (*fn)(int), int arg)
{
    try {
        return fn(arg);
    } catch (const std::exception &e) {
        std::cout << "cxx_lib.cc caught: " << e.what() << std::endl;
        return -1;
    }
}
