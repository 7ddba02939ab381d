// expect: ln::partition_by / repartition_and_sort_within_partitions: the elements are not pair-like
// ln::partition_by needs (key, value) pairs: one static_assert says so.
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> a = {1, 2, 3};
  auto p = a | ln::partition_by(4);
  (void)p;
}
