// expect: ln::map\(f\): f returns void
// ln::map with a function returning nothing: ln::for_each is the action for effects.
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {1, 2, 3};
  auto r = v | ln::map([](int) {}) | ln::count();
  (void)r;
}
