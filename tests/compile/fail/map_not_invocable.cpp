// expect: ln::map\(f\): f is not invocable
// ln::map with a function that cannot take the pipeline's elements (ints, not strings).
#include <lineage/lineage.hpp>

#include <string>
#include <vector>

namespace ln = lineage;

struct length {
  std::size_t operator()(const std::string& s) const { return s.size(); }
};

void test() {
  std::vector<int> v = {1, 2, 3};
  auto r = v | ln::map(length{}) | ln::collect();
  (void)r;
}
