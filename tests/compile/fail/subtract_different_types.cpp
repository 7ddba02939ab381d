// expect: ln::subtract\(other\): both sides must have the same element type
// ln::subtract of ints minus strings: one static_assert names the operator and the problem.
#include <lineage/lineage.hpp>

#include <string>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> a = {1, 2, 3};
  std::vector<std::string> b = {"x"};
  auto p = a | ln::subtract(b);
  (void)p;
}
