// SPDX-License-Identifier: Apache-2.0
#pragma once
// The random numbers of sample, random_split and take_sample: a small generator of our own
// (splitmix64), so that a seed gives the same draws with every compiler and standard library
// (std's distributions are implementation-defined), seeded per partition from (seed, index)
// as Spark seeds its samplers: the result depends on the seed and the partitioning only, not on
// the policy or on which thread or process runs a partition.
#include <cmath>
#include <cstddef>
#include <cstdint>

namespace lineage {

// Sampling with replacement (an element may be drawn several times): ln::with_replacement.
struct with_replacement_t {};
inline constexpr with_replacement_t with_replacement{};

namespace detail {

class partition_random {
 public:
  constexpr partition_random(std::uint64_t seed, std::uint64_t partition) noexcept
      : state_(mix(seed ^ mix(partition + 0x632be59bd9b4e019ULL))) {}

  constexpr std::uint64_t next() noexcept { return mix(state_ += 0x9e3779b97f4a7c15ULL); }
  // Uniform in [0, 1), 53 random bits.
  constexpr double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  // Uniform in [0, n), n > 0 (Lemire's multiply, bias below 2^-64 * n: negligible here).
  std::uint64_t below(std::uint64_t n) noexcept {
    __extension__ using wide = unsigned __int128;  // g++ and clang: the high half of a 64x64 product
    return static_cast<std::uint64_t>((static_cast<wide>(next()) * n) >> 64);
  }
  // Poisson(mean), by Knuth's product method on chunks of mean <= 16 (a sum of Poissons is one).
  std::size_t poisson(double mean) noexcept {
    std::size_t k = 0;
    while (mean > 0) {
      const double chunk = mean > 16 ? 16 : mean;
      mean -= chunk;
      const double limit = std::exp(-chunk);
      double product = uniform();
      while (product > limit) {
        ++k;
        product *= uniform();
      }
    }
    return k;
  }

 private:
  static constexpr std::uint64_t mix(std::uint64_t z) noexcept {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state_;
};

}  // namespace detail
}  // namespace lineage
