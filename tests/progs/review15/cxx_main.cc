// C++ under keel run --watch: prints a counter and cxx_ver.cc's version;
// once the version is "three" (two swaps), five lines more, then exit, so
// that the static destructors run and say which they are.
#include <cstdio>
#include <cstring>
#include <unistd.h>

int tick();
const char *version();

int main()
{
    int after = 0;
    for (int n = 0; n < 3000; n = tick()) {
        std::printf("%d %s\n", n, version());
        std::fflush(stdout);
        if (std::strcmp(version(), "three") == 0 && ++after == 5)
            break;
        usleep(20000);
    }
    return 0;
}
