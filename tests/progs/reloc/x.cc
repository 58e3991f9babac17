// -r test: COMDAT inline functions and templates shared with y.cc, exceptions
#include <cstdio>
#include <stdexcept>
#include "tmpl.h"

int from_y(int);

int main()
{
    Box<int> b(3);
    try {
        std::printf("%d %d %d\n", b.twice(), square(4), from_y(5));
        thrower(0);
    } catch (const std::runtime_error &e) {
        std::printf("caught %s\n", e.what());
    }
    return 0;
}
