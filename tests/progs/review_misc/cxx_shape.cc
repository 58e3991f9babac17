// review_misc.t: the object swapped (VER and MUL differ between the two
// builds).  reg is a static std::vector built by a static constructor,
// whose destructor that constructor registers with __cxa_atexit.
#include <string>
#include <vector>

struct Shape {
    virtual int area() const = 0;
    virtual const char *name() const = 0;
    virtual ~Shape() {}
};
static std::vector<std::string> reg;
static struct Init {
    Init() { reg.push_back(VER); }
} init;
struct Sq : Shape {
    int k;
    Sq(int k_) : k(k_) {}
    int area() const override { return k * k * MUL; }
    const char *name() const override { return VER; }
};
Shape *make(int k) { return new Sq(k); }
int registered() { return (int)reg.size() * 100 + (int)reg.back().size(); }
void add(const char *s) { reg.push_back(s); }
