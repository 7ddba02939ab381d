#pragma once
// The two checkpoints the crash test alternates between. They differ in every partition and in
// the number of partitions, so a load that mixed them could not pass for either.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace crash_test {

using record = std::pair<std::uint64_t, std::string>;
using content = std::vector<std::vector<record>>;

inline content make_content(bool second) {
  const std::size_t partitions = second ? 3 : 4;
  content parts(partitions);
  for (std::size_t p = 0; p < partitions; ++p) {
    for (std::uint64_t i = 0; i < 2500; ++i) {
      const std::uint64_t key = (second ? 1'000'000'000ull : 0ull) + p * 100'000 + i;
      parts[p].push_back({key, std::string(8 + i % 24, static_cast<char>((second ? 'A' : 'a') + (key % 26)))});
    }
  }
  return parts;
}

}  // namespace crash_test
