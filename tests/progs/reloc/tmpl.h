// -r test: inline and template definitions each object instantiates (COMDAT)
#include <stdexcept>
template <typename T> struct Box {
    T v;
    explicit Box(T x) : v(x) {}
    T twice() const { return v + v; }
};
inline int square(int x) { return x * x; }
inline void thrower(int x)
{
    if (!x)
        throw std::runtime_error("from a COMDAT inline");
}
