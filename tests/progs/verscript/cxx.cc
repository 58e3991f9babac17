// C++ names for extern "C++" patterns and --dynamic-list-cpp-*: functions
// in a namespace, a class with a vtable (its typeinfo), operator new.
#include <cstdlib>
#include <new>

namespace ns {
__attribute__((noinline)) int f(int x) { return x + 1; }
__attribute__((noinline)) int f(double x) { return (int)x + 2; }
__attribute__((noinline)) int g(double x) { return (int)x * 2; }
struct T {
    virtual ~T();
    virtual int v() { return 3; }
};
T::~T() {}
} // namespace ns

void *operator new(std::size_t n) { return std::malloc(n ? n : 1); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }

extern "C" int use_cxx(void);
extern "C" int use_cxx(void)
{
    ns::T *t = new ns::T;
    int r = ns::f(1) + ns::f(2.0) + ns::g(3.0) + t->v() + (dynamic_cast<ns::T *>(t) != nullptr);
    delete t;
    return r;
}
