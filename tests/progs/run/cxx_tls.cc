#include "cxx.h"
#include <cstdio>

thread_local Counter tl_counter;
thread_local int plain_tls = 5; // no constructor: a plain .tdata variable

Counter::Counter() : n(1000), owner("unset")
{
    std::printf("Counter() n=%d\n", n);
}

Counter::~Counter()
{
    std::printf("~Counter() n=%d owner=%s\n", n, owner.c_str());
}

std::string lib_tls_report(const char *who)
{
    tl_counter.bump();
    tl_counter.owner = who;
    plain_tls += 10;
    return std::string(who) + " sees " + std::to_string(tl_counter.n) + ", plain_tls " + std::to_string(plain_tls);
}
