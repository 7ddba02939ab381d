// Consumer smoke test: the umbrella header, one narrow op and one action.
#include <lineage/lineage.hpp>

#include <cstdio>
#include <vector>

int main() {
  namespace ln = lineage;
  const auto total = std::vector<int>{1, 2, 3} | ln::map([](int x) { return x * 2; }) | ln::sum();
  if (total != 12) {
    std::printf("lineage consumer: expected 12, got %d\n", static_cast<int>(total));
    return 1;
  }
  std::printf("lineage consumer: ok (%d)\n", static_cast<int>(total));
  return 0;
}
