// expect: the policy belongs to actions
// An execution policy given to a transformation instead of the action.
#include <lineage/lineage.hpp>

#include <functional>
#include <utility>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<std::pair<int, int>> v = {{1, 2}};
  auto r = v | ln::reduce_by_key(std::plus<int>{}, ln::par) | ln::collect();
  (void)r;
}
