// Functions with exception tables (LSDAs), most of them unused: with
// -ffunction-sections and --gc-sections only main's and used()'s tables
// stay, as ld.bfd keeps only the LSDAs of live functions.
#include <cstdio>
#include <stdexcept>
#include <string>
static void may_throw(int x) { if (x > 100) throw std::runtime_error("big"); }
int used(int x) { try { std::string s(x, 'a'); may_throw(x); return (int)s.size(); } catch (const std::exception &) { return -1; } }
int unused1(int x) { try { std::string s(x, 'b'); may_throw(x); return (int)s.size(); } catch (const std::exception &) { return -2; } }
int unused2(int x) { try { std::string s(x, 'c'); may_throw(x); return (int)s.size() + 1; } catch (const std::exception &) { return -3; } }
int unused3(int x) { try { std::string s(x, 'd'); may_throw(x * 2); return (int)s.size() + 2; } catch (const std::exception &) { return -4; } }
int main() { std::printf("%d %d\n", used(3), used(300)); return 0; }
