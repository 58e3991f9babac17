// C++ with iostream, exceptions, thread_local and std::thread: what a
// static C++ link pulls from libstdc++, libgcc_eh and libc.
#include <iostream>
#include <stdexcept>
#include <string>
#include <thread>

thread_local int counter = 1;

static int risky(int n)
{
    if (n > 2)
        throw std::runtime_error("too big: " + std::to_string(n));
    return n;
}

int main()
{
    std::thread t([] { counter += 10; std::cout << "thread " << counter << '\n'; });
    t.join();
    try {
        risky(3);
    } catch (const std::exception &e) {
        std::cout << "caught " << e.what() << '\n';
    }
    std::cout << "main " << counter << std::endl;
}
