#include "cxx.h"
#include <iostream>
#include <thread>

// thread_local in another object: each thread gets its own Counter,
// constructed on first use and destroyed when the thread ends.
void tls_demo()
{
    std::cout << lib_tls_report("main") << std::endl;
    std::cout << "main thread tl_counter.n " << tl_counter.n << std::endl;
    std::string from_thread;
    std::thread t([&from_thread] {
        from_thread = lib_tls_report("thread");
        tl_counter.bump();
        from_thread += ", then " + std::to_string(tl_counter.n);
    });
    t.join();
    std::cout << from_thread << std::endl;
    std::cout << lib_tls_report("main again") << std::endl;
}
