// libstdc++, libgcc_s and libm through g++'s own line
#include <cmath>
#include <iostream>
#include <thread>
int main()
{
    std::thread t([] { std::cout << std::sqrt(2.0) << "\n"; });
    t.join();
}
