// Compile-time measurement (scripts/compile_time.sh): pipeline_lineage.cpp's computation
// with range-v3 views (views::for_each for flat_map; a transform to a pair for key_by).
#include <range/v3/numeric/accumulate.hpp>
#include <range/v3/range/conversion.hpp>
#include <range/v3/view/filter.hpp>
#include <range/v3/view/for_each.hpp>
#include <range/v3/view/iota.hpp>
#include <range/v3/view/map.hpp>
#include <range/v3/view/transform.hpp>

#include <cstdint>
#include <utility>
#include <vector>

namespace rv = ranges::views;

std::int64_t run(const std::vector<std::int64_t>& v) {
  auto p = v | rv::transform([](std::int64_t x) { return x * 3 + 1; })                          // 1
             | rv::filter([](std::int64_t x) { return x % 5 != 0; })                            // 2
             | rv::transform([](std::int64_t x) { return x / 2; })                              // 3
             | rv::for_each([](std::int64_t x) { return rv::iota(x, x + 2); })                   // 4
             | rv::filter([](std::int64_t x) { return x % 7 != 0; })                            // 5
             | rv::transform([](std::int64_t x) { return x ^ 0x55; })                           // 6
             | rv::transform([](std::int64_t x) { return std::pair{x % 100, x}; })              // 7
             | rv::transform([](std::pair<std::int64_t, std::int64_t> kv) { return std::pair{kv.first, kv.second + 1}; })  // 8
             | rv::filter([](const std::pair<std::int64_t, std::int64_t>& kv) { return kv.first != 3; })  // 9
             | rv::values                                                                        // 10
             | rv::transform([](std::int64_t x) { return x - 1; })                             // 11
             | rv::filter([](std::int64_t x) { return x > 0; });                                // 12
  return ranges::accumulate(p, std::int64_t{0}) + static_cast<std::int64_t>(ranges::to<std::vector>(p).size());
}

int main() { return static_cast<int>(run({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) & 1); }
