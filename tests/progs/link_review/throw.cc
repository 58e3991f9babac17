#include <stdexcept>
#include <cstdio>
int main(){ try { throw std::runtime_error("x"); } catch (const std::exception &e) { std::puts(e.what()); } return 0; }
