// expect: ln::fold\(init, op\): op\(acc, element\) must be callable
// ln::fold whose op cannot take the elements.
#include <lineage/lineage.hpp>

#include <string>
#include <vector>

namespace ln = lineage;

struct count_chars {
  int operator()(int acc, const std::string& s) const { return acc + static_cast<int>(s.size()); }
};

void test() {
  std::vector<int> v = {1, 2, 3};
  auto r = v | ln::fold(0, count_chars{});
  (void)r;
}
