// ld_args.t: the C++ program whose link line g++ shows.
#include <iostream>

int main()
{
    std::cout << "hello\n";
}
