#include "cxx.h"
#include <cstdlib>
#include <iostream>
#include <map>
#include <numeric>
#include <thread>

namespace {
struct Global {
    std::string name;
    explicit Global(const char *n) : name(n) { std::cout << "construct main global " << name << std::endl; }
    ~Global() { std::cout << "destroy main global " << name << std::endl; }
};
Global main_global("in cxx_main.cc");

int thrower(int x)
{
    if (x > 2)
        throw std::out_of_range("thrower: " + std::to_string(x) + " is too big");
    return x * 2;
}
}

int main(int argc, char **argv)
{
    std::cout << "argc " << argc << ", argv[1] " << (argc > 1 ? argv[1] : "(none)") << std::endl;
    // An exception thrown in cxx_lib.cc, caught here.
    for (const char *s : {"123", "12x4", "7"}) {
        try {
            int v = lib_parse(s);
            std::cout << "parse " << s << " = " << v << std::endl;
        } catch (const LibError &e) {
            std::cout << "caught LibError '" << e.what() << "' code " << e.code << std::endl;
        }
    }
    // Thrown here, through cxx_lib.cc's frames, caught here; and caught there.
    try {
        std::cout << "lib_call(thrower, 1) = " << lib_call(thrower, 1) << std::endl;
        int v = lib_call(thrower, 5);
        std::cout << "lib_call(thrower, 5) = " << v << std::endl;
    } catch (const std::out_of_range &e) {
        std::cout << "caught out_of_range '" << e.what() << "'" << std::endl;
    }
    int r = lib_catch(thrower, 9);
    std::cout << "lib_catch(thrower, 9) = " << r << std::endl;

    std::map<std::string, int> count;
    for (const std::string &w : lib_split("b,a,c,a,b,a", ','))
        count[w]++;
    for (const auto &kv : count)
        std::cout << kv.first << "=" << kv.second << " ";
    std::cout << std::endl;

    // Loaded code on another thread.
    std::vector<long> v(1000);
    std::iota(v.begin(), v.end(), 1);
    long sum = 0;
    std::thread t([&] { sum = std::accumulate(v.begin(), v.end(), 0L); });
    t.join();
    std::cout << "sum on a thread " << sum << std::endl;

    if (tls_demo)
        tls_demo();
    else
        std::cout << "no TLS objects" << std::endl;
    std::cerr << "to cerr: " << count.size() << " words" << std::endl;
    int status = argc > 1 ? std::atoi(argv[1]) : 0;
    std::cout << "return " << status << std::endl;
    return status;
}
