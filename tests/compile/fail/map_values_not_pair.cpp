// expect: ln::map_values\(f\): the elements are not pair-like
// ln::map_values on ints, from a composed closure.
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {1, 2, 3};
  const auto doubled_values = ln::map_values([](int x) { return 2 * x; }) | ln::filter([](auto&&) { return true; });
  auto r = v | doubled_values | ln::count();
  (void)r;
}
