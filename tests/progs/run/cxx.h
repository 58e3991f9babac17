// tests/run.t: a C++ program in two objects (cxx_main.cc, cxx_lib.cc).
#ifndef RUN_CXX_H
#define RUN_CXX_H
#include <stdexcept>
#include <string>
#include <vector>

// Thrown in one object and caught in the other; its type_info and vtable
// are COMDAT in both objects.
struct LibError : std::runtime_error {
    int code;
    LibError(const std::string &what, int c) : std::runtime_error(what), code(c) {}
};

// A thread_local with a non-trivial constructor and destructor, defined in
// cxx_tls.cc and used from cxx_tls_main.cc too (through its TLS wrapper).
struct Counter {
    int n;
    std::string owner;
    Counter();
    ~Counter();
    int bump() { return ++n; }
};
extern thread_local Counter tl_counter;

int lib_parse(const std::string &s);               // throws LibError
std::vector<std::string> lib_split(const std::string &s, char sep);
int lib_call(int (*fn)(int), int arg);             // fn may throw; caught or not here
int lib_catch(int (*fn)(int), int arg);            // catches std::exception from fn

// cxx_tls.cc and cxx_tls_main.cc: thread_local (general-dynamic TLS under
// -fPIC).  Without them, the program runs without TLS: tls_demo is a weak
// undefined reference, null.
std::string lib_tls_report(const char *who);
void tls_demo() __attribute__((weak));
#endif
