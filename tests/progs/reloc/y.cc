// -r test: the same COMDAT instances as x.cc
#include "tmpl.h"

int from_y(int v)
{
    Box<int> b(v);
    return b.twice() + square(v);
}
