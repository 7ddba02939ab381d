// expect: use ln::descending
// Spark's sortBy(f, ascending = false) written as ln::sort_by(f, false).
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {3, 1, 2};
  auto r = v | ln::sort_by([](int x) { return x; }, false) | ln::collect();
  (void)r;
}
