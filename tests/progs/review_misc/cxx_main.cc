// review_misc.t: a C++ program whose shape.o keel run --watch swaps (a
// vtable, a static std::vector built by a static constructor).  It polls
// until the swapped code answers (or 30 s pass), prints what it sees and
// returns: what it prints, and its exit, are the test's.
#include <cstdio>
#include <cstring>
#include <unistd.h>

struct Shape {
    virtual int area() const = 0;
    virtual const char *name() const = 0;
    virtual ~Shape() {}
};
Shape *make(int);
int registered();
void add(const char *);

int main()
{
    Shape *s = make(3);
    std::printf("before %s %d %d\n", s->name(), s->area(), registered());
    std::fflush(stdout);
    for (int n = 0; n < 3000 && std::strcmp(s->name(), "one") == 0; n++)
        usleep(10000);
    usleep(300000);        // (keel run's line for the swap comes first)
    add("after the swap"); // the carried-over vector grows: its old buffer is freed
    Shape *t = make(4);
    std::printf("after %s %d %d %d\n", s->name(), s->area(), t->area(), registered());
    delete t;
    delete s;
    return 0;
}
