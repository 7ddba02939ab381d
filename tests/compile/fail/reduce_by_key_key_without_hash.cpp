// expect: ln::reduce_by_key\(op\): the key type has no std::hash
// reduce_by_key on a key type without std::hash (a struct with == but no hash, and no hasher
// passed in ln::partitioner) must stop at ops/reduce_by_key.hpp's static_assert, which names the
// fix, rather than deep inside std::unordered_map.
#include <lineage/lineage.hpp>

#include <functional>
#include <utility>
#include <vector>

namespace ln = lineage;

struct point {
  int x = 0;
  int y = 0;
  friend bool operator==(const point&, const point&) = default;
};

int main() {
  std::vector<std::pair<point, int>> v{{{1, 2}, 3}, {{1, 2}, 4}};
  auto sums = v | ln::reduce_by_key(std::plus<>{}) | ln::collect();
  (void)sums;
}
