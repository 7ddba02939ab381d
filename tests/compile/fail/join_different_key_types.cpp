// expect: ln::join\(other\): both sides must have the same key type
// Joining (int, V) with (std::string, W) must be rejected by ops/join.hpp's static_assert.
#include <lineage/lineage.hpp>

#include <string>
#include <utility>
#include <vector>

namespace ln = lineage;

int main() {
  std::vector<std::pair<int, double>> left{{1, 1.5}};
  std::vector<std::pair<std::string, int>> right{{"1", 2}};
  auto joined = left | ln::join(right) | ln::collect();
  (void)joined;
}
