// quickstart: a fused narrow pipeline, its plan, and the same result sequentially and in parallel.
#include <lineage/lineage.hpp>

#include <cstdint>
#include <iostream>
#include <numeric>
#include <vector>

namespace ln = lineage;

int main() {
  std::vector<std::int64_t> v(1'000'000);
  std::iota(v.begin(), v.end(), 0);

  // The lineage lives in the type; nothing runs until an action.
  auto p = v | ln::map([](std::int64_t x) { return x * 3 + 1; })
             | ln::filter([](std::int64_t y) { return y % 5 != 0; })
             | ln::map([](std::int64_t y) { return double(y) * 0.5; });
  static_assert(ln::stage_count_v<decltype(p)> == 1, "three narrow ops fuse into one kernel");

  std::cout << ln::explain(p);
  std::cout << "count: " << (p | ln::count()) << '\n'
            << "sum (seq): " << (p | ln::sum()) << '\n'
            << "sum (par): " << (p | ln::sum(ln::par)) << '\n'
            << "first 3:";
  for (double x : p | ln::take(3)) std::cout << ' ' << x;
  std::cout << '\n';
}
