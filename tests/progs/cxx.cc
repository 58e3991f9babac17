// A C++ program for tests/exec_run.t, run directly and through `keel exec`:
// iostreams, static constructors and destructors, exceptions (the unwinder
// finds .eh_frame through dl_iterate_phdr, or __register_frame_info in a
// static program), std::thread and thread_local objects with destructors.
// Its output is the same from one run to the next.
//
// usage: cxx MODE [ARGS...]
//   MODE is a number N: return N from main
//   MODE is "uncaught": throw an exception nobody catches (std::terminate,
//   then abort: a message on stderr and death by SIGABRT)
#include <sys/resource.h>

#include <cstdlib>
#include <cstring>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Global {
    std::string name;
    explicit Global(const char *n) : name(n) { std::cout << "construct " << name << std::endl; }
    ~Global() { std::cout << "destroy " << name << std::endl; }
};
Global first("global first");
Global second("global second");

struct PerThread {
    std::string label = "per-thread object";
    int uses = 0;
    ~PerThread() { std::cout << "  ~PerThread after " << uses << " uses" << std::endl; }
};
thread_local int tl_counter = 10;
thread_local std::string tl_name = "initial";
thread_local PerThread tl_object;

struct Error : std::runtime_error {
    int depth;
    Error(const std::string &what, int d) : std::runtime_error(what), depth(d) {}
};

int descend(int depth)
{
    if (depth == 0)
        throw Error("thrown from the bottom", depth);
    std::unique_ptr<Global> local; // unwound on the way out
    return descend(depth - 1) + 1;
}

std::string worker(int id)
{
    std::ostringstream out;
    tl_counter += id;
    tl_name += "-" + std::to_string(id);
    tl_object.uses += id;
    try {
        if (id % 2)
            throw std::out_of_range("odd worker " + std::to_string(id));
        out << "worker " << id << " no exception";
    } catch (const std::out_of_range &e) {
        out << "worker " << id << " caught '" << e.what() << "'";
    }
    out << ", counter " << tl_counter << ", name " << tl_name;
    return out.str();
}

} // namespace

int main(int argc, char **argv)
{
    std::cout << "argc " << argc << std::endl;
    for (int i = 0; i < argc; i++)
        std::cout << "argv[" << i << "] '" << argv[i] << "'" << std::endl;

    try {
        descend(20);
    } catch (const Error &e) {
        std::cout << "caught Error '" << e.what() << "' depth " << e.depth << std::endl;
    }
    try {
        try {
            throw std::logic_error("inner");
        } catch (...) {
            std::cout << "rethrowing" << std::endl;
            throw;
        }
    } catch (const std::logic_error &e) {
        std::cout << "caught rethrown '" << e.what() << "'" << std::endl;
    }
    try {
        std::vector<int> v(3);
        (void)v.at(7);
    } catch (const std::out_of_range &) {
        std::cout << "vector::at threw out_of_range" << std::endl;
    }
    try {
        throw 42;
    } catch (int n) {
        std::cout << "caught int " << n << std::endl;
    }

    tl_counter = 1000;
    tl_name = "main";
    for (int id = 1; id <= 4; id++) {
        std::string result;
        std::thread t([&result, id] { result = worker(id); });
        t.join(); // the thread's ~PerThread has printed by now
        std::cout << result << std::endl;
    }
    std::cout << "main's thread_local: counter " << tl_counter << ", name " << tl_name << std::endl;

    std::map<std::string, int> words;
    std::string w;
    while (std::cin >> w)
        words[w]++;
    std::cout << "stdin: " << words.size() << " distinct words";
    if (!words.empty())
        std::cout << ", first '" << words.begin()->first << "' x" << words.begin()->second;
    std::cout << std::endl;

    const char *mode = argc > 1 ? argv[1] : "0";
    if (std::strcmp(mode, "uncaught") == 0) {
        struct rlimit none = {0, 0};
        setrlimit(RLIMIT_CORE, &none);
        std::cout << "throwing, uncaught" << std::endl;
        throw std::runtime_error("nobody catches this");
    }
    std::cout << "return " << std::atoi(mode) << std::endl;
    return std::atoi(mode);
}
