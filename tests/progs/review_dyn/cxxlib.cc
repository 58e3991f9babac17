#include <iostream>
#include <stdexcept>
#include <thread>
#include <string>
#include <vector>
struct E : std::runtime_error { E(const std::string &s) : std::runtime_error(s) {} };
void lib_throw(int x) { if (x) throw E("from lib " + std::to_string(x)); }
int lib_catch(void (*f)(int)) { try { f(3); } catch (const std::exception &e) { std::cout << "lib caught " << e.what() << std::endl; return 1; } return 0; }
int lib_threads() { std::vector<std::thread> t; int s[4] = {0}; for (int i = 0; i < 4; i++) t.emplace_back([&s, i] { s[i] = i * i; }); for (auto &x : t) x.join(); std::cout << "threads " << s[0]+s[1]+s[2]+s[3] << std::endl; return 0; }
thread_local int tl_counter = 7;
__thread int gd_var = 11;
static std::string g_str = "static init in lib";
const std::string &lib_str() { return g_str; }
