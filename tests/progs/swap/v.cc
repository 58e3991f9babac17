// The swapped C++ object, in versions (VER): a class whose vtable is its
// own (key function Impl::f).
struct Base {
    virtual int f() = 0;
    virtual int g() = 0;
    virtual ~Base() {}
};
struct Impl : Base {
    int f() override;
    int g() override;
};
int Impl::f() { return VER * 10; }
int Impl::g() { throw VER; }
extern "C" void u_throw(int);
extern "C" Base *v_make() { return new Impl; }
extern "C" void v_free(Base *b) { delete b; }
extern "C" int v_catch()
{
    try {
        u_throw(VER);
    } catch (int e) {
        return e + 100;
    }
    return 0;
}
