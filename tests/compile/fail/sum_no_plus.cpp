// expect: ln::sum\(\): the element type has no operator\+=
// ln::sum on elements that cannot be added.
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

struct point {
  int x = 0;
  int y = 0;
};

void test() {
  std::vector<point> v = {{1, 2}};
  auto r = v | ln::sum();
  (void)r;
}
