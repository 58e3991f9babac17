#include <iostream>
#include <stdexcept>
#include <string>
#include <typeinfo>
void lib_throw(int);
int lib_catch(void (*)(int));
int lib_threads();
const std::string &lib_str();
extern thread_local int tl_counter;
extern __thread int gd_var;
struct M : std::exception { const char *what() const noexcept override { return "main M"; } };
void thrower(int x) { throw std::runtime_error("from main " + std::to_string(x)); }
int main() {
  try { lib_throw(5); } catch (const std::runtime_error &e) { std::cout << "main caught " << e.what() << " " << typeid(e).name() << std::endl; }
  lib_catch(thrower);
  lib_threads();
  std::cout << lib_str() << " tl " << tl_counter << " gd " << gd_var << std::endl;
  try { throw M(); } catch (std::exception &e) { std::cout << e.what() << std::endl; }
  return 0;
}
