// C++ code that stays: calls the swapped object's virtual functions on an
// object made before the swap, catches what they throw, and throws for
// new code to catch.
struct Base {
    virtual int f() = 0;
    virtual int g() = 0;
    virtual ~Base() {}
};
extern "C" int u_call(Base *b) { return b->f(); }
extern "C" int u_catch(Base *b)
{
    try {
        return b->g();
    } catch (int e) {
        return e;
    }
}
extern "C" void u_throw(int v) { throw v; }
