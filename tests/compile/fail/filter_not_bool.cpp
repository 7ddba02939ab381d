// expect: ln::filter\(p\): p must return something convertible to bool
// ln::filter with a predicate returning a std::string.
#include <lineage/lineage.hpp>

#include <string>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {1, 2, 3};
  auto r = v | ln::filter([](int x) { return std::to_string(x); }) | ln::collect();
  (void)r;
}
