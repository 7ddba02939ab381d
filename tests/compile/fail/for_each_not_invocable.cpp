// expect: ln::for_each\(f\): f is not invocable
// ln::for_each with a function on another element type.
#include <lineage/lineage.hpp>

#include <string>
#include <vector>

namespace ln = lineage;

void test() {
  std::vector<int> v = {1, 2, 3};
  v | ln::for_each([](const std::string&) {});
}
