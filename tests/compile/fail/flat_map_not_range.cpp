// expect: ln::flat_map\(f\): f must return a range
// ln::flat_map with a function returning an int, not a range.
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {1, 2, 3};
  auto r = v | ln::flat_map([](int x) { return x + 1; }) | ln::collect();
  (void)r;
}
