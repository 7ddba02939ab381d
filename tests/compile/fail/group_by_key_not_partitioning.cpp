// expect: expected a partitioning: ln::partitioner\{n \[, hasher\]\} or a partition count
// A string where a partitioning is expected.
#include <lineage/lineage.hpp>

#include <utility>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<std::pair<int, int>> v = {{1, 2}};
  auto r = v | ln::group_by_key("ten") | ln::collect();
  (void)r;
}
