// Compile-time measurement (scripts/compile_time.sh): a 12-operator narrow pipeline, run by
// two actions. pipeline_range_v3.cpp is the same computation with range-v3 views.
#include <lineage/lineage.hpp>

#include <cstdint>
#include <utility>
#include <vector>

namespace ln = lineage;

std::int64_t run(const std::vector<std::int64_t>& v) {
  auto p = v | ln::map([](std::int64_t x) { return x * 3 + 1; })                      // 1
             | ln::filter([](std::int64_t x) { return x % 5 != 0; })                  // 2
             | ln::map([](std::int64_t x) { return x / 2; })                          // 3
             | ln::flat_map([](std::int64_t x) { return std::vector{x, x + 1}; })     // 4
             | ln::filter([](std::int64_t x) { return x % 7 != 0; })                  // 5
             | ln::map([](std::int64_t x) { return x ^ 0x55; })                       // 6
             | ln::key_by([](std::int64_t x) { return x % 100; })                    // 7
             | ln::map_values([](std::int64_t x) { return x + 1; })                   // 8
             | ln::filter([](const std::pair<std::int64_t, std::int64_t>& kv) { return kv.first != 3; })  // 9
             | ln::values()                                                            // 10
             | ln::map([](std::int64_t x) { return x - 1; })                          // 11
             | ln::filter([](std::int64_t x) { return x > 0; });                      // 12
  return (p | ln::sum()) + static_cast<std::int64_t>((p | ln::collect()).size());
}

int main() { return static_cast<int>(run({1, 2, 3, 4, 5, 6, 7, 8, 9, 10}) & 1); }
