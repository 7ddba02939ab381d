// expect: ln::cogroup\(other\): both sides must hold pair-like elements
// Cogrouping pairs with plain ints must be rejected by ops/cogroup.hpp's static_assert, which
// names cogroup (the join family shares one operator, each member its own messages).
#include <lineage/lineage.hpp>

#include <utility>
#include <vector>

namespace ln = lineage;

int main() {
  std::vector<std::pair<int, double>> left{{1, 1.5}};
  std::vector<int> right{1, 2};
  auto grouped = left | ln::cogroup(right) | ln::collect();
  (void)grouped;
}
