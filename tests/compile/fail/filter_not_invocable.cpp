// expect: ln::filter\(p\): p is not invocable
// ln::filter with a predicate on another element type.
#include <lineage/lineage.hpp>

#include <string>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {1, 2, 3};
  auto r = v | ln::filter([](const std::string& s) { return s.empty(); }) | ln::count();
  (void)r;
}
