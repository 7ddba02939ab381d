// expect: ln::union_all\(other\.\.\.\): every input must have the pipeline's element type
// ln::union_all of ints and doubles: one static_assert names the operator and the problem.
#include <lineage/lineage.hpp>

#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> a = {1, 2, 3};
  std::vector<double> b = {1.5};
  auto p = a | ln::union_all(b);
  (void)p;
}
