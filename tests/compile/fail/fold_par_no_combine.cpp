// expect: ln::fold with ln::par combines partition results with op\(acc, acc\)
// ln::fold under ln::par combines partitions' accumulators with op(acc, acc): this op only
// takes (string, int). (The same fold with ln::seq compiles.)
#include <lineage/lineage.hpp>

#include <string>
#include <vector>

namespace ln = lineage;

struct append {
  std::string operator()(std::string acc, int x) const { return acc + std::to_string(x); }
};

void test() {
  std::vector<int> v = {1, 2, 3};
  auto r = v | ln::fold(std::string(), append{}, ln::par);
  (void)r;
}
