// expect: ln::keys\(\): the elements are not pair-like
// ln::keys() on ints.
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {1, 2, 3};
  auto r = v | ln::keys() | ln::collect();
  (void)r;
}
