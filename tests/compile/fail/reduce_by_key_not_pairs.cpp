// expect: ln::reduce_by_key\(op\): the elements are not pair-like
// reduce_by_key needs (key, value) elements; on plain ints it must say so (ops/reduce_by_key.hpp).
#include <lineage/lineage.hpp>

#include <functional>
#include <vector>

namespace ln = lineage;

int main() {
  std::vector<int> v{1, 2, 3};
  auto sums = v | ln::map([](int x) { return x * 2; }) | ln::reduce_by_key(std::plus<>{}) | ln::collect();
  (void)sums;
}
