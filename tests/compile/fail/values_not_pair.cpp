// expect: ln::values\(\): the elements are not pair-like
// ln::values() on tuples of three: pair-like means exactly two members.
#include <lineage/lineage.hpp>

#include <tuple>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<std::tuple<int, int, int>> v = {{1, 2, 3}};
  auto r = ln::values(v) | ln::collect();
  (void)r;
}
