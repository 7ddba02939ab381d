// expect: ln::reduce\(op\): op\(element, element\) must be callable
// ln::reduce whose op works on another type.
#include <lineage/lineage.hpp>

#include <string>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {1, 2, 3};
  auto r = v | ln::reduce([](const std::string& a, const std::string& b) { return a + b; });
  (void)r;
}
