// expect: ln::full_join\(other\): both sides must have the same key type
// A full join of (int, V) with (std::string, W) must be rejected by ops/full_join.hpp.
#include <lineage/lineage.hpp>

#include <string>
#include <utility>
#include <vector>

namespace ln = lineage;

int main() {
  std::vector<std::pair<int, double>> left{{1, 1.5}};
  std::vector<std::pair<std::string, int>> right{{"1", 2}};
  auto joined = left | ln::full_join(right) | ln::collect();
  (void)joined;
}
