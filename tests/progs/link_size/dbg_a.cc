// Two C++ objects built with -g that include the same headers: each
// holds its own copy of the strings of their debug information, which
// the link keeps once (.debug_str, .debug_line_str).
#include <iostream>
#include <map>
#include <string>
#include <vector>

std::map<std::string, int> count_words(const std::vector<std::string> &words);

int main()
{
    std::vector<std::string> words = {"keel", "links", "keel", "merges", "strings"};
    std::map<std::string, int> counts = count_words(words);
    for (const auto &kv : counts)
        std::cout << kv.first << ' ' << kv.second << '\n';
    try {
        if (counts.size() > 3)
            throw std::out_of_range("too many words");
    } catch (const std::exception &e) {
        std::cout << "caught " << e.what() << '\n';
    }
    return 0;
}
