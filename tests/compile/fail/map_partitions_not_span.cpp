// expect: ln::map_partitions\(f\): f must be invocable with a std::span<const T>
// ln::map_partitions(f) with f taking one element instead of the partition's span: one
// static_assert names the argument type f must take.
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {1, 2, 3};
  auto p = v | ln::map_partitions([](int x) { return std::vector<int>{x}; }) | ln::collect();
  (void)p;
}
