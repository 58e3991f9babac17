#include <map>
#include <stdexcept>
#include <string>
#include <vector>

std::map<std::string, int> count_words(const std::vector<std::string> &words)
{
    std::map<std::string, int> counts;
    for (const std::string &w : words)
        counts[w]++;
    return counts;
}
